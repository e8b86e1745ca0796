"""The Stack Exchange source against a fake API 2.3 on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.stackexchange.source import MAX_PAGES, OVERLAP_SECONDS, PAGE_SIZE, StackExchangeSource
from earshot.bot.domain import Feed
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import ThreadSource
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.stackexchange import API, FakeStackExchange, answer, error_reply, kubernetes_questions, question

NOW = 1_702_228_000  # 2023-12-10T17:06:40Z, within the hour after the questions in tests/data


class Clock:
    def __init__(self) -> None:
        self.now = datetime.fromtimestamp(NOW, UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(server: FakeHttpServer) -> FakeStackExchange:
    return FakeStackExchange(server)


@pytest.fixture
def source(http: SafeHttp, api: FakeStackExchange, clock: Clock) -> StackExchangeSource:
    return StackExchangeSource(http, {}, clock=clock, api_url=api.api_url)


def se_feed(url: str, query: str | None = None, **options: Any) -> Feed:
    return Feed(name="so", kind="stackexchange", every=timedelta(minutes=10), url=url, query=query, options=options)


async def test_maps_questions(source: StackExchangeSource, api: FakeStackExchange) -> None:
    questions = kubernetes_questions()
    api.add(*questions)
    result = await source.fetch(se_feed(api.api_url, tagged="kubernetes"), {}, seeding=False)

    first = result.items[0]
    assert [i.external_id for i in result.items] == [f"stackoverflow:{q['question_id']}" for q in questions]
    assert (
        result.items[1].title == "How do I give a CronJob's pod a different service account than the namespace default?"
    )
    assert first.source == "stackexchange"
    assert first.title == "Ingress returns 502 after moving the cluster behind a cloud load balancer"
    assert first.url == (
        "https://stackoverflow.com/questions/77641208/ingress-returns-502-after-moving-the-cluster-behind-a-cloud-load-balancer"
    )
    assert first.author == "Mireille.T"
    assert first.text.startswith("After we put our cluster behind the provider's load balancer")
    assert "<p>" not in first.text
    assert first.community == "stackoverflow/kubernetes"
    assert first.kind == "post"
    assert first.created_at == datetime(2023, 12, 10, 16, 46, 36, tzinfo=UTC)
    request = api.requests()[0]
    assert request.param("tagged") == "kubernetes"
    assert request.param("filter") == "withbody"
    assert request.param("sort") == "creation"
    assert "gzip" in request.headers["accept-encoding"]


async def test_entities_in_titles_and_names_are_decoded(source: StackExchangeSource, api: FakeStackExchange) -> None:
    api.add(
        question(1, NOW - 60, title="Why does &quot;kubectl&quot; say &#39;x &amp; y&#39;?", author="J&#246;rg"),
        question(2, NOW - 30, title="Как настроить ingress?", body="<p>Привет &lt;мир&gt;</p>", author=None),
    )
    result = await source.fetch(se_feed(api.api_url), {}, seeding=False)
    russian, quoted = result.items
    assert quoted.title == "Why does \"kubectl\" say 'x & y'?"
    assert quoted.author == "Jörg"
    assert russian.title == "Как настроить ingress?"
    assert russian.text == "Привет <мир>"
    assert russian.author is None  # a deleted account


async def test_search_uses_search_advanced(source: StackExchangeSource, api: FakeStackExchange) -> None:
    api.add(question(1, NOW - 60, title="pgvector index is slow"), question(2, NOW - 50, title="nginx timeout"))
    result = await source.fetch(se_feed(api.api_url, query="pgvector"), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["stackoverflow:1"]
    assert api.requests("/search/advanced")[0].param("q") == "pgvector"
    assert not api.requests("/questions")


async def test_two_polls_neither_skip_nor_repeat(
    source: StackExchangeSource, api: FakeStackExchange, clock: Clock
) -> None:
    api.add(question(1, NOW - 100), question(2, NOW - 50))
    first = await source.fetch(se_feed(api.api_url), {}, seeding=True)
    assert first.cursor["newest"] == NOW - 50

    # A question posted at the same second as the newest seen, and one indexed late (older than the newest).
    api.add(question(3, NOW - 50), question(4, NOW - 80), question(5, NOW + 10))
    clock.now += timedelta(minutes=10)
    second = await source.fetch(se_feed(api.api_url), first.cursor, seeding=False)
    assert sorted(i.external_id for i in second.items) == ["stackoverflow:3", "stackoverflow:4", "stackoverflow:5"]
    assert api.requests()[-1].param("fromdate") == str(NOW - 50 - OVERLAP_SECONDS)

    third = await source.fetch(se_feed(api.api_url), second.cursor, seeding=False)
    assert third.items == []


async def test_pages_until_the_window(source: StackExchangeSource, api: FakeStackExchange) -> None:
    api.add(question(1, NOW - 1000))
    first = await source.fetch(se_feed(api.api_url), {}, seeding=True)
    api.add(*(question(100 + i, NOW - i) for i in range(PAGE_SIZE + 20)))
    result = await source.fetch(se_feed(api.api_url), first.cursor, seeding=False)
    assert len(result.items) == PAGE_SIZE + 20
    assert [r.param("page") for r in api.requests()[1:]] == ["1", "2"]


async def test_page_cap_stops_and_warns(
    source: StackExchangeSource, api: FakeStackExchange, caplog: pytest.LogCaptureFixture
) -> None:
    api.add(question(1, NOW - 100_000))
    first = await source.fetch(se_feed(api.api_url), {}, seeding=True)
    api.add(*(question(1000 + i, NOW - i) for i in range(PAGE_SIZE * MAX_PAGES + 5)))
    result = await source.fetch(se_feed(api.api_url), first.cursor, seeding=False)
    assert len(result.items) == PAGE_SIZE * MAX_PAGES
    assert "the oldest were skipped" in caplog.text


async def test_backoff_makes_the_next_poll_wait(
    source: StackExchangeSource, api: FakeStackExchange, clock: Clock
) -> None:
    api.add(question(1, NOW - 10))
    api.backoff = 30
    result = await source.fetch(se_feed(api.api_url), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["stackoverflow:1"]
    assert result.cursor["not_before"] == NOW + 30

    clock.now += timedelta(seconds=10)
    with pytest.raises(FeedError, match="pause") as caught:
        await source.fetch(se_feed(api.api_url), result.cursor, seeding=False)
    assert caught.value.retry_after == pytest.approx(20)
    assert len(api.requests()) == 1  # no request was sent during the backoff

    clock.now += timedelta(seconds=25)
    after = await source.fetch(se_feed(api.api_url), result.cursor, seeding=False)
    assert "not_before" not in after.cursor


async def test_backoff_with_more_pages_takes_nothing(source: StackExchangeSource, api: FakeStackExchange) -> None:
    api.add(question(1, NOW - 100_000))
    first = await source.fetch(se_feed(api.api_url), {}, seeding=True)
    api.add(*(question(100 + i, NOW - i) for i in range(PAGE_SIZE + 1)))
    api.backoff = 5
    with pytest.raises(FeedError) as caught:
        await source.fetch(se_feed(api.api_url), first.cursor, seeding=False)
    assert caught.value.retry_after == pytest.approx(5)


async def test_spent_quota_waits_for_midnight(
    source: StackExchangeSource, api: FakeStackExchange, caplog: pytest.LogCaptureFixture
) -> None:
    api.quota = 1
    api.add(question(1, NOW - 10))
    result = await source.fetch(se_feed(api.api_url), {}, seeding=False)
    assert result.cursor["not_before"] == int(datetime(2023, 12, 11, tzinfo=UTC).timestamp())
    assert "quota is spent" in caplog.text


async def test_error_bodies_are_clear(source: StackExchangeSource, server: FakeHttpServer) -> None:
    server.route("GET", f"{API}/questions", lambda r: error_reply(400, "bad_parameter", "tagged is invalid"))
    with pytest.raises(FeedError, match=r"refused a setting .*tagged is invalid"):
        await source.fetch(se_feed(server.url(API)), {}, seeding=False)

    throttled = "too many requests from this IP, more requests available in 82216 seconds"
    server.route("GET", f"{API}/questions", lambda r: error_reply(400, "throttle_violation", throttled, 502))
    with pytest.raises(FeedError, match="throttling") as caught:
        await source.fetch(se_feed(server.url(API)), {}, seeding=False)
    assert caught.value.retry_after == 82216


async def test_rejected_key_names_the_variable(http: SafeHttp, server: FakeHttpServer, clock: Clock) -> None:
    source = StackExchangeSource(http, {"STACKEXCHANGE_KEY": "secret-key"}, clock=clock)
    server.route("GET", f"{API}/questions", lambda r: error_reply(400, "key_invalid", "key is not valid", 405))
    with pytest.raises(FeedError, match="STACKEXCHANGE_KEY") as caught:
        await source.fetch(se_feed(server.url(API)), {}, seeding=False)
    assert "secret-key" not in str(caught.value)
    assert server.hits(f"{API}/questions")[0].param("key") == "secret-key"


async def test_429_with_retry_after(source: StackExchangeSource, server: FakeHttpServer) -> None:
    server.route("GET", f"{API}/questions", lambda r: Reply(429, "slow down", {"Retry-After": "120"}))
    with pytest.raises(FeedError, match="rate limit") as caught:
        await source.fetch(se_feed(server.url(API)), {}, seeding=False)
    assert caught.value.retry_after == 120


async def test_malformed_bodies(source: StackExchangeSource, server: FakeHttpServer) -> None:
    server.route("GET", f"{API}/questions", lambda r: Reply(200, "<html>maintenance</html>"))
    with pytest.raises(FeedError, match="not JSON"):
        await source.fetch(se_feed(server.url(API)), {}, seeding=False)
    server.route("GET", f"{API}/questions", lambda r: Reply(200, '{"quota_remaining": 5}'))
    with pytest.raises(FeedError, match='no "items"'):
        await source.fetch(se_feed(server.url(API)), {}, seeding=False)
    good = question(9, NOW - 5)
    broken = {"question_id": "x", "title": "no id"}
    server.route(
        "GET", f"{API}/questions", lambda r: Reply(200, f'{{"items": [{json.dumps(broken)}, {json.dumps(good)}]}}')
    )
    result = await source.fetch(se_feed(server.url(API)), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["stackoverflow:9"]


async def test_thread_reads_answers_best_first(source: StackExchangeSource, api: FakeStackExchange) -> None:
    api.add(question(7, NOW - 500, answers=2, score=3))
    api.answers[7] = [
        answer(71, 7, NOW - 400, body="<p>Try <code>kubectl describe</code>.</p>", score=1),
        answer(72, 7, NOW - 300, body="<p>Set the <b>target</b> to the workers.</p>", score=5),
    ]
    assert isinstance(source, ThreadSource)
    result = await source.fetch(se_feed(api.api_url), {}, seeding=False)
    thread = await source.thread(result.items[0], limit=50)
    assert [r.external_id for r in thread.replies] == ["stackoverflow:72", "stackoverflow:71"]
    assert thread.replies[0].text == "Set the target to the workers."
    assert thread.replies[0].author == "helper72"
    assert thread.replies[0].points == 5
    assert thread.reply_count == 2
    assert thread.conversation.points == 3


async def test_thread_of_a_deleted_question(source: StackExchangeSource, api: FakeStackExchange) -> None:
    api.add(question(8, NOW - 500))
    result = await source.fetch(se_feed(api.api_url), {}, seeding=False)
    api.delete(8)
    with pytest.raises(FeedError, match="gone"):
        await source.thread(result.items[0])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"site": "stack overflow"}, "not a Stack Exchange site"),
        ({"tagged": 5}, "tagged must be a list"),
        ({"tagged": ["a", "b", "c", "d", "e", "f"]}, "up to 5 tags"),
        ({"sitee": "serverfault"}, "unknown Stack Exchange option"),
    ],
)
def test_check_refuses_bad_settings(source: StackExchangeSource, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        source.check(se_feed("https://api.stackexchange.com/2.3", **options))
    assert "like" in str(caught.value)


def test_check_accepts_good_settings(source: StackExchangeSource) -> None:
    source.check(Feed(name="so", kind="stackexchange", every=timedelta(minutes=10)))
    source.check(se_feed("https://api.stackexchange.com/2.3", site="serverfault", tagged="nginx;tls", tags=["x"]))
