"""The X source on recorded real API v2 answers from ../shared/fixtures/x (the documented recent-search example,
twarc's recorded recent searches, a recorded 401): each is served as it was recorded, from 127.0.0.1.
Skipped, with the reason, where ../shared is not beside the repository."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.x.source import XSource
from earshot.bot.domain import Feed
from earshot.bot.errors import FeedError
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fixtures import shared_path

SEARCH = "/2/tweets/search/recent"


def _serve(server: FakeHttpServer, name: str, status: int = 200) -> dict:
    raw = shared_path("fixtures", "x", name).read_bytes()
    server.route("GET", SEARCH, lambda r: Reply(status, raw, {"Content-Type": "application/json; charset=utf-8"}))
    return json.loads(raw)


def _source(http: SafeHttp, server: FakeHttpServer, now: datetime) -> XSource:
    return XSource(http, {"X_BEARER_TOKEN": "recorded"}, clock=lambda: now, api_url=server.url("/2"))


def _feed(server: FakeHttpServer) -> Feed:
    return Feed(name="x", kind="x", every=timedelta(minutes=30), url=server.url("/2"), query="snow")


async def test_documented_example_with_users_and_replies(http: SafeHttp, server: FakeHttpServer) -> None:
    body = _serve(server, "docs_search_recent_includes_users_replies.json")
    source = _source(http, server, datetime(2020, 6, 26, tzinfo=UTC))
    result = await source.fetch(_feed(server), {"since_id": "1"}, seeding=False)
    assert [c.external_id for c in result.items] == [p["id"] for p in body["data"]]
    first = result.items[0]
    assert first.author == "happycamper"  # includes.users resolves author_id 63046977
    assert first.url == "https://x.com/happycamper/status/1276035977375477760"
    assert (first.kind, first.language, first.untitled) == ("comment", "en", True)
    assert first.created_at == datetime(2020, 6, 25, 6, 14, 19, tzinfo=UTC)
    assert result.cursor["since_id"] == body["meta"]["newest_id"]


@pytest.mark.parametrize(
    "name", ["twarc_search_recent_brexit_expansions.json", "twarc_search_recent_kpop_partial_errors.json"]
)
async def test_recorded_recent_searches_read_whole(http: SafeHttp, server: FakeHttpServer, name: str) -> None:
    body = _serve(server, name)
    source = _source(http, server, datetime(2021, 9, 23, tzinfo=UTC))
    # A first poll reads one page even when next_token says more follow; partial "errors" do not fail it.
    result = await source.fetch(_feed(server), {}, seeding=False)
    assert len(result.items) == len(body["data"]) == 100
    assert result.cursor["since_id"] == body["meta"]["newest_id"]
    with_metrics = [c for c in result.items if c.points is not None]
    assert len(with_metrics) == 100
    replies = sum(1 for p in body["data"] if any(r["type"] == "replied_to" for r in p.get("referenced_tweets", [])))
    assert sum(1 for c in result.items if c.kind == "comment") == replies
    assert all(c.author and not c.author.isdigit() for c in result.items)  # every author resolved to a username


async def test_recorded_401_names_the_variable(http: SafeHttp, server: FakeHttpServer) -> None:
    _serve(server, "error_401_unauthorized_search_all.json", status=401)
    source = _source(http, server, datetime(2021, 9, 23, tzinfo=UTC))
    with pytest.raises(FeedError, match=r"HTTP 401 Unauthorized.*X_BEARER_TOKEN"):
        await source.fetch(_feed(server), {}, seeding=True)
