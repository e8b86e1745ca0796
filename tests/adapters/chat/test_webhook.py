"""The webhook chat against a real local receiver, through the real safe HTTP client."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from earshot.adapters.chat.webhook import WebhookChat
from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.bot.domain import Alert, Conversation, Notice, Sighting, Summary
from earshot.bot.errors import DeliveryError
from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fakes.webhook import WebhookReceiver

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "s3cret-shared-with-the-receiver"
TOKEN_PATH = "/hooks/T000/SECRETTOKEN"

COMMENT = Conversation(
    source="hackernews",
    external_id="9003",
    url="https://news.ycombinator.com/item?id=9003",
    title="Re: Show HN: A new web framework",
    text="We moved from Mongo to\n\n  <b>Postgres</b>, any   regrets?",
    author="alice",
    created_at=datetime(2025, 3, 1, 11, 30, tzinfo=UTC),
    thread_size=14,
    points=3,
    link="https://example.com/framework",
    community="Show HN",
    kind="comment",
)
ALERT = Alert(
    id=42,
    topic="databases",
    channel="db-talk",
    conversation=COMMENT,
    matched=("postgres", "mongo"),
    score=50,
    created_at=T0,
    reasons=("asks a question", "30 min old", "14 replies"),
)


@pytest.fixture
def server() -> Iterator[FakeHttpServer]:
    with FakeHttpServer() as fake:
        yield fake


@pytest.fixture
def hook(server: FakeHttpServer) -> WebhookReceiver:
    return WebhookReceiver(server)


@pytest.fixture
async def http() -> AsyncIterator[SafeHttp]:
    async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as client:
        yield client


def answers(*replies: Reply | None) -> Any:
    """A receiver script: the given replies in turn (None accepts), then accept everything."""
    queue = list(replies)

    def script(request: Request, payload: dict[str, Any]) -> Reply | None:
        return queue.pop(0) if queue else None

    return script


def verify(request: Request, secret: str) -> bool:
    """Check a request's signature as a receiver would: HMAC-SHA256 over "<timestamp>.<raw body>"."""
    stamp = request.headers["x-earshot-timestamp"]
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers["x-earshot-signature"], f"sha256={expected}")


async def test_an_alert_posts_every_documented_field(http: SafeHttp, hook: WebhookReceiver) -> None:
    chat = WebhookChat(http, hook.url, "conversations")

    ref = await chat.send_alert(ALERT)

    assert ref == "earshot-alert-42"
    assert hook.accepted == [
        {
            "type": "alert",
            "alert_id": 42,
            "topic": "databases",
            "channel": "db-talk",
            "source": "hackernews",
            "community": "Show HN",
            "kind": "comment",
            "title": "Re: Show HN: A new web framework",
            "url": "https://news.ycombinator.com/item?id=9003",
            "link": "https://example.com/framework",
            "author": "alice",
            "created_at": "2025-03-01T11:30:00+00:00",
            "excerpt": "We moved from Mongo to <b>Postgres</b>, any regrets?",
            "matched": ["postgres", "mongo"],
            "score": 50,
            "reasons": ["asks a question", "30 min old", "14 replies"],
            "thread_size": 14,
            "points": 3,
            "summary": None,
            "also_seen": [],
        }
    ]


async def test_an_alert_posts_its_summary_and_the_other_discussions(http: SafeHttp, hook: WebhookReceiver) -> None:
    summary = Summary("Any regrets moving from Mongo to \x1b[31mPostgres?", ("Migrations got \u202eeasier.",), "llm")
    seen = Sighting("rss", "https://blog.example.com/framework", "A new \x1b[2Jweb framework", None, 4, None)
    alert = replace(ALERT, summary=summary, also_seen=(seen,))

    await WebhookChat(http, hook.url, "conversations").send_alert(alert)

    [payload] = hook.accepted
    assert payload["summary"] == {
        "question": "Any regrets moving from Mongo to Postgres?",
        "said": ["Migrations got easier."],
        "method": "llm",
    }
    assert payload["also_seen"] == [
        {
            "source": "rss",
            "community": None,
            "title": "A new web framework",
            "url": "https://blog.example.com/framework",
            "thread_size": 4,
            "points": None,
        }
    ]


