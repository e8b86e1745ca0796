"""Digests on the console and the webhook: one message listing the held alerts, safe to show, keyed for retries."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from earshot.adapters.chat.console import ConsoleChat
from earshot.adapters.chat.webhook import WebhookChat
from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.bot.domain import Digest
from tests.adapters.chat.test_console import ALERT, T0, UNSAFE
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.webhook import WebhookReceiver

HOSTILE = replace(
    ALERT,
    id=43,
    score=71,
    conversation=replace(ALERT.conversation, title="Pwn \x1b[2J\u202etitle", url="https://news.example.com/item?id=43"),
)
DIGEST = Digest("db-talk", (ALERT, HOSTILE), T0)


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with FakeHttpServer() as server:
        yield WebhookReceiver(server)


@pytest.fixture
async def http() -> AsyncIterator[SafeHttp]:
    async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as client:
        yield client


async def test_the_console_prints_one_block_with_a_line_per_alert() -> None:
    stream = io.StringIO()
    ref = await ConsoleChat(Clock(), "conversations", stream).send_digest(DIGEST)
    text = stream.getvalue()
    assert ref == "console:digest:42,43"
    assert text.startswith("── #db-talk · digest · 2 more alerts held by the hourly cap ")
    assert "[50] databases · Re: Show HN: A new web framework (alert 42)" in text
    assert "https://news.example.com/item?id=43" in text
    assert not UNSAFE.search(text)


async def test_the_default_channel_names_the_digest_when_the_alerts_have_none() -> None:
    stream = io.StringIO()
    await ConsoleChat(Clock(), "conversations", stream).send_digest(Digest(None, (replace(ALERT, channel=None),), T0))
    assert re.match(r"── #conversations · digest · 1 more alert held", stream.getvalue())


async def test_the_webhook_posts_one_digest_with_the_alerts_ids_titles_urls_and_scores(
    http: SafeHttp, hook: WebhookReceiver
) -> None:
    ref = await WebhookChat(http, hook.url, "conversations").send_digest(DIGEST)

    assert ref == "earshot-digest-42-43-2"
    [request] = hook.received
    assert request.headers["idempotency-key"] == ref
    assert request.headers["x-earshot-event"] == "digest"
    [payload] = hook.digests()
    assert hook.alerts() == []
    assert payload == {
        "type": "digest",
        "channel": "db-talk",
        "since": T0.isoformat(),
        "count": 2,
        "alert_ids": [42, 43],
        "alerts": [
            {
                "alert_id": 42,
                "topic": "databases",
                "title": "Re: Show HN: A new web framework",
                "url": "https://news.ycombinator.com/item?id=9003",
                "score": 50,
                "source": "hackernews",
            },
            {
                "alert_id": 43,
                "topic": "databases",
                "title": "Pwn title",
                "url": "https://news.example.com/item?id=43",
                "score": 71,
                "source": "hackernews",
            },
        ],
    }
