"""The Hacker News source against a fake Algolia search API on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.hackernews.source import MAX_PAGES, OVERLAP_SECONDS, HackerNewsSource
from earshot.bot.domain import Feed
from earshot.bot.errors import ConfigError, FeedError
from tests.fakes.algolia import PATH, FakeAlgolia, firebase_item, hit_from_item
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fixtures import shared_path

NOW = 1_700_000_000

GUIDE = firebase_item("story_field_guide")
PARKS = firebase_item("story_parks")
PARKS_COMMENT = firebase_item("comment_parks")
PARKS_REPLY = firebase_item("comment_parks_reply")
ASK = firebase_item("ask_on_call")
SHOW = firebase_item("show_sqlite_page")
VACUUM = firebase_item("story_vacuum")
THANKS = firebase_item("comment_thanks")
STORIES = [GUIDE, PARKS, ASK, SHOW, VACUUM]


@pytest.fixture
def algolia(server: FakeHttpServer) -> FakeAlgolia:
    return FakeAlgolia(server)


@pytest.fixture
def source(http: SafeHttp) -> HackerNewsSource:
    return HackerNewsSource(http, clock=lambda: datetime.fromtimestamp(NOW, UTC))


def hn_feed(url: str, **options: Any) -> Feed:
    return Feed(name="hn", kind="hackernews", every=timedelta(minutes=5), url=url, options=options)


def bulk(count: int) -> list[dict[str, Any]]:
    """``count`` hits one second apart, newest at NOW, cloned from the stories above under fresh ids."""
    hits = []
    for i in range(count):
        hit = hit_from_item(STORIES[i % len(STORIES)], at=NOW - i)
        hit["objectID"] = str(40_000_000 + i)
        hits.append(hit)
    return hits


async def test_maps_stories_and_comments(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    algolia.add(
        hit_from_item(PARKS, at=NOW - 1000),
        hit_from_item(PARKS_COMMENT, at=NOW - 900, story=PARKS),
        hit_from_item(ASK, at=NOW - 100),
    )
    result = await source.fetch(hn_feed(algolia.base_url), {}, seeding=False)

    ask, comment, story = result.items  # newest first
    assert story.source == "hackernews"
    assert story.external_id == "38125507"
    assert story.url == "https://news.ycombinator.com/item?id=38125507"
    assert story.link == "https://www.citylab.example.com/2023/10/28/parking-lots-to-parks.html"
    assert story.title == PARKS["title"]
    assert story.author == "tamsin"
    assert story.points == 34
    assert story.thread_size == 3
    assert story.kind == "post"
    assert story.community is None
    assert story.created_at == datetime.fromtimestamp(NOW - 1000, UTC)

    assert comment.kind == "comment"
    assert comment.title == f"Re: {PARKS['title']}"
    assert comment.link is None
    assert comment.author == "oskarv"
    assert comment.text.startswith("I find it telling which cities publish")

    assert ask.link is None
    assert ask.title == "Ask HN: Keeping on-call sane on a small team"
    assert ask.text.startswith("Small teams edition\n\nWe are five engineers")
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
        hit_from_item(PARKS, at=NOW - 1000),
        hit_from_item(PARKS_COMMENT, at=NOW - 900, story=PARKS),
        hit_from_item(GUIDE, at=NOW - 500),
        hit_from_item(ASK, at=NOW - 300),
        hit_from_item(THANKS, at=NOW - 100),
    )
    first = await source.fetch(feed, {}, seeding=False)
    assert [i.external_id for i in first.items] == ["38099120", "38130044", "38120311", "38125690", "38125507"]
    assert first.cursor == {"newest": NOW - 100, "recent_ids": ["38099120", "38130044"]}

    clock.advance(timedelta(minutes=1))
    algolia.add(
        hit_from_item(SHOW, at=NOW + 50),  # new
        hit_from_item(PARKS_REPLY, at=NOW - 200, story=PARKS),  # indexed late, older than the newest seen
        hit_from_item(VACUUM, at=NOW - 1000),  # indexed later than the overlap covers: out of reach
    )
    second = await source.fetch(feed, first.cursor, seeding=False)
    # 38130044 (NOW - 300) was seen again but is now older than the new newest minus the overlap: dropped.
    assert algolia.requests[-1].param("numericFilters") == f"created_at_i>{NOW - 100 - OVERLAP_SECONDS}"
    assert [i.external_id for i in second.items] == ["38131777", "38125822"]
    assert second.items[1].title == f"Re: {PARKS['title']}"
    assert second.cursor == {"newest": NOW + 50, "recent_ids": ["38131777", "38099120", "38125822"]}

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
    with caplog.at_level(logging.WARNING, logger="earshot.adapters.sources.hackernews"):
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
    # 38130044 (NOW - 300) was seen again but is now older than the new newest minus the overlap: dropped.
    assert second.items == []
    filters = [r.param("numericFilters") for r in algolia.requests]
    assert filters == [f"created_at_i>{NOW - 3600}"] * 2


async def test_query_and_tags_are_sent(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    algolia.add(hit_from_item(ASK, at=NOW - 10), hit_from_item(THANKS, at=NOW - 5))
    feed = Feed(
        name="hn",
        kind="hackernews",
        every=timedelta(minutes=5),
        url=algolia.base_url + "/",
        query="on-call sane",
        options={"tags": ["ask_hn"]},
    )
    result = await source.fetch(feed, {}, seeding=False)
    assert [i.external_id for i in result.items] == ["38130044"]
    assert algolia.requests[0].param("query") == "on-call sane"
    assert algolia.requests[0].param("tags") == "ask_hn"


async def test_skips_hits_without_id_or_time(source: HackerNewsSource, algolia: FakeAlgolia) -> None:
    no_id = hit_from_item(GUIDE, at=NOW - 30)
    del no_id["objectID"]
    deleted = hit_from_item(THANKS, at=NOW - 20)
    deleted["comment_text"] = None
    deleted["author"] = None
    algolia.add(no_id, deleted, hit_from_item(ASK, at=NOW - 10))
    algolia.hits.append({**hit_from_item(SHOW, at=NOW), "created_at_i": None})
    result = await source.fetch(hn_feed(algolia.base_url), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["38130044", "38099120"]
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


async def test_conformance_hits_of_the_recorded_firebase_items_map_like_ours(
    source: HackerNewsSource, algolia: FakeAlgolia
) -> None:
    folder = shared_path("fixtures", "hackernews")
    story, comment, ask = (
        json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        for name in (
            "hackeRnews_firebase_item_21500569",
            "hackeRnews_firebase_item_21500829",
            "firebase_item_ask_121003",
        )
    )
    algolia.add(
        hit_from_item(story, at=NOW - 300),
        hit_from_item(comment, at=NOW - 200, story=story),
        hit_from_item(ask, at=NOW - 100),
    )

    result = await source.fetch(hn_feed(algolia.base_url), {}, seeding=False)

    assert [(i.external_id, i.kind, i.author) for i in result.items] == [
        (str(ask["id"]), "post", ask["by"]),
        (str(comment["id"]), "comment", comment["by"]),
        (str(story["id"]), "post", story["by"]),
    ]
    assert result.items[1].title == f"Re: {story['title']}"
    assert result.items[2].link == story["url"] and result.items[2].points == story["score"]
    assert result.items[0].text and "<p>" not in result.items[0].text and "<i>" not in result.items[0].text
