"""The Mastodon source against a fake instance on 127.0.0.1: tag timelines, search, cursors, limits, threads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.mastodon.parse import link_param
from earshot.adapters.sources.mastodon.source import MAX_PAGES, MastodonSource
from earshot.bot.domain import Conversation, Feed
from earshot.bot.errors import ConfigError, FeedError
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.mastodon import JSON, TOKEN, FakeMastodon, payload, status

ENV = {"MASTODON_TOKEN": TOKEN}


@pytest.fixture
def instance(server: FakeHttpServer) -> FakeMastodon:
    return FakeMastodon(server)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def source_for(http: SafeHttp, clock: Clock, env: dict[str, str] | None = None) -> MastodonSource:
    return MastodonSource(http, ENV if env is None else env, clock=clock)


def tag_feed(instance: FakeMastodon, **options: Any) -> Feed:
    return Feed(
        name="rust", kind="mastodon", every=timedelta(minutes=5), url=instance.url + "/tags/rust", options=options
    )


def search_feed(instance: FakeMastodon, query: str = "toot", **options: Any) -> Feed:
    return Feed("find", "mastodon", timedelta(minutes=5), url=instance.url, query=query, options=options)


def many(instance: FakeMastodon, first: int, count: int) -> list[dict[str, Any]]:
    return [status(n, instance.url) for n in range(first, first + count)]


async def test_maps_statuses(http: SafeHttp, instance: FakeMastodon, clock: Clock) -> None:
    instance.statuses = many(instance, 0, 3)
    result = await source_for(http, clock, {}).fetch(tag_feed(instance), {}, seeding=False)

    newest, _, oldest = result.items
    host = instance.url.removeprefix("http://")
    assert newest.source == "mastodon"
    assert newest.external_id == f"{instance.url}/users/ferrous_fen/statuses/{117020582251615632 + 2}"
    assert newest.url == f"{instance.url}/@ferrous_fen/{117020582251615632 + 2}"
    assert newest.title == "Toot number 2! #rust"
    assert newest.text == "Toot number 2! #rust"
    assert newest.author == f"ferrous_fen@{host}"
    assert newest.community == f"{host} #rust"
    assert (newest.kind, newest.thread_size, newest.points, newest.link) == ("post", 2, 3, None)  # replies, favourites
    assert oldest.created_at == datetime(2026, 8, 1, 13, 53, 0, 550000, tzinfo=UTC)
    assert result.cursor == {"newest": str(117020582251615632 + 2)}
    (request,) = instance.server.hits("/api/v1/timelines/tag/rust")
    assert (request.param("limit"), request.param("min_id")) == ("40", None)
    assert "authorization" not in request.headers  # anonymous where the instance allows it


async def test_reblogs_spoilers_replies_cards(http: SafeHttp, instance: FakeMastodon, clock: Clock) -> None:
    card = payload("status_with_card")["card"]
    original = status(1, instance.url, spoiler_text="Politik", language="de", card=card)
    reply = status(2, instance.url, in_reply_to_id=original["id"], content="<p>Antwort &amp; <b>Frage</b>?</p>")
    boost = status(3, instance.url, reblog=original, content="", uri=f"{instance.url}/users/x/statuses/3/activity")
    instance.statuses = [original, reply, boost]
    result = await source_for(http, clock).fetch(tag_feed(instance), {}, seeding=False)

    assert [i.external_id for i in result.items] == [original["uri"], reply["uri"]]  # the boost is its original
    cw = next(i for i in result.items if i.external_id == original["uri"])
    assert cw.title == "CW: Politik"
    assert cw.text == "CW: Politik\n\nToot number 1! #rust"
    assert cw.link == card["url"]
    answer = next(i for i in result.items if i.external_id == reply["uri"])
    assert (answer.kind, answer.text) == ("comment", "Antwort & Frage?")
    assert result.cursor == {"newest": boost["id"]}


async def test_two_polls_across_a_restart_neither_skip_nor_repeat(
    http: SafeHttp, instance: FakeMastodon, clock: Clock
) -> None:
    instance.statuses = many(instance, 0, 50)
    feed = tag_feed(instance)
    first = await source_for(http, clock).fetch(feed, {}, seeding=True)
    assert first.cursor == {"newest": str(117020582251615632 + 49)}

    instance.statuses += many(instance, 50, 95)
    second = await source_for(http, clock).fetch(feed, first.cursor, seeding=False)
    assert sorted(i.external_id for i in second.items) == sorted(s["uri"] for s in instance.statuses[50:])
    assert len(second.items) == 95
    min_ids = [r.param("min_id") for r in instance.server.hits("/api/v1/timelines/tag/rust")[1:]]
    assert min_ids == [str(117020582251615632 + n) for n in (49, 89, 129)]
    assert second.cursor == {"newest": str(117020582251615632 + 144)}

    third = await source_for(http, clock).fetch(feed, second.cursor, seeding=False)
    assert third.items == []
    assert third.cursor == second.cursor


async def test_the_page_cap_leaves_no_gap(http: SafeHttp, instance: FakeMastodon, clock: Clock) -> None:
    instance.statuses = many(instance, 0, 1)
    feed = tag_feed(instance)
    source = source_for(http, clock)
    first = await source.fetch(feed, {}, seeding=True)
    instance.statuses += many(instance, 1, 450)
    second = await source.fetch(feed, first.cursor, seeding=False)
    assert len(second.items) == MAX_PAGES * 40
    third = await source.fetch(feed, second.cursor, seeding=False)
    assert len(third.items) == 50
    assert {i.external_id for i in second.items} | {i.external_id for i in third.items} == {
        s["uri"] for s in instance.statuses[1:]
    }


async def test_a_deleted_cursor_status_does_not_stall(http: SafeHttp, instance: FakeMastodon, clock: Clock) -> None:
    instance.statuses = many(instance, 0, 5)
    source = source_for(http, clock)
    first = await source.fetch(tag_feed(instance), {}, seeding=True)
    instance.statuses = instance.statuses[:4] + many(instance, 5, 2)  # the newest seen was deleted
    second = await source.fetch(tag_feed(instance), first.cursor, seeding=False)
    assert [i.title for i in second.items] == ["Toot number 6! #rust", "Toot number 5! #rust"]


async def test_a_token_is_sent_and_its_variable_is_chosen_per_feed(
    http: SafeHttp, instance: FakeMastodon, clock: Clock
) -> None:
    instance.require_token = True
    instance.statuses = many(instance, 0, 2)
    with pytest.raises(FeedError) as info:
        await source_for(http, clock, {}).fetch(tag_feed(instance), {}, seeding=False)
    assert "HTTP 401" in str(info.value)
    assert "requires sign-in to read this; set MASTODON_TOKEN" in str(info.value)

    source = source_for(http, clock, {"FOSS_TOKEN": TOKEN})
    result = await source.fetch(tag_feed(instance, token_env="FOSS_TOKEN"), {}, seeding=False)
    assert len(result.items) == 2
    assert instance.server.hits("/api/v1/timelines/tag/rust")[-1].headers["authorization"] == f"Bearer {TOKEN}"

    with pytest.raises(FeedError) as info:
        await source_for(http, clock, {"MASTODON_TOKEN": "stale"}).fetch(tag_feed(instance), {}, seeding=False)
    assert "did not accept the token in MASTODON_TOKEN" in str(info.value)
    assert "stale" not in str(info.value)


async def test_search_needs_a_token(http: SafeHttp, instance: FakeMastodon, clock: Clock) -> None:
    instance.statuses = many(instance, 0, 3)
    with pytest.raises(FeedError, match=r"searching Mastodon needs an access token.*set MASTODON_TOKEN"):
        await source_for(http, clock, {}).fetch(search_feed(instance), {}, seeding=False)
    assert instance.server.hits("/api/v2/search") == []

    result = await source_for(http, clock).fetch(search_feed(instance, "number 1!"), {}, seeding=False)
    assert [i.title for i in result.items] == ["Toot number 1! #rust"]
    assert result.items[0].community == instance.url.removeprefix("http://") + " search"
    (request,) = instance.server.hits("/api/v2/search")
    assert (request.param("type"), request.param("q"), request.param("resolve")) == ("statuses", "number 1!", "false")


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"Retry-After": "90"}, 90), ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2025-03-01T12:05:00Z"}, 300)],
)
async def test_429_carries_retry_after(
    http: SafeHttp, instance: FakeMastodon, clock: Clock, headers: dict[str, str], wait: float
) -> None:
    instance.server.route("GET", "/api/v1/timelines/tag/rust", lambda request: Reply(429, "{}", {**JSON, **headers}))
    with pytest.raises(FeedError, match="HTTP 429") as info:
        await source_for(http, clock).fetch(tag_feed(instance), {}, seeding=False)
    assert info.value.retry_after == wait


async def test_a_used_up_quota_waits_for_its_reset(http: SafeHttp, instance: FakeMastodon, clock: Clock) -> None:
    instance.statuses = many(instance, 0, 3)
    instance.rate_headers = {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "2025-03-01T12:02:00.028144Z",
    }
    source = source_for(http, clock)
    first = await source.fetch(tag_feed(instance), {}, seeding=False)
    assert len(first.items) == 3
    with pytest.raises(FeedError, match="rate limit is used up") as info:
        await source.fetch(tag_feed(instance), first.cursor, seeding=False)
    assert info.value.retry_after == 121
    assert len(instance.server.hits("/api/v1/timelines/tag/rust")) == 1


@pytest.mark.parametrize("reset", ["9999-12-31T23:59:59Z", "253402300799", "1e15"])
async def test_a_quota_reset_far_in_the_future_waits_a_day_at_most(
    http: SafeHttp, instance: FakeMastodon, clock: Clock, reset: str
) -> None:
    instance.statuses = many(instance, 0, 3)
    instance.rate_headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    source = source_for(http, clock)
    first = await source.fetch(tag_feed(instance), {}, seeding=False)
    with pytest.raises(FeedError, match="rate limit is used up") as info:
        await source.fetch(tag_feed(instance), first.cursor, seeding=False)
    assert info.value.retry_after == 86400
    clock.advance(timedelta(days=1))
    instance.rate_headers = {}
    await source.fetch(tag_feed(instance), first.cursor, seeding=False)
    assert len(instance.server.hits("/api/v1/timelines/tag/rust")) == 2


@pytest.mark.parametrize("body", ["<html>down</html>", '{"error": "x"}', '"text"'])
async def test_a_malformed_body_is_a_feed_error(
    http: SafeHttp, instance: FakeMastodon, clock: Clock, body: str
) -> None:
    instance.server.route("GET", "/api/v1/timelines/tag/rust", lambda request: Reply(200, body, JSON))
    with pytest.raises(FeedError, match="not a list of statuses"):
        await source_for(http, clock).fetch(tag_feed(instance), {}, seeding=False)


async def test_thread_reads_the_context_from_the_origin(http: SafeHttp, instance: FakeMastodon, clock: Clock) -> None:
    context = payload("status_context")
    root = status(1, instance.url, replies_count=3, favourites_count=7)
    first = status(2, instance.url, in_reply_to_id=root["id"], spoiler_text="spoiler")
    nested = {**context["descendants"][0], "in_reply_to_id": first["id"], "id": "117020582251615640"}
    second = status(3, instance.url, in_reply_to_id=root["id"])
    instance.serve_status(root, [first, nested, second])
    conversation = Conversation(
        source="mastodon", external_id=root["uri"], url=root["url"], title="Toot", points=0, community="x #rust"
    )
    thread = await source_for(http, clock).thread(conversation)

    assert (thread.conversation.points, thread.conversation.thread_size) == (7, 3)
    assert thread.conversation.community == "x #rust"
    assert [r.depth for r in thread.replies] == [0, 1, 0]
    assert thread.replies[0].text == "CW: spoiler\n\nToot number 2! #rust"
    assert thread.replies[1].text == "last word from me"
    assert thread.replies[1].author == "pia@" + instance.url.removeprefix("http://")
    assert thread.replies[1].parent_id == first["id"]
    assert "authorization" not in instance.server.hits(f"/api/v1/statuses/{root['id']}/context")[0].headers
    limited = await source_for(http, clock).thread(conversation, limit=1)
    assert len(limited.replies) == 1


async def test_thread_of_a_deleted_status(http: SafeHttp, instance: FakeMastodon, clock: Clock) -> None:
    conversation = Conversation(source="mastodon", external_id="x", url=f"{instance.url}/@someone/123", title="t")
    with pytest.raises(FeedError, match="is gone"):
        await source_for(http, clock).thread(conversation)


def test_link_header_pagination() -> None:
    header = (
        '<http://localhost:3000/api/v1/timelines/tag/x?limit=10&max_id=117020582177108552>; rel="next", '
        '<http://localhost:3000/api/v1/timelines/tag/x?limit=10&min_id=117020582251615632>; rel="prev"'
    )
    assert link_param(header, "prev", "min_id") == "117020582251615632"
    assert link_param(header, "next", "max_id") == "117020582177108552"
    assert link_param(None, "prev", "min_id") is None


@pytest.mark.parametrize(
    ("url", "query", "options", "message"),
    [
        (None, None, {"hashtag": "rust"}, 'needs the instance\'s address, like url = "https://mastodon.social"'),
        ("https://fosstodon.org/about", None, {}, "is not an instance or a tag page"),
        ("https://fosstodon.org", None, {}, "not neither a hashtag nor a query"),
        ("https://fosstodon.org/tags/rust", "pg", {}, "not both a hashtag and a query"),
        ("https://fosstodon.org", None, {"hashtag": "two words"}, "is not a hashtag"),
        ("https://fosstodon.org", None, {"hashtag": "rust", "token_env": "no-dash"}, "token_env names"),
        ("https://fosstodon.org", None, {"tag": "rust"}, "unknown Mastodon option(s) tag"),
        ("ftp://fosstodon.org", None, {"hashtag": "rust"}, "must start with http://"),
    ],
)
def test_check_refuses_bad_settings(
    http: SafeHttp, url: str | None, query: str | None, options: dict[str, Any], message: str
) -> None:
    feed = Feed("toots", "mastodon", timedelta(minutes=5), url=url, query=query, options=options)
    with pytest.raises(ConfigError) as info:
        MastodonSource(http).check(feed)
    assert message in str(info.value)


def test_check_accepts_good_settings(http: SafeHttp) -> None:
    source = MastodonSource(http)
    source.check(Feed("a", "mastodon", timedelta(minutes=5), url="https://fosstodon.org/tags/Rust"))
    source.check(Feed("b", "mastodon", timedelta(minutes=5), url="https://fosstodon.org", options={"hashtag": "#日本"}))
    source.check(Feed("c", "mastodon", timedelta(minutes=5), url="https://fosstodon.org/", query="pgvector"))


async def test_a_server_ignoring_min_id_does_not_spin(http: SafeHttp, instance: FakeMastodon, clock: Clock) -> None:
    page = many(instance, 0, 40)
    instance.server.route("GET", "/api/v1/timelines/tag/rust", lambda request: Reply(200, json.dumps(page), JSON))
    result = await source_for(http, clock).fetch(tag_feed(instance), {"newest": "1"}, seeding=False)
    assert len(result.items) == 40
    assert len(instance.server.hits("/api/v1/timelines/tag/rust")) == 2
    assert result.cursor == {"newest": page[-1]["id"]}


def test_mastodon_reads_threads(http: SafeHttp) -> None:
    from earshot.bot.ports import ThreadSource

    assert isinstance(MastodonSource(http), ThreadSource)
