"""The YouTube source against a fake Data API v3 on 127.0.0.1: cursor, quota units, key errors, threads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources import usage
from earshot.adapters.sources.youtube.source import PACIFIC, YouTubeSource
from earshot.bot.domain import Feed
from earshot.bot.errors import ConfigError, FeedError
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.youtube import CHANNEL, KEY, FakeYouTube, comment, thread

NOW = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)  # 13:00 Pacific Time


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(server: FakeHttpServer) -> FakeYouTube:
    fake = FakeYouTube(server)
    fake.videos = ["vidNew00001", "vidOld00001"]
    return fake


@pytest.fixture
def source(http: SafeHttp, api: FakeYouTube, clock: Clock) -> YouTubeSource:
    return YouTubeSource(http, {"YOUTUBE_API_KEY": KEY, "YOUTUBE_API_URL": api.api_url}, clock=clock)


def yt_feed(url: str, query: str | None = None, **options: Any) -> Feed:
    options = {"channel": CHANNEL, "videos": 2, **options}
    return Feed(name="yt", kind="youtube", every=timedelta(minutes=30), url=url, query=query, options=options)


def at(minutes: int) -> str:
    return (NOW - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def add(api: FakeYouTube, video: str, comment_id: str, minutes: int, text: str, replies: int = 0) -> None:
    api.threads.setdefault(video, []).append(thread(comment(comment_id, video, at(minutes), text), replies))


async def test_first_poll_silent_new_comments_once_and_a_restart_repeats_nothing(
    http: SafeHttp, source: YouTubeSource, api: FakeYouTube, clock: Clock
) -> None:
    add(api, "vidNew00001", "Ugold1", 90, "old comment")
    add(api, "vidOld00001", "Ugold2", 80, "older video comment")
    feed = yt_feed(api.api_url)
    seeded = await source.fetch(feed, {}, seeding=True)
    add(api, "vidNew00001", "Ugnew1", 5, "Does it work with widgets?\nsecond line", replies=1)
    add(api, "vidOld00001", "Ugnew2", 3, "Thanks!")
    clock.now = NOW + timedelta(minutes=1)
    first = await source.fetch(feed, seeded.cursor, seeding=False)
    assert sorted(c.external_id for c in first.items) == ["Ugnew1", "Ugnew2"]
    item = next(c for c in first.items if c.external_id == "Ugnew1")
    assert item.url == "https://www.youtube.com/watch?v=vidNew00001&lc=Ugnew1"
    assert (item.title, item.untitled, item.kind, item.thread_size) == (
        "Does it work with widgets?",
        True,
        "comment",
        1,
    )
    stored = json.loads(json.dumps(first.cursor))
    restarted = YouTubeSource(http, {"YOUTUBE_API_KEY": KEY}, clock=clock)
    again = await restarted.fetch(feed, stored, seeding=False)
    assert again.items == []
    # Units: (1 playlist + 2 videos) a poll, three polls, on the same Pacific day.
    assert again.cursor["usage"] == {"day": "2026-12-07", "zone": "America/Los_Angeles", "quota_units": 9}
    assert again.usage == {"quota_units": 3}


def test_the_day_s_units_are_read_on_pacific_time_whatever_the_reader_s_clock() -> None:
    """`earshot status` reads the counts with a UTC clock: from midnight UTC to midnight Pacific (8 hours a day) the
    UTC date is the next day, and the Pacific day's units must still show, then none once that day is over."""
    cursor = {"usage": usage.stored({"quota_units": 9}, datetime(2026, 12, 7, 16, 30, tzinfo=UTC).astimezone(PACIFIC))}
    assert usage.today(cursor, datetime(2026, 12, 8, 0, 30, tzinfo=UTC)) == {"quota_units": 9}
    assert usage.today(cursor, datetime(2026, 12, 8, 7, 59, tzinfo=UTC)) == {"quota_units": 9}
    assert usage.today(cursor, datetime(2026, 12, 8, 8, 1, tzinfo=UTC)) == {}
    utc = {"usage": usage.stored({"requests": 3}, datetime(2026, 12, 7, 23, 59, tzinfo=UTC))}  # X counts in UTC
    assert utc["usage"] == {"day": "2026-12-07", "requests": 3}
    assert usage.today(utc, datetime(2026, 12, 7, 23, 59, 30, tzinfo=UTC)) == {"requests": 3}
    assert usage.today(utc, datetime(2026, 12, 8, 0, 0, 1, tzinfo=UTC)) == {}


async def test_quota_cap_pauses_before_the_poll_that_would_pass_it(
    source: YouTubeSource, api: FakeYouTube, clock: Clock
) -> None:
    feed = yt_feed(api.api_url, max_units_per_day=7)
    cursor = (await source.fetch(feed, {}, seeding=True)).cursor
    cursor = (await source.fetch(feed, cursor, seeding=False)).cursor  # 6 units spent; the next poll costs 3
    calls = len(api.server.requests)
    with pytest.raises(FeedError, match=r"daily cap reached: 6 quota units .*midnight Pacific Time") as e:
        await source.fetch(feed, cursor, seeding=False)
    assert e.value.retry_after == pytest.approx(11 * 3600)
    assert len(api.server.requests) == calls  # nothing spent while paused
    clock.now = NOW + timedelta(hours=11, minutes=1)  # a new Pacific day
    assert (await source.fetch(feed, cursor, seeding=False)).cursor["usage"]["quota_units"] == 3


