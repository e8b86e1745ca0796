"""The Hacker News source against a fake Algolia search API on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.http import SafeHttp
from adapters.sources.hackernews import MAX_PAGES, OVERLAP_SECONDS, HackerNewsSource
from bot.domain import Feed
from bot.errors import ConfigError, FeedError
from tests.fakes.algolia import PATH, FakeAlgolia, firebase_item, hit_from_item
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer, Reply

NOW = 1_700_000_000

SICP = firebase_item("hackeRnews_firebase_item_21299546")
CHILE = firebase_item("hackeRnews_firebase_item_21500569")
CHILE_COMMENT = firebase_item("hackeRnews_firebase_item_21500829")
CHILE_REPLY = firebase_item("hackeRnews_firebase_item_21500985")
ASK = firebase_item("firebase_item_ask_121003")
DROPBOX = firebase_item("firebase_item_story_8863")
DOUBLE_SLIT = firebase_item("hackeRnews_firebase_item_21352239")
NORVIG = firebase_item("firebase_item_comment_2921983")
STORIES = [SICP, CHILE, ASK, DROPBOX, DOUBLE_SLIT]


@pytest.fixture
def algolia(server: FakeHttpServer) -> FakeAlgolia:
    return FakeAlgolia(server)


@pytest.fixture
def source(http: SafeHttp) -> HackerNewsSource:
    return HackerNewsSource(http, clock=lambda: datetime.fromtimestamp(NOW, UTC))


def hn_feed(url: str, **options: Any) -> Feed:
    return Feed(name="hn", kind="hackernews", every=timedelta(minutes=5), url=url, options=options)


def bulk(count: int) -> list[dict[str, Any]]:
    """``count`` hits one second apart, newest at NOW, cloned from the recorded stories under fresh ids."""
    hits = []
    for i in range(count):
        hit = hit_from_item(STORIES[i % len(STORIES)], at=NOW - i)
        hit["objectID"] = str(40_000_000 + i)
        hits.append(hit)
    return hits


async def test_maps_stories_and_comments(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    algolia.add(
        hit_from_item(CHILE, at=NOW - 1000),
        hit_from_item(CHILE_COMMENT, at=NOW - 900, story=CHILE),
        hit_from_item(ASK, at=NOW - 100),
    )
    result = await source.fetch(hn_feed(algolia.base_url), {}, seeding=False)

    ask, comment, story = result.items  # newest first
    assert story.source == "hackernews"
    assert story.external_id == "21500569"
    assert story.url == "https://news.ycombinator.com/item?id=21500569"
    assert story.link == "https://www.nytimes.com/video/world/americas/100000006795557/chile-protesters-shot-eye.html"
    assert story.title == CHILE["title"]
    assert story.author == "xaro"
    assert story.points == 21
    assert story.thread_size == 3
    assert story.kind == "post"
    assert story.community is None
    assert story.created_at == datetime.fromtimestamp(NOW - 1000, UTC)

    assert comment.kind == "comment"
    assert comment.title == f"Re: {CHILE['title']}"
    assert comment.link is None
    assert comment.author == "vanniv"
    assert comment.text.startswith("I find it fascinating which instances of governments")

    assert ask.link is None
    assert ask.title == "Ask HN: The Arc Effect"
    assert ask.text.startswith("or HN: the Next Iteration\n\nI get the impression")
    assert "<p>" not in ask.text

    request = algolia.requests[0]
    assert request.param("tags") == "(story,comment)"
    assert request.param("numericFilters") == f"created_at_i>{NOW - 3600}"
    assert request.param("page") == "0"
    assert request.param("hitsPerPage") == "100"
    assert request.param("query", "") == ""  # sent empty; the fake's parse_qs drops blank values


async def test_cursor_tolerates_late_indexing(http: SafeHttp, algolia: FakeAlgolia) -> None:
    clock = Clock(datetime.fromtimestamp(NOW, UTC))
    source = HackerNewsSource(http, clock=clock)
    feed = hn_feed(algolia.base_url)
    algolia.add(
        hit_from_item(CHILE, at=NOW - 1000),
        hit_from_item(CHILE_COMMENT, at=NOW - 900, story=CHILE),
        hit_from_item(SICP, at=NOW - 500),
        hit_from_item(ASK, at=NOW - 300),
        hit_from_item(NORVIG, at=NOW - 100),
    )
    first = await source.fetch(feed, {}, seeding=False)
    assert [i.external_id for i in first.items] == ["2921983", "121003", "21299546", "21500829", "21500569"]
    assert first.cursor == {"newest": NOW - 100, "recent_ids": ["2921983", "121003"]}

    clock.advance(timedelta(minutes=1))
    algolia.add(
        hit_from_item(DROPBOX, at=NOW + 50),  # new
        hit_from_item(CHILE_REPLY, at=NOW - 200, story=CHILE),  # indexed late, older than the newest seen
        hit_from_item(DOUBLE_SLIT, at=NOW - 1000),  # indexed later than the overlap covers: out of reach
    )
    second = await source.fetch(feed, first.cursor, seeding=False)
    # 121003 (NOW - 300) was seen again but is now older than the new newest minus the overlap: dropped.
    assert algolia.requests[-1].param("numericFilters") == f"created_at_i>{NOW - 100 - OVERLAP_SECONDS}"
    assert [i.external_id for i in second.items] == ["8863", "21500985"]
    assert second.items[1].title == f"Re: {CHILE['title']}"
    assert second.cursor == {"newest": NOW + 50, "recent_ids": ["8863", "2921983", "21500985"]}

    third = await source.fetch(feed, second.cursor, seeding=False)
    assert third.items == []
    assert third.cursor == second.cursor


async def test_paginates_until_a_short_page(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    algolia.add(*bulk(250))
    result = await source.fetch(hn_feed(algolia.base_url), {"newest": NOW - 1000, "recent_ids": []}, seeding=False)
    assert [r.param("page") for r in algolia.requests] == ["0", "1", "2"]
    assert len(result.items) == 250
    assert len({i.external_id for i in result.items}) == 250
    assert result.cursor["newest"] == NOW
    assert len(result.cursor["recent_ids"]) == 250  # all within the overlap of the newest


async def test_stops_at_nb_pages_when_the_last_page_is_full(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    algolia.add(*bulk(200))
    result = await source.fetch(hn_feed(algolia.base_url), {"newest": NOW - 1000}, seeding=False)
    assert [r.param("page") for r in algolia.requests] == ["0", "1"]
    assert len(result.items) == 200


async def test_page_cap_stops_and_warns(
    source: HackerNewsSource, algolia: FakeAlgolia, caplog: pytest.LogCaptureFixture
) -> None:
    algolia.add(*bulk(1500))
    with caplog.at_level(logging.WARNING, logger="adapters.sources.hackernews"):
        result = await source.fetch(hn_feed(algolia.base_url), {"newest": NOW - 2000}, seeding=False)
    assert [r.param("page") for r in algolia.requests] == [str(p) for p in range(MAX_PAGES)]
    assert len(result.items) == MAX_PAGES * 100
    assert result.cursor["newest"] == NOW
    assert len(result.cursor["recent_ids"]) <= 1000
    assert any("more than 10 pages" in r.getMessage() for r in caplog.records)


async def test_seeding_fetches_one_page(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    algolia.add(*bulk(250))
    result = await source.fetch(hn_feed(algolia.base_url), {}, seeding=True)
    assert len(algolia.requests) == 1
    assert len(result.items) == 100
    assert result.cursor["newest"] == NOW


async def test_empty_first_poll_keeps_its_window(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    feed = hn_feed(algolia.base_url)
    first = await source.fetch(feed, {}, seeding=True)
    assert first.items == []
    second = await source.fetch(feed, first.cursor, seeding=False)
    # 121003 (NOW - 300) was seen again but is now older than the new newest minus the overlap: dropped.
    assert second.items == []
    filters = [r.param("numericFilters") for r in algolia.requests]
    assert filters == [f"created_at_i>{NOW - 3600}"] * 2


async def test_query_and_tags_are_sent(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    algolia.add(hit_from_item(ASK, at=NOW - 10), hit_from_item(NORVIG, at=NOW - 5))
    feed = Feed(
        name="hn",
        kind="hackernews",
        every=timedelta(minutes=5),
        url=algolia.base_url + "/",
        query="arc effect",
        options={"tags": ["ask_hn"]},
    )
    result = await source.fetch(feed, {}, seeding=False)
    assert [i.external_id for i in result.items] == ["121003"]
    assert algolia.requests[0].param("query") == "arc effect"
    assert algolia.requests[0].param("tags") == "ask_hn"


async def test_skips_hits_without_id_or_time(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    no_id = hit_from_item(SICP, at=NOW - 30)
    del no_id["objectID"]
    deleted = hit_from_item(NORVIG, at=NOW - 20)
    deleted["comment_text"] = None
    deleted["author"] = None
    algolia.add(no_id, deleted, hit_from_item(ASK, at=NOW - 10))
    algolia.hits.append({**hit_from_item(DROPBOX, at=NOW), "created_at_i": None})
    result = await source.fetch(hn_feed(algolia.base_url), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["121003", "2921983"]
    assert result.items[1].text == ""
    assert result.items[1].author is None
    assert result.items[1].title == "Re: a Hacker News story"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(429, "slow down", {"Retry-After": "120"}), "HTTP 429"),
        (Reply(500, "oops"), "HTTP 500"),
        (Reply(200, "<html>not json</html>"), "not a search result: the body is not JSON"),
        (Reply(200, '{"message": "ok"}'), 'not a search result: it has no "hits" list'),
        (Reply(200, '[{"hits": []}]'), 'not a search result: it has no "hits" list'),
        (Reply(200, '{"hits": {"0": 1}}'), 'not a search result: it has no "hits" list'),
    ],
)
async def test_errors_are_feed_errors(
    source: HackerNewsSource, server: FakeHttpServer, reply: Reply, message: str
) -> None:
    server.route("GET", PATH, lambda request: reply)
    with pytest.raises(FeedError) as info:
        await source.fetch(hn_feed(server.url("/api/v1")), {}, seeding=False)
    assert message in str(info.value)
    assert info.value.retry_after == (120 if reply.status == 429 else None)


async def test_a_hit_that_is_not_an_object_is_ignored(source: HackerNewsSource, server: FakeHttpServer) -> None:
    body = '{"hits": ["junk", 3, {"objectID": "1", "created_at_i": 1700000000, "title": "ok", "_tags": ["story"]}]}'
    server.route("GET", PATH, lambda request: Reply(200, body))
    result = await source.fetch(hn_feed(server.url("/api/v1")), {}, seeding=False)
    assert [i.title for i in result.items] == ["ok"]


async def test_a_bad_cursor_is_treated_as_none(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    await source.fetch(hn_feed(algolia.base_url), {"newest": "soon", "recent_ids": "x"}, seeding=False)
    assert algolia.requests[0].param("numericFilters") == f"created_at_i>{NOW - 3600}"


@pytest.mark.parametrize(
    "options",
    [{}, {"tags": ["story"]}, {"tags": ["ask_hn", "show_hn"]}, {"tags": "comment"}],
)
def test_check_accepts_known_tags(source: HackerNewsSource, options: dict[str, Any]) -> None:
    source.check(hn_feed("https://hn.algolia.com/api/v1", **options))
    source.check(Feed(name="hn", kind="hackernews", every=timedelta(minutes=5), options=options))


@pytest.mark.parametrize(
    ("options", "url", "message"),
    [
        ({"tags": ["story", "poll"]}, None, "unknown Hacker News tag(s) 'poll'; use any of story, comment"),
        ({"tags": []}, None, "tags must be a list"),
        ({"tags": 3}, None, "tags must be a list"),
        ({}, "ftp://hn.example/api", "must start with http:// or https://"),
        ({}, "https://", "has no host"),
    ],
)
def test_check_rejects_bad_config(
    source: HackerNewsSource, options: dict[str, Any], url: str | None, message: str
) -> None:
    feed = Feed(name="hn", kind="hackernews", every=timedelta(minutes=5), url=url, options=options)
    with pytest.raises(ConfigError) as info:
        source.check(feed)
    assert message in str(info.value)
    assert "'hn'" in str(info.value)


async def test_fetch_with_bad_config_is_a_feed_error(source: HackerNewsSource) -> None:
    feed = hn_feed("https://hn.algolia.com/api/v1", tags=["jobs"])
    with pytest.raises(FeedError, match="unknown Hacker News tag"):
        await source.fetch(feed, {}, seeding=False)