async def test_an_alert_without_a_channel_goes_to_the_default_and_unknowns_are_null(
    http: SafeHttp, hook: WebhookReceiver
) -> None:
    bare = Conversation("rss", "post-1", "https://blog.example.com/p/1", "Postgres tips")
    alert = Alert(7, "databases", None, bare, ("postgres",), 60, T0)

    await WebhookChat(http, hook.url, "conversations").send_alert(alert)

    [payload] = hook.accepted
    assert payload["channel"] == "conversations"
    assert (payload["author"], payload["created_at"], payload["link"], payload["points"]) == (None, None, None, None)
    assert (payload["excerpt"], payload["kind"]) == ("", "post")


async def test_an_alert_request_carries_its_idempotency_key_and_event(http: SafeHttp, hook: WebhookReceiver) -> None:
    await WebhookChat(http, hook.url, "conversations").send_alert(ALERT)

    [request] = hook.received
    assert request.headers["idempotency-key"] == "earshot-alert-42"
    assert request.headers["x-earshot-event"] == "alert"
    assert request.headers["content-type"] == "application/json"
    assert "x-earshot-signature" not in request.headers  # no secret, no signature


async def test_a_notice_has_type_notice_and_no_alert_id(http: SafeHttp, hook: WebhookReceiver) -> None:
    notice = Notice("warning", "Feed hn has failed 3 times in a row.", feed="hn")

    await WebhookChat(http, hook.url, "conversations").send_notice(notice)

    [request] = hook.received
    assert request.headers["x-earshot-event"] == "notice"
    assert "idempotency-key" not in request.headers
    assert hook.accepted == [
        {
            "type": "notice",
            "level": "warning",
            "text": "Feed hn has failed 3 times in a row.",
            "feed": "hn",
            "channel": "conversations",
        }
    ]
    assert hook.alerts() == []


async def test_with_a_secret_each_request_is_signed_over_timestamp_and_body(
    http: SafeHttp, hook: WebhookReceiver
) -> None:
    chat = WebhookChat(http, hook.url, "conversations", secret=SECRET)

    await chat.send_alert(ALERT)
    await chat.send_notice(Notice("info", "Feed hn works again.", feed="hn"))

    for request in hook.received:
        assert verify(request, SECRET)
        assert not verify(request, "another secret")
        assert abs(int(request.headers["x-earshot-timestamp"]) - time.time()) < 60
    assert json.loads(hook.received[0].body)["alert_id"] == 42


async def test_a_503_then_200_is_delivered_after_one_retry_signed_afresh(http: SafeHttp, hook: WebhookReceiver) -> None:
    hook.script = answers(Reply(503, b"busy"))
    chat = WebhookChat(http, hook.url, "conversations", secret=SECRET)

    assert await chat.send_alert(ALERT) == "earshot-alert-42"

    assert len(hook.received) == 2
    assert [payload["alert_id"] for payload in hook.alerts()] == [42]
    assert all(verify(request, SECRET) for request in hook.received)
    assert {request.headers["idempotency-key"] for request in hook.received} == {"earshot-alert-42"}


async def test_a_429_with_retry_after_waits_as_asked_then_succeeds(http: SafeHttp, hook: WebhookReceiver) -> None:
    arrivals: list[float] = []

    def throttle_once(request: Request, payload: dict[str, Any]) -> Reply | None:
        arrivals.append(time.monotonic())
        return Reply(429, b"slow down", {"Retry-After": "1"}) if len(arrivals) == 1 else None

    hook.script = throttle_once

    await WebhookChat(http, hook.url, "conversations").send_alert(ALERT)

    assert len(hook.alerts()) == 1
    assert arrivals[1] - arrivals[0] >= 0.9  # it waited the second it was asked to, not the default half second


