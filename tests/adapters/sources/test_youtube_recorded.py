"""The YouTube source on recorded real Data API v3 answers from ../shared/fixtures/youtube (python-youtube's and
youtubeaio's recordings), each served as recorded from 127.0.0.1. Skipped, with the reason, where ../shared is
not beside the repository."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.youtube.source import YouTubeSource
from earshot.bot.domain import Conversation, Feed
from earshot.bot.errors import FeedError
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fixtures import shared_path

API = "/youtube/v3"
CHANNEL = "UC_x5XG1OV2P6uZZ5FSM9Ttw"


def _recorded(name: str) -> tuple[bytes, Any]:
    raw = shared_path("fixtures", "youtube", name).read_bytes()
    return raw, json.loads(raw)


def _route(server: FakeHttpServer, method: str, raw: bytes, status: int = 200) -> None:
    server.route("GET", f"{API}/{method}", lambda r: Reply(status, raw, {"Content-Type": "application/json"}))


def _playlist(server: FakeHttpServer, video: str) -> None:
    body = {"kind": "youtube#playlistItemListResponse", "items": [{"contentDetails": {"videoId": video}}]}
    _route(server, "playlistItems", json.dumps(body).encode())


def _source(http: SafeHttp, server: FakeHttpServer, now: datetime) -> YouTubeSource:
    env = {"YOUTUBE_API_KEY": "recorded", "YOUTUBE_API_URL": server.url(API)}
    return YouTubeSource(http, env, clock=lambda: now)


def _feed(server: FakeHttpServer, **options: Any) -> Feed:
    options = {"channel": CHANNEL, "videos": 1, **options}
    return Feed(name="yt", kind="youtube", every=timedelta(minutes=30), url=server.url(API), options=options)


async def test_recorded_comment_threads_of_a_video(http: SafeHttp, server: FakeHttpServer) -> None:
    raw, body = _recorded("pyyoutube_commentThreads_list_by_video_with_replies.json")
    _playlist(server, "D-lhorsDlUQ")
    _route(server, "commentThreads", raw)
    source = _source(http, server, datetime(2019, 6, 24, tzinfo=UTC))
    result = await source.fetch(_feed(server), {"newest": 1, "recent_ids": []}, seeding=False)
    assert [c.external_id for c in result.items] == [t["snippet"]["topLevelComment"]["id"] for t in body["items"]]
    first = result.items[0]
    assert first.author == "Loren Robilio" and first.text == "Actions.ai"  # textOriginal, not the HTML display
    assert first.url == "https://www.youtube.com/watch?v=D-lhorsDlUQ&lc=UgydxWWoeA7F1OdqypJ4AaABAg"
    assert first.thread_size == 1 and first.created_at == datetime(2019, 6, 23, 8, 24, 24, tzinfo=UTC)


async def test_recorded_channel_threads_page(http: SafeHttp, server: FakeHttpServer) -> None:
    raw, body = _recorded("pyyoutube_commentThreads_list_all_to_channel_paged.json")
    _playlist(server, "anyVideo001")
    _route(server, "commentThreads", raw)
    source = _source(http, server, datetime(2019, 12, 31, tzinfo=UTC))
    result = await source.fetch(_feed(server), {}, seeding=True)  # a first poll reads one page
    assert len(result.items) == len(body["items"]) == 20
    assert all(c.created_at is not None and c.author for c in result.items)


async def test_recorded_replies_by_parent(http: SafeHttp, server: FakeHttpServer) -> None:
    raw, body = _recorded("pyyoutube_comments_list_by_parent_page1.json")
    _route(server, "comments", raw)
    source = _source(http, server, datetime(2019, 12, 2, tzinfo=UTC))
    top = Conversation(source="youtube", external_id="Ugw5zYU6n9pmIgAZWvN4AaABAg", url="https://youtu.be/x", title="t")
    found = await source.thread(top)
    assert sorted(r.external_id for r in found.replies) == sorted(c["id"] for c in body["items"])
    assert {r.parent_id for r in found.replies} == {"Ugw5zYU6n9pmIgAZWvN4AaABAg"}
    assert [r.text for r in found.replies] == ["this is the second reply!", "this is the third reply!"]  # oldest first


async def test_recorded_search_results_are_videos(http: SafeHttp, server: FakeHttpServer) -> None:
    raw, body = _recorded("pyyoutube_search_list_video_published_window.json")
    _route(server, "search", raw)
    source = _source(http, server, datetime(2020, 3, 1, tzinfo=UTC))
    feed = Feed(
        name="yt",
        kind="youtube",
        every=timedelta(minutes=30),
        url=server.url(API),
        query="surfing",
        options={"search_videos": True},
    )
    result = await source.fetch(feed, {"newest": 1, "recent_ids": []}, seeding=False)
    assert [c.external_id for c in result.items] == [f"video:{i['id']['videoId']}" for i in body["items"]]
    assert result.items[0].title == "SURFING WITH KELLY SLATER (HAWAII)"
    assert result.usage == {"quota_units": 100}


async def test_recorded_403_access_not_configured_names_the_key(http: SafeHttp, server: FakeHttpServer) -> None:
    raw, _ = _recorded("youtubeaio_error_403_accessNotConfigured.json")
    _route(server, "playlistItems", raw, status=403)
    source = _source(http, server, datetime(2023, 1, 1, tzinfo=UTC))
    with pytest.raises(FeedError, match=r"accessNotConfigured.*YOUTUBE_API_KEY"):
        await source.fetch(_feed(server), {}, seeding=True)
