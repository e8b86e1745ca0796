"""An item dated in the future (year 9999, or a year ahead: an API bug or a hostile poster's client) must not stop
a time-window source: every source whose cursor is a time, polled twice through its real fetch path against a
local server that filters by the "since" it is sent, like the real API."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources import (
    BlueskySource,
    DiscourseSource,
    GitHubSource,
    HackerNewsSource,
    LobstersSource,
    StackExchangeSource,
)
from earshot.bot.domain import Feed, FetchResult
from tests.adapters.sources import payloads as p
from tests.adapters.sources import payloads_more as q
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer, Reply, Request

NOW = datetime(2023, 11, 15, tzinfo=UTC)
T0 = int(NOW.timestamp())
YEAR_9999 = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())
A_YEAR_AHEAD = T0 + 365 * 86400
JSON = {"Content-Type": "application/json; charset=utf-8"}
EVERY = timedelta(minutes=5)

Make = Callable[[SafeHttp, FakeHttpServer, Clock], Any]


def iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def feed(kind: str, url: str | None = None, query: str | None = None, **options: Any) -> Feed:
    return Feed(name=f"{kind}-feed", kind=kind, every=EVERY, url=url, query=query, options=options)


def _hn(n: int, t: int) -> dict[str, Any]:
    return {**p.hn_hit(n), "created_at_i": t, "created_at": iso(t)}


def _hn_newer(request: Request, raw: dict[str, Any]) -> bool:
    since = (request.param("numericFilters") or "").removeprefix("created_at_i>")
    return raw["created_at_i"] > int(since)


def _se(n: int, t: int) -> dict[str, Any]:
    return {**p.se_question(n), "creation_date": t, "last_activity_date": t}


def _se_newer(request: Request, raw: dict[str, Any]) -> bool:
    return raw["creation_date"] >= int(request.param("fromdate") or 0)


def _bluesky(n: int, t: int) -> dict[str, Any]:
    post = q.bluesky_post(n)
    # Search sorts by the earlier of createdAt and indexedAt: both wrong (an API bug) is what moves the cursor.
    return {**post, "record": {**post["record"], "createdAt": iso(t)}, "indexedAt": iso(t)}


def _bluesky_newer(request: Request, raw: dict[str, Any]) -> bool:
    since = request.param("since")
    return since is None or raw["indexedAt"] >= since


@dataclass(frozen=True)
class Listing:
    """A time-window listing: how to make its source, its feed and its items, and where its page is served."""

    name: str
    make: Make
    feed: Callable[[FakeHttpServer], Feed]
    path: str
    item: Callable[[int, int], dict[str, Any]]  # (n, creation time) -> a raw item
    page: Callable[[list[dict[str, Any]]], Any]  # raw items -> the body
    stale: Callable[[dict[str, Any]], dict[str, Any]] = lambda window: window  # a stored window, in its cursor
    newer: Callable[[Request, dict[str, Any]], bool] = lambda request, raw: True  # the API's own "since"
    method: str = "GET"
    fixed: dict[str, Any] = field(default_factory=dict)


LISTINGS = [
    Listing(
        "hackernews",
        lambda http, srv, clock: HackerNewsSource(http, clock=clock),
        lambda srv: feed("hackernews", srv.url("/api/v1")),
        "/api/v1/search_by_date",
        _hn,
        lambda hits: {"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1, "hitsPerPage": 100},
        newer=_hn_newer,
    ),
    Listing(
        "stackexchange",
        lambda http, srv, clock: StackExchangeSource(http, {}, clock=clock, api_url=srv.url("/2.3")),
        lambda srv: feed("stackexchange", srv.url("/2.3"), tagged="kubernetes"),
        "/2.3/questions",
        _se,
        lambda items: {"items": items, "has_more": False, "quota_max": 300, "quota_remaining": 290},
        newer=_se_newer,
    ),
    Listing(
        "github issues",
        lambda http, srv, clock: GitHubSource(http, {"GITHUB_API_URL": srv.url("")}, clock=clock),
        lambda srv: feed("github", srv.url(""), "repo:octo/widgets"),
        "/search/issues",
        lambda n, t: {**p.gh_issue(n), "created_at": iso(t)},
        lambda items: {"total_count": len(items), "incomplete_results": False, "items": items},
    ),
    Listing(
        "github discussions",
        lambda http, srv, clock: GitHubSource(
            http, {"GITHUB_API_URL": srv.url(""), "GITHUB_TOKEN": "ghp_test"}, clock=clock
        ),
        lambda srv: feed("github", srv.url(""), "repo:octo/widgets", discussions=True),
        "/graphql",
        lambda n, t: {**p.gh_discussion(n), "createdAt": iso(t)},
        lambda nodes: {"data": {"search": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": nodes}}},
        method="POST",
        fixed={"/search/issues": {"total_count": 0, "incomplete_results": False, "items": []}},
    ),
    Listing(
        "discourse topics",
        lambda http, srv, clock: DiscourseSource(http, {}, clock=clock),
        lambda srv: feed("discourse", srv.url("")),
        "/latest.json",
        lambda n, t: {**p.discourse_topic(n), "created_at": iso(t)},
        p.discourse_page,
    ),
    Listing(
        "lobsters stories",
        lambda http, srv, clock: LobstersSource(http, clock=clock, base_url=srv.url("")),
        lambda srv: feed("lobsters", srv.url("")),
        "/newest.json",
        lambda n, t: {**q.lobsters_story(n), "created_at": iso(t)},
        list,
        fixed={"/newest/page/2.json": []},
    ),
    Listing(
        "lobsters comments",
        lambda http, srv, clock: LobstersSource(http, clock=clock, base_url=srv.url("")),
        lambda srv: feed("lobsters", srv.url(""), include=["comments"]),
        "/comments.json",
        lambda n, t: {**q.lobsters_comment(n), "created_at": iso(t)},
        list,
        stale=lambda window: {"comments": window},
        fixed={"/comments/page/2.json": []},
    ),
    Listing(
        "bluesky",
        lambda http, srv, clock: BlueskySource(http, {}, clock=clock, public_url=srv.url("")),
        lambda srv: feed("bluesky", query="rust"),
        "/xrpc/app.bsky.feed.searchPosts",
        _bluesky,
        lambda posts: {"posts": posts},
        stale=lambda window: {"newest": iso(window["newest"]), "recent": window["recent_ids"]},
        newer=_bluesky_newer,
    ),
]


class Site:
    """The listing's page on the local server: the raw items served, filtered by the "since" each request sends."""

    def __init__(self, listing: Listing, server: FakeHttpServer) -> None:
        self.listing = listing
        self.dated: list[tuple[int, dict[str, Any]]] = []
        server.route(listing.method, listing.path, self._answer)
        for path, body in listing.fixed.items():
            server.route("GET", path, lambda request, body=body: Reply(200, json.dumps(body), JSON))

    def add(self, *dated: tuple[int, int]) -> None:
        """Items ``(n, creation time)``, served newest first."""
        self.dated += [(t, self.listing.item(n, t)) for n, t in dated]
        self.dated.sort(key=lambda pair: -pair[0])

    def _answer(self, request: Request) -> Reply:
        kept = [raw for _, raw in self.dated if self.listing.newer(request, raw)]
        return Reply(200, json.dumps(self.listing.page(kept)), JSON)


