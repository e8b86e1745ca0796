"""The X source against a fake API v2 on 127.0.0.1: cursor, caps, rate limit, credentials, threads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.x.source import XSource
from earshot.bot.domain import Feed
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import ThreadSource
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.x import TOKEN, FakeX, post

NOW = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(server: FakeHttpServer) -> FakeX:
    return FakeX(server)


@pytest.fixture
def source(http: SafeHttp, api: FakeX, clock: Clock) -> XSource:
    return XSource(http, {"X_BEARER_TOKEN": TOKEN}, clock=clock, api_url=api.api_url)


def x_feed(url: str, query: str = "widgets", **options: Any) -> Feed:
    return Feed(name="x", kind="x", every=timedelta(minutes=30), url=url, query=query, options=options)


def at(minutes: int) -> str:
    return (NOW - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def test_first_poll_is_silent_then_new_posts_come_once_across_a_restart(
    http: SafeHttp, source: XSource, api: FakeX, clock: Clock
) -> None:
    api.add(post(1500, at(50), "old widgets post"), post(1501, at(40), "widgets again"))
    feed = x_feed(api.api_url)
    seeded = await source.fetch(feed, {}, seeding=True)
    assert seeded.cursor["since_id"] == "1501"
    assert api.searches()[-1].param("max_results") == "10"  # a seeding poll reads the fewest paid posts
    api.add(post(1502, at(5), "widgets are great", lang="de"), post(1503, at(4), "no match here"))
    first = await source.fetch(feed, seeded.cursor, seeding=False)
    assert [c.external_id for c in first.items] == ["1502"]
    assert api.searches()[-1].param("since_id") == "1501"
    item = first.items[0]
    assert item.url == "https://x.com/XDevelopers/status/1502"
    assert (item.author, item.language, item.untitled, item.kind) == ("XDevelopers", "de", True, "post")
    # A restart: a new source reads the stored cursor (JSON, as the store keeps it); nothing is repeated.
    stored = json.loads(json.dumps(first.cursor))
    restarted = XSource(http, {"X_BEARER_TOKEN": TOKEN}, clock=clock, api_url=api.api_url)
    again = await restarted.fetch(feed, stored, seeding=False)
    assert again.items == []
    api.add(post(1504, at(1), "widgets reply", replied_to=1502, conversation=1502, author="17200003"))
    later = await restarted.fetch(feed, again.cursor, seeding=False)
    assert [(c.external_id, c.kind, c.author) for c in later.items] == [("1504", "comment", "snowman")]


async def test_pages_with_next_token_and_counts_use(source: XSource, api: FakeX) -> None:
    api.add(post(10, at(60), "widgets zero"))
    feed = x_feed(api.api_url)
    seeded = await source.fetch(feed, {}, seeding=True)
    api.add(*(post(100 + i, at(30 - i // 10), f"widgets {i}") for i in range(150)))
    result = await source.fetch(feed, seeded.cursor, seeding=False)
    assert len(result.items) == 150
    assert [r.param("next_token") for r in api.searches()[1:]] == [None, "100"]
    assert result.usage == {"requests": 2, "posts": 150}
    assert result.cursor["usage"] == {"day": "2026-12-07", "requests": 3, "posts": 151}
    assert result.cursor["since_id"] == "249"


async def test_a_poll_failing_midway_still_counts_what_it_spent(source: XSource, api: FakeX) -> None:
    api.add(post(10, at(60), "widgets zero"))
    feed = x_feed(api.api_url)
    seeded = await source.fetch(feed, {}, seeding=True)
    api.add(*(post(100 + i, at(30 - i // 10), f"widgets {i}") for i in range(150)))
    api.failing_from = 3  # the second page of the next poll
    with pytest.raises(FeedError, match="503") as e:
        await source.fetch(feed, seeded.cursor, seeding=False)
    assert e.value.usage == {"requests": 2, "posts": 100}
    # The cursor to keep: where it was, with the day's counts of both polls (the failed request counts too).
    assert e.value.cursor == {"since_id": "10", "usage": {"day": "2026-12-07", "posts": 101, "requests": 3}}
    # Nothing spent, nothing to keep: a refusal before the first request.
    with pytest.raises(FeedError) as refused:
        await source.fetch(x_feed(api.api_url, max_requests_per_day=3), e.value.cursor, seeding=False)
    assert (refused.value.usage, refused.value.cursor) == ({}, None)


async def test_daily_cap_pauses_until_midnight_and_a_new_day_resumes(source: XSource, api: FakeX, clock: Clock) -> None:
    api.add(post(10, at(60), "widgets zero"))
    feed = x_feed(api.api_url, max_requests_per_day=2)
    cursor = (await source.fetch(feed, {}, seeding=True)).cursor
    cursor = (await source.fetch(feed, cursor, seeding=False)).cursor
    sent = len(api.searches())
    with pytest.raises(FeedError, match=r"daily cap reached: 2 requests .*max_requests_per_day.*midnight UTC") as e:
        await source.fetch(feed, cursor, seeding=False)
    assert e.value.retry_after == pytest.approx(3 * 3600)
    assert len(api.searches()) == sent  # nothing is spent while paused
    clock.now = NOW + timedelta(hours=3, minutes=1)
    resumed = await source.fetch(feed, cursor, seeding=False)
    assert resumed.cursor["usage"] == {"day": "2026-12-08", "requests": 1, "posts": 0}
    posts_cap = x_feed(api.api_url, max_posts_per_day=1)
    with pytest.raises(FeedError, match="1 posts read today"):
        await source.fetch(posts_cap, {"usage": {"day": "2026-12-08", "requests": 1, "posts": 1}}, seeding=False)


async def test_rate_limit_waits_for_the_reset_header(source: XSource, api: FakeX) -> None:
    api.limited_until = int(NOW.timestamp()) + 420
    with pytest.raises(FeedError, match="rate limit") as e:
        await source.fetch(x_feed(api.api_url), {"since_id": "5"}, seeding=False)
    assert e.value.retry_after == pytest.approx(420)


async def test_a_failing_or_missing_token_says_what_to_set(http: SafeHttp, api: FakeX) -> None:
    wrong = XSource(http, {"X_BEARER_TOKEN": "nope"}, api_url=api.api_url)
    with pytest.raises(FeedError, match="X_BEARER_TOKEN") as e:
        await wrong.fetch(x_feed(api.api_url), {}, seeding=True)
    assert "nope" not in str(e.value)
    missing = XSource(http, {}, api_url=api.api_url)
    with pytest.raises(FeedError, match="set X_BEARER_TOKEN"):
        await missing.fetch(x_feed(api.api_url), {}, seeding=True)
    assert len(api.searches()) == 1  # without a token nothing is sent


async def test_thread_is_the_conversation(source: XSource, api: FakeX) -> None:
    api.add(
        post(2000, at(30), "Which widgets do you use?", replies=2),
        post(2001, at(20), "@XDevelopers acme ones", replied_to=2000, conversation=2000, author="17200003"),
        post(2002, at(10), "@snowman same", replied_to=2001, conversation=2000),
        post(2003, at(5), "another conversation"),
    )
    feed = x_feed(api.api_url, query="widgets")
    item = (await source.fetch(feed, {"since_id": "1999"}, seeding=False)).items[0]
    assert isinstance(source, ThreadSource)
    thread = await source.thread(item)
    assert thread.conversation.thread_size == 2
    assert [(r.external_id, r.parent_id, r.author) for r in thread.replies] == [
        ("2001", "2000", "snowman"),
        ("2002", "2001", "XDevelopers"),
    ]
    assert api.searches()[-1].param("query") == "conversation_id:2000"
    assert thread.usage == {"requests": 2, "posts": 4}  # the post, then the search that found it and two replies
    # A reply's thread is its whole conversation too.
    reply = (await source.thread(thread.conversation)).conversation
    assert reply.external_id == "2000"


async def test_a_thread_read_failing_midway_says_what_it_spent(source: XSource, api: FakeX) -> None:
    api.add(post(2000, at(30), "Which widgets do you use?", replies=2))
    item = (await source.fetch(x_feed(api.api_url), {"since_id": "1999"}, seeding=False)).items[0]
    api.failing_from = 2  # the conversation search
    with pytest.raises(FeedError, match="503") as e:
        await source.thread(item)
    assert (e.value.usage, e.value.cursor) == ({"requests": 2, "posts": 1}, None)


def test_check_refuses_bad_settings(source: XSource) -> None:
    with pytest.raises(ConfigError, match="needs a query"):
        source.check(x_feed("https://api.x.com/2", query=""))
    with pytest.raises(ConfigError, match="max_posts_per_day must be a whole number"):
        source.check(x_feed("https://api.x.com/2", max_posts_per_day=0))
    with pytest.raises(ConfigError, match="unknown X option"):
        source.check(x_feed("https://api.x.com/2", cap=3))


def snowflake(when: datetime, sequence: int = 0) -> int:
    """A post id as X makes them: milliseconds since X's epoch in the upper bits."""
    return ((int(when.timestamp() * 1000) - 1_288_834_974_657) << 22) + sequence


async def test_a_quiet_query_past_search_reach_asks_without_since_id(source: XSource, api: FakeX) -> None:
    old = snowflake(NOW - timedelta(days=8))
    new = snowflake(NOW - timedelta(minutes=3))
    api.add(post(new, at(3), "widgets after a quiet week"))
    result = await source.fetch(x_feed(api.api_url), {"since_id": str(old)}, seeding=False)
    assert api.searches()[-1].param("since_id") is None  # X refuses a since_id older than 7 days
    assert [c.external_id for c in result.items] == [str(new)]
    assert result.cursor["since_id"] == str(new)
    await source.fetch(x_feed(api.api_url), result.cursor, seeding=False)
    assert api.searches()[-1].param("since_id") == str(new)