async def test_a_400_is_a_permanent_error_after_one_attempt(http: SafeHttp, server: FakeHttpServer) -> None:
    hook = WebhookReceiver(server, path=TOKEN_PATH)
    hook.script = answers(Reply(400, b"bad payload"))

    with pytest.raises(DeliveryError) as refused:
        await WebhookChat(http, hook.url, "conversations").send_alert(ALERT)

    assert refused.value.permanent
    assert len(hook.received) == 1
    assert str(refused.value) == "webhook: HTTP 400 Bad Request from the webhook URL"


async def test_a_500_three_times_is_a_transient_error_after_exactly_three_attempts(
    http: SafeHttp, server: FakeHttpServer
) -> None:
    hook = WebhookReceiver(server, path=TOKEN_PATH)
    hook.script = answers(*[Reply(500, b"oops")] * 3)

    with pytest.raises(DeliveryError) as failed:
        await WebhookChat(http, hook.url, "conversations").send_alert(ALERT)

    assert not failed.value.permanent
    assert len(hook.received) == 3
    assert hook.accepted == []
    assert "SECRETTOKEN" not in str(failed.value)
    assert str(failed.value) == "webhook: HTTP 500 Internal Server Error from the webhook URL"


async def test_a_long_retry_after_goes_back_to_the_outbox_instead_of_blocking(
    http: SafeHttp, hook: WebhookReceiver
) -> None:
    hook.script = answers(Reply(429, b"slow down", {"Retry-After": "3600"}))

    with pytest.raises(DeliveryError) as throttled:
        await WebhookChat(http, hook.url, "conversations").send_alert(ALERT)

    assert (throttled.value.permanent, throttled.value.retry_after) == (False, 3600)
    assert len(hook.received) == 1


async def test_an_unreachable_receiver_does_not_show_the_webhook_token(http: SafeHttp) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed

    with pytest.raises(DeliveryError) as failed:
        await WebhookChat(http, f"http://127.0.0.1:{port}{TOKEN_PATH}", "conversations").send_alert(ALERT)

    assert not failed.value.permanent
    assert "SECRETTOKEN" not in str(failed.value)
    assert "the webhook URL" in str(failed.value)


async def test_a_private_address_not_allowed_is_permanent_and_nothing_is_sent(server: FakeHttpServer) -> None:
    hook = WebhookReceiver(server, path=TOKEN_PATH)

    async with SafeHttp(FetchPolicy()) as strict:
        with pytest.raises(DeliveryError) as refused:
            await WebhookChat(strict, hook.url, "conversations").send_alert(ALERT)

    assert refused.value.permanent
    assert server.requests == []
    assert "SECRETTOKEN" not in str(refused.value)
    assert "127.0.0.1 is a private address" in str(refused.value)


async def test_control_characters_and_terminal_escapes_in_a_title_are_cleaned(
    http: SafeHttp, hook: WebhookReceiver
) -> None:
    hostile = Conversation(
        "rss",
        "p1",
        "https://blog.example.com/p/1",
        "\x1b[2J\x1b[31mPostgres\x1b[0m\x07 tips\u202e\u200b\x00",
        text="body \x1b]0;owned\x07text",
    )
    alert = Alert(1, "databases", None, hostile, ("postgres",), 60, T0)

    await WebhookChat(http, hook.url, "conversations").send_alert(alert)

    [payload] = hook.accepted
    assert payload["title"] == "Postgres tips"
    assert payload["excerpt"] == "body text"


async def test_control_characters_in_author_and_community_are_cleaned_too(
    http: SafeHttp, hook: WebhookReceiver
) -> None:
    hostile = Conversation(
        "rss",
        "p1",
        "https://blog.example.com/p/1",
        "Postgres tips",
        author="\x1b[31mbob\u202e",
        community="Planet\x1b[0m Postgres",
    )

    await WebhookChat(http, hook.url, "conversations").send_alert(Alert(1, "databases", None, hostile, (), 60, T0))

    [payload] = hook.accepted
    assert (payload["author"], payload["community"]) == ("bob", "Planet Postgres")