def times(result: FetchResult) -> list[int]:
    return [int(item.created_at.timestamp()) for item in result.items if item.created_at is not None]


@pytest.mark.parametrize("listing", LISTINGS, ids=[listing.name for listing in LISTINGS])
async def test_an_item_dated_in_the_future_does_not_hide_the_items_posted_after_it(
    listing: Listing, server: FakeHttpServer, http: SafeHttp
) -> None:
    clock = Clock(NOW)
    site = Site(listing, server)
    source = listing.make(http, server, clock)
    site.add((1, YEAR_9999), (2, A_YEAR_AHEAD), (3, T0 - 600), (4, T0 - 7200))
    first = await source.fetch(listing.feed(server), {}, seeding=False)

    clock.advance(timedelta(minutes=10))
    site.add((5, T0 + 300))  # posted between the two polls
    second = await source.fetch(listing.feed(server), first.cursor, seeding=False)
    assert times(second) == [T0 + 300]  # the new item, and the future-dated ones are not repeated

    clock.advance(timedelta(minutes=10))
    site.add((6, T0 + 900))
    third = await source.fetch(listing.feed(server), second.cursor, seeding=False)
    assert times(third) == [T0 + 900]


@pytest.mark.parametrize("listing", LISTINGS, ids=[listing.name for listing in LISTINGS])
async def test_a_stored_cursor_with_a_future_newest_heals_on_the_next_poll(
    listing: Listing, server: FakeHttpServer, http: SafeHttp
) -> None:
    clock = Clock(NOW)
    site = Site(listing, server)
    source = listing.make(http, server, clock)
    site.add((5, T0 - 60), (4, T0 - 7200))
    stale = listing.stale({"newest": YEAR_9999, "recent_ids": []})  # as written before this fix
    result = await source.fetch(listing.feed(server), stale, seeding=False)
    assert times(result) == [T0 - 60]


async def test_a_far_future_date_is_warned_about_once_naming_the_source_and_the_item(
    server: FakeHttpServer, http: SafeHttp, caplog: pytest.LogCaptureFixture
) -> None:
    listing = LISTINGS[0]
    clock = Clock(NOW)
    site = Site(listing, server)
    source = listing.make(http, server, clock)
    site.add((901, YEAR_9999), (902, T0 + 3600), (903, T0 - 60))  # 902: an hour ahead, clock skew at worst
    with caplog.at_level(logging.WARNING):
        cursor: dict[str, Any] = {}
        for _ in range(3):
            cursor = (await source.fetch(listing.feed(server), cursor, seeding=False)).cursor
            clock.advance(timedelta(minutes=5))
    future = [r.getMessage() for r in caplog.records if "ahead of" in r.getMessage()]
    assert len(future) == 1
    assert "Hacker News" in future[0] and "38000901" in future[0]


@pytest.mark.parametrize("listing", LISTINGS[1:3], ids=[listing.name for listing in LISTINGS[1:3]])
async def test_a_stored_pause_until_the_year_9999_does_not_stop_the_feed(
    listing: Listing, server: FakeHttpServer, http: SafeHttp
) -> None:
    clock = Clock(NOW)
    site = Site(listing, server)
    source = listing.make(http, server, clock)
    site.add((5, T0 - 60), (4, T0 - 7200))
    stale = {"newest": T0 - 120, "recent_ids": [], "not_before": YEAR_9999}  # a quota reset read as a pause
    result = await source.fetch(listing.feed(server), stale, seeding=False)
    assert times(result) == [T0 - 60]
