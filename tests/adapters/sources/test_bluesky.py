"""The Bluesky source against a fake service on 127.0.0.1: sessions, search, cursors, limits, threads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.bluesky.source import ANONYMOUS_NOTE, OVERLAP, BlueskySource
from earshot.bot.domain import Conversation, Feed
from earshot.bot.errors import ConfigError, FeedError
from tests.fakes.bluesky import APP_PASSWORD, HANDLE, JSON, SEARCH, FakeBluesky, blocked, not_found, post, thread_view
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer, Reply

ENV = {"BLUESKY_HANDLE": HANDLE, "BLUESKY_APP_PASSWORD": APP_PASSWORD}
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def bsky(server: FakeHttpServer, clock: Clock) -> FakeBluesky:
    return FakeBluesky(server, clock)


def source_for(http: SafeHttp, bsky: FakeBluesky, clock: Clock, env: dict[str, str] | None = None) -> BlueskySource:
    return BlueskySource(http, ENV if env is None else env, clock=clock, service_url=bsky.url, public_url=bsky.url)


def search(query: str = "", **options: Any) -> Feed:
    return Feed("bsky", "bluesky", timedelta(minutes=5), query=query or "geothermal", options=options)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


async def test_maps_searched_posts(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    bsky.posts = SEARCH["posts"]
    result = await source_for(http, bsky, clock).fetch(search(), {}, seeding=False)

    first = result.items[0]
    assert first.source == "bluesky"
    assert first.external_id == "at://did:plc:wdrfejnxpka7qzyecygyn7i7/app.bsky.feed.post/3lq7k2ab4cz2x"
    assert first.url == "https://bsky.app/profile/energypapers.bsky.social/post/3lq7k2ab4cz2x"
    assert first.title.startswith("Shallow Geothermal Loops in Dense Cities: A Field Study")
    assert first.text.endswith("#energy")
    assert first.author == "energypapers.bsky.social"
    assert first.link == "https://doi.example.org/10.5555/geo.2025.118"
    assert first.created_at == datetime(2025, 6, 2, 9, 41, 18, 204511, tzinfo=UTC)
    assert (first.kind, first.points, first.thread_size) == ("post", 0, 0)
    assert first.community == "search: geothermal"
    assert len(result.items) == len(SEARCH["posts"])
    by_author = {i.author: i for i in result.items}
    assert by_author["ruthpaz.bsky.social"].kind == "comment"  # a reply
    embed = "https://news.example.com/2025/06/02/town-drills-first-geothermal-well?utm_source=bsky"
    assert by_author["lenaverhoeven.bsky.social"].link == embed  # the embed's, not the shortened text
    assert result.notes == ()
    (request,) = bsky.server.hits("/xrpc/app.bsky.feed.searchPosts")
    assert (request.param("q"), request.param("sort"), request.param("limit"), request.param("since")) == (
        "geothermal",
        "latest",
        "100",
        None,
    )


async def test_the_session_is_reused_then_refreshed_not_recreated(
    http: SafeHttp, bsky: FakeBluesky, clock: Clock
) -> None:
    bsky.posts = [post(1, at(-60), text="geothermal news")]
    source = source_for(http, bsky, clock)
    for _ in range(3):
        await source.fetch(search(), {}, seeding=False)
    assert (bsky.logins, bsky.refreshes) == (1, 0)

    bsky.expire_access_tokens()  # the server says ExpiredToken before the token's exp
    result = await source.fetch(search(), {}, seeding=False)
    assert len(result.items) == 1
    assert (bsky.logins, bsky.refreshes) == (1, 1)

    clock.advance(timedelta(hours=2))  # past the access token's exp: refreshed before asking
    await source.fetch(search(), {}, seeding=False)
    assert (bsky.logins, bsky.refreshes) == (1, 2)
    assert len(bsky.server.hits("/xrpc/app.bsky.feed.searchPosts")) == 6  # 3 + (expired, retried) + 1

    bsky.expire_access_tokens()
    bsky.revoke_refresh_tokens()  # the refresh fails too: only then a new login
    await source.fetch(search(), {}, seeding=False)
    assert (bsky.logins, bsky.refreshes) == (2, 2)


async def test_two_polls_across_a_restart_neither_skip_nor_repeat(
    http: SafeHttp, bsky: FakeBluesky, clock: Clock
) -> None:
    bsky.posts = [post(n, at(-1000 + n * 10), text=f"geothermal {n}") for n in range(20)]
    first = await source_for(http, bsky, clock).fetch(search(), {}, seeding=True)
    newest = max(datetime.fromisoformat(p["record"]["createdAt"]) for p in bsky.posts)
    assert first.cursor["newest"] == newest.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    late = post(100, newest - timedelta(seconds=30), text="geothermal late", lag=timedelta(minutes=2))
    too_late = post(101, newest - OVERLAP - timedelta(seconds=5), text="geothermal too late")
    fresh = [post(200 + n, at(n), text=f"geothermal fresh {n}") for n in range(3)]
    bsky.posts += [late, too_late, *fresh]
    second = await source_for(http, bsky, clock).fetch(search(), first.cursor, seeding=False)  # a new process
    assert [i.external_id for i in second.items] == [p["uri"] for p in reversed(fresh)] + [late["uri"]]
    since = bsky.server.hits("/xrpc/app.bsky.feed.searchPosts")[-1].param("since")
    assert since == (newest - OVERLAP).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    third = await source_for(http, bsky, clock).fetch(search(), second.cursor, seeding=False)
    assert third.items == []
    assert third.cursor["newest"] == second.cursor["newest"]


async def test_pages_through_the_search_cursor(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    bsky.posts = [post(0, at(-10_000), text="geothermal old")]
    source = source_for(http, bsky, clock)
    first = await source.fetch(search(), {}, seeding=True)
    bsky.posts += [post(n, at(-2000 + n), text=f"geothermal {n}") for n in range(1, 251)]
    second = await source.fetch(search(), first.cursor, seeding=False)
    assert len(second.items) == 250
    assert len({i.external_id for i in second.items}) == 250
    cursors = [r.param("cursor") for r in bsky.server.hits("/xrpc/app.bsky.feed.searchPosts")[1:]]
    assert cursors == [None, "100", "200"]


async def test_wrong_app_password_says_what_to_check(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    env = {**ENV, "BLUESKY_APP_PASSWORD": "nope-nope-nope-nope"}
    with pytest.raises(FeedError) as info:
        await source_for(http, bsky, clock, env).fetch(search(), {}, seeding=False)
    message = str(info.value)
    assert "HTTP 401, AuthenticationRequired: Invalid identifier or password" in message
    assert "BLUESKY_HANDLE" in message and "BLUESKY_APP_PASSWORD" in message
    assert "nope-nope" not in message


async def test_anonymous_search_and_its_refusal(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    bsky.posts = [post(1, at(-60), text="geothermal")]
    source = source_for(http, bsky, clock, env={})
    result = await source.fetch(search(), {}, seeding=False)
    assert len(result.items) == 1
    assert result.notes == (ANONYMOUS_NOTE,)
    assert "authorization" not in bsky.server.hits("/xrpc/app.bsky.feed.searchPosts")[0].headers
    assert bsky.logins == 0

    bsky.anonymous_search = False
    with pytest.raises(FeedError, match=r"HTTP 403.*set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD"):
        await source.fetch(search(), {}, seeding=False)


async def test_429_uses_the_rate_limit_reset(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    reset = str(int(NOW.timestamp()) + 240)
    headers = {**JSON, "RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": reset}
    bsky.server.route("GET", "/xrpc/app.bsky.feed.searchPosts", lambda request: Reply(429, "{}", headers))
    with pytest.raises(FeedError, match="HTTP 429") as info:
        await source_for(http, bsky, clock).fetch(search(), {}, seeding=False)
    assert info.value.retry_after == 240


async def test_a_used_up_quota_waits(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    bsky.posts = [post(1, at(-60), text="geothermal")]
    bsky.rate_headers = {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW.timestamp()) + 30)}
    source = source_for(http, bsky, clock)
    await source.fetch(search(), {}, seeding=False)
    with pytest.raises(FeedError, match="rate limit is used up") as info:
        await source.fetch(search(), {}, seeding=False)
    assert info.value.retry_after == 30


@pytest.mark.parametrize("body", ["<html></html>", '{"cursor": "1"}', '{"posts": {"a": 1}}'])
async def test_a_malformed_body_is_a_feed_error(http: SafeHttp, bsky: FakeBluesky, clock: Clock, body: str) -> None:
    bsky.server.route("GET", "/xrpc/app.bsky.feed.searchPosts", lambda request: Reply(200, body, JSON))
    with pytest.raises(FeedError, match="not"):
        await source_for(http, bsky, clock).fetch(search(), {}, seeding=False)


async def test_a_post_without_record_or_uri_is_skipped(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    broken = post(2, at(-30), text="geothermal")
    del broken["record"]
    bad_uri = {**post(3, at(-20), text="geothermal"), "uri": "https://example.com/not-at"}
    bsky.posts = [broken, bad_uri, post(4, at(-10), text="geothermal ok")]
    result = await source_for(http, bsky, clock).fetch(search(), {}, seeding=False)
    assert [i.text for i in result.items] == ["geothermal ok"]


async def test_thread_skips_deleted_and_blocked_replies(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    root = {**post(1, at(-600), text="root"), "replyCount": 4, "likeCount": 9}
    first, nested, second = (post(n, at(-500 + n), text=f"reply {n}") for n in (2, 3, 4))
    for reply in (first, second):
        reply["record"]["reply"] = {"root": {"uri": root["uri"]}, "parent": {"uri": root["uri"]}}
    bsky.threads[root["uri"]] = thread_view(
        root,
        [
            thread_view(first, [thread_view(nested)]),
            not_found(root["uri"] + "x"),
            blocked(root["uri"] + "y", "did:plc:blocker"),
            thread_view(second),
        ],
    )
    conversation = Conversation(
        source="bluesky", external_id=root["uri"], url="https://bsky.app/x", title="root", community="search: x"
    )
    thread = await source_for(http, bsky, clock).thread(conversation)
    assert [r.text for r in thread.replies] == ["reply 2", "reply 3", "reply 4"]
    assert [r.depth for r in thread.replies] == [0, 1, 0]
    assert thread.replies[1].parent_id == first["uri"]
    assert (thread.conversation.points, thread.conversation.thread_size, thread.reply_count) == (9, 4, 4)
    assert thread.conversation.community == "search: x"
    request = bsky.server.hits("/xrpc/app.bsky.feed.getPostThread")[0]
    assert (request.param("uri"), request.param("parentHeight")) == (root["uri"], "0")
    assert request.headers["authorization"].startswith("Bearer ")


async def test_thread_of_a_deleted_post(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    uri = "at://did:plc:x/app.bsky.feed.post/3lgone"
    bsky.threads[uri] = not_found(uri)
    conversation = Conversation(source="bluesky", external_id=uri, url="https://bsky.app/x", title="t")
    with pytest.raises(FeedError, match="is gone"):
        await source_for(http, bsky, clock).thread(conversation)


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        (Feed("b", "bluesky", timedelta(minutes=5)), 'needs search words, like query = "pgvector"'),
        (search(lang="english"), 'lang must be a language code, like lang = "en"'),
        (search(author="x"), "unknown Bluesky option(s) author"),
        (Feed("b", "bluesky", timedelta(minutes=5), url="bsky.social", query="x"), "must start with http://"),
    ],
)
def test_check_refuses_bad_settings(http: SafeHttp, feed: Feed, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        BlueskySource(http).check(feed)
    assert message in str(info.value)


async def test_lang_is_sent(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    await source_for(http, bsky, clock).fetch(search(lang="FR"), {}, seeding=False)
    assert bsky.server.hits("/xrpc/app.bsky.feed.searchPosts")[0].param("lang") == "fr"


async def test_feeds_polled_at_once_share_one_login(http: SafeHttp, bsky: FakeBluesky, clock: Clock) -> None:
    bsky.posts = [post(1, at(-60), text="geothermal pgvector")]
    source = source_for(http, bsky, clock)
    results = await asyncio.gather(*(source.fetch(search(q), {}, seeding=False) for q in ("pgvector", "x", "y")))
    assert [len(r.items) for r in results] == [1, 0, 0]
    assert bsky.logins == 1


def test_bluesky_reads_threads(http: SafeHttp) -> None:
    from earshot.bot.ports import ThreadSource

    assert isinstance(BlueskySource(http), ThreadSource)