async def test_a_search_costs_100_units_and_finds_new_videos(source: YouTubeSource, api: FakeYouTube) -> None:
    api.search_results = [
        {
            "kind": "youtube#searchResult",
            "etag": "e",
            "id": {"kind": "youtube#video", "videoId": "vidSearch01"},
            "snippet": {
                "publishedAt": at(2),
                "channelId": "UCo_q6aOlvPH7M-j_XGWVgXg",
                "title": "Widgets review",
                "description": "A review.",
                "channelTitle": "Reviewer",
                "liveBroadcastContent": "none",
            },
        }
    ]
    feed = yt_feed(api.api_url, query="widgets", search_videos=True)
    result = await source.fetch(feed, {"newest": int(NOW.timestamp()) - 3600, "recent_ids": []}, seeding=False)
    assert [c.external_id for c in result.items] == ["video:vidSearch01"]
    assert result.usage == {"quota_units": 103}
    assert api.calls("search")[0].param("order") == "date"


async def test_quota_exceeded_and_disabled_comments(source: YouTubeSource, api: FakeYouTube) -> None:
    api.disabled.add("vidOld00001")
    add(api, "vidNew00001", "Ug1", 5, "hello")
    feed = yt_feed(api.api_url)
    result = await source.fetch(feed, {"newest": int(NOW.timestamp()) - 3600, "recent_ids": []}, seeding=False)
    assert [c.external_id for c in result.items] == ["Ug1"]  # a video without comments is skipped
    api.quota = api.spent
    with pytest.raises(FeedError, match=r"daily quota is spent .quotaExceeded.*Pacific") as e:
        await source.fetch(feed, result.cursor, seeding=False)
    assert e.value.retry_after == pytest.approx(11 * 3600)
    # The refused request's unit counts (Google charges it): the cursor to keep says so, and nothing else changed.
    assert e.value.usage == {"quota_units": 1}
    assert e.value.cursor == {**result.cursor, "usage": {**result.cursor["usage"], "quota_units": 4}}


async def test_a_bad_or_missing_key_says_what_to_set(http: SafeHttp, api: FakeYouTube) -> None:
    wrong = YouTubeSource(http, {"YOUTUBE_API_KEY": "nope"})
    with pytest.raises(FeedError, match=r"keyInvalid.*YOUTUBE_API_KEY") as e:
        await wrong.fetch(yt_feed(api.api_url), {}, seeding=True)
    assert "nope" not in str(e.value)
    with pytest.raises(FeedError, match="set YOUTUBE_API_KEY"):
        await YouTubeSource(http, {}).fetch(yt_feed(api.api_url), {}, seeding=True)


async def test_a_comments_thread_is_its_replies(source: YouTubeSource, api: FakeYouTube) -> None:
    add(api, "vidNew00001", "Ugtop", 30, "Question?", replies=2)
    api.replies["Ugtop"] = [
        comment("Ugtop.r2", "vidNew00001", at(5), "second", parent="Ugtop", author="B"),
        comment("Ugtop.r1", "vidNew00001", at(10), "first", parent="Ugtop", author="A"),
    ]
    feed = yt_feed(api.api_url)
    item = (await source.fetch(feed, {"newest": int(NOW.timestamp()) - 3600, "recent_ids": []}, seeding=False)).items[0]
    found = await source.thread(item)
    assert [(r.external_id, r.author, r.parent_id) for r in found.replies] == [
        ("Ugtop.r1", "A", "Ugtop"),
        ("Ugtop.r2", "B", "Ugtop"),
    ]
    assert api.calls("comments")[0].param("parentId") == "Ugtop"
    assert found.usage == {"quota_units": 1}
    api.quota = api.spent
    with pytest.raises(FeedError, match="quotaExceeded") as e:
        await source.thread(item)
    assert (e.value.usage, e.value.cursor) == ({"quota_units": 1}, None)


def test_check_refuses_bad_settings(source: YouTubeSource) -> None:
    with pytest.raises(ConfigError, match="not a channel id"):
        source.check(yt_feed("https://x.example", channel="acme"))
    with pytest.raises(ConfigError, match="search_videos needs a query"):
        source.check(yt_feed("https://x.example", search_videos=True))
    with pytest.raises(ConfigError, match="videos must be a whole number from 1 to 20"):
        source.check(yt_feed("https://x.example", videos=50))


def test_feeds_add_target_is_a_channel_or_a_search() -> None:
    from earshot.adapters.sources.youtube.target import youtube_target

    assert youtube_target(CHANNEL, None).options == {"channel": CHANNEL}
    assert youtube_target(f"https://www.youtube.com/channel/{CHANNEL}", None).options == {"channel": CHANNEL}
    both = youtube_target(CHANNEL, "widgets")
    assert (both.query, both.options) == ("widgets", {"channel": CHANNEL, "search_videos": True})
    words = youtube_target("acme widgets", None)
    assert (words.query, words.options) == ("acme widgets", {"search_videos": True})
    with pytest.raises(ConfigError, match="not a channel address"):
        youtube_target("https://www.youtube.com/@acme", None)
