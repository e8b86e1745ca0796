"""The Product Hunt source against a fake GraphQL API v2 on 127.0.0.1 (shapes from the published schema)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.producthunt.kind import producthunt_target
from earshot.adapters.sources.producthunt.source import OVERLAP_SECONDS, PAGE_SIZE, ProductHuntSource
from earshot.bot.domain import Conversation, Feed
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import ThreadSource
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.producthunt import FakeProductHunt, comment, post

NOW = 1_700_000_000


@pytest.fixture
def ph(server: FakeHttpServer) -> FakeProductHunt:
    return FakeProductHunt(server)


def make(http: SafeHttp, ph: FakeProductHunt, token: str | None = "ph-dev-token", at: int = NOW) -> ProductHuntSource:
    env = {"PRODUCTHUNT_API_URL": ph.url} | ({"PRODUCTHUNT_TOKEN": token} if token else {})
    return ProductHuntSource(http, env=env, clock=lambda: datetime.fromtimestamp(at, UTC))


def p_feed(url: str, **options: Any) -> Feed:
    return Feed(name="ph", kind="producthunt", every=timedelta(minutes=15), url=url, options=options)


def ids(items: list[Conversation]) -> list[str]:
    return [i.external_id for i in items]


async def test_maps_posts_of_the_topic(http: SafeHttp, ph: FakeProductHunt) -> None:
    ph.add(
        post(11, NOW - 600, name="Pgwidget", tagline="Postgres  dashboards", votes=42, username="carol"),
        post(12, NOW - 300, name="Paintly", topics=["design-tools"]),
    )
    result = await make(http, ph).fetch(p_feed(ph.url, topic="developer-tools"), {}, seeding=False)
    (item,) = result.items
    assert item.source == "producthunt" and item.external_id == "11" and item.kind == "post"
    assert item.url == "https://www.producthunt.com/posts/pgwidget"  # the utm_* parameters dropped
    assert item.link == "https://www.producthunt.com/r/PGWIDGET"
    assert item.title == "Pgwidget: Postgres dashboards"
    assert item.text == "Pgwidget: postgres  dashboards."
    assert (item.author, item.points, item.thread_size) == ("carol", 42, 0)
    assert item.created_at == datetime.fromtimestamp(NOW - 600, UTC)
    assert item.community == "producthunt.com/developer-tools"
    assert ph.queries()[0]["variables"]["topic"] == "developer-tools"
    redacted = (await make(http, ph).fetch(p_feed(ph.url), {}, seeding=False)).items
    assert [i.author for i in redacted] == [None, "carol"]  # "[REDACTED]" names nobody


async def test_first_poll_seeds_then_new_posts_come_once(http: SafeHttp, ph: FakeProductHunt) -> None:
    source = make(http, ph)
    ph.add(post(1, NOW - 100), post(2, NOW - 50))
    first = await source.fetch(p_feed(ph.url), {}, seeding=True)
    assert first.cursor["newest"] == NOW - 50
    ph.add(post(3, NOW - 50), post(4, NOW - OVERLAP_SECONDS - 100), post(5, NOW - 10))
    second = await source.fetch(p_feed(ph.url), first.cursor, seeding=False)
    assert sorted(ids(second.items)) == ["3", "5"]
    floor = datetime.fromtimestamp(NOW - 50 - OVERLAP_SECONDS - 1, UTC)  # the window's floor, less a second
    assert ph.queries()[-1]["variables"]["postedAfter"] == floor.strftime("%Y-%m-%dT%H:%M:%SZ")
    third = await source.fetch(p_feed(ph.url), second.cursor, seeding=False)
    assert third.items == []


async def test_a_restart_neither_skips_nor_repeats_across_pages(http: SafeHttp, ph: FakeProductHunt) -> None:
    ph.add(post(1, NOW - 3000))
    first = await make(http, ph).fetch(p_feed(ph.url), {}, seeding=True)
    stored = json.loads(json.dumps(first.cursor))
    ph.add(*(post(100 + i, NOW - 2000 + i) for i in range(PAGE_SIZE + 5)), post(2, NOW - 3000))
    second = await make(http, ph).fetch(p_feed(ph.url), stored, seeding=False)  # a new process
    assert sorted(ids(second.items)) == sorted(["2", *(str(100 + i) for i in range(PAGE_SIZE + 5))])
    assert [q["variables"]["after"] for q in ph.queries()[1:]] == [None, str(PAGE_SIZE)]
    third = await make(http, ph).fetch(p_feed(ph.url), json.loads(json.dumps(second.cursor)), seeding=False)
    assert third.items == []


async def test_new_comments_on_the_days_posts_come_once(http: SafeHttp, ph: FakeProductHunt) -> None:
    feed = p_feed(ph.url, include=["posts", "comments"])
    ph.add(post(7, NOW - 5000, name="Pgwidget"))
    ph.reply(7, comment(70, NOW - 4000, "Old question"))
    first = await make(http, ph).fetch(feed, {}, seeding=True)
    assert [i.kind for i in first.items] == ["post"]  # the first look at comments only notes where they stand
    ph.reply(7, comment(71, NOW - 60, "Does it <b>support</b> SQLite?"), comment(72, NOW - 30, "Yes", parent=71))
    second = await make(http, ph).fetch(feed, first.cursor, seeding=False)
    assert ids(second.items) == ["c/71"]  # top-level comments are listed; answers are in the thread
    assert second.items[0].title == "Re: Pgwidget: Widgets for teams"
    assert second.items[0].text == "Does it support SQLite?" and second.items[0].kind == "comment"
    assert (await make(http, ph).fetch(feed, second.cursor, seeding=False)).items == []


async def test_reads_a_posts_thread_and_a_comments_answers(http: SafeHttp, ph: FakeProductHunt) -> None:
    source = make(http, ph)
    assert isinstance(source, ThreadSource)
    ph.add(post(9, NOW - 900, name="Pgwidget"))
    ph.reply(9, comment(91, NOW - 800, "First"), comment(93, NOW - 600, "Second"))
    ph.reply(9, comment(92, NOW - 700, "Answer", parent=91, username="dave"))
    listed = (await source.fetch(p_feed(ph.url), {}, seeding=False)).items[0]
    thread = await source.thread(listed)
    assert [(r.external_id, r.depth, r.parent_id) for r in thread.replies] == [
        ("91", 0, None),
        ("92", 1, "91"),
        ("93", 0, None),
    ]
    assert thread.reply_count == 2 and thread.conversation.thread_size == 3 and thread.replies[1].author == "dave"
    below = await source.thread(
        Conversation(source="producthunt", external_id="c/91", url="u", title="t", kind="comment")
    )
    assert [r.external_id for r in below.replies] == ["92"]
    with pytest.raises(FeedError, match="post 404 is gone"):
        await source.thread(Conversation(source="producthunt", external_id="404", url="u", title="t"))


async def test_a_missing_or_refused_token_names_what_to_set(http: SafeHttp, ph: FakeProductHunt) -> None:
    with pytest.raises(FeedError, match="set PRODUCTHUNT_TOKEN"):
        await make(http, ph, token=None).fetch(p_feed(ph.url), {}, seeding=False)
    with pytest.raises(FeedError) as caught:
        await make(http, ph, token="stale-token-9876").fetch(p_feed(ph.url), {}, seeding=False)
    assert "HTTP 401" in str(caught.value) and "check PRODUCTHUNT_TOKEN" in str(caught.value)
    assert "stale-token-9876" not in str(caught.value)
    assert ph.server.requests[-1].headers["authorization"] == "Bearer stale-token-9876"


async def test_the_rate_limit_is_waited_out_and_a_low_budget_pauses_the_feed(
    http: SafeHttp, ph: FakeProductHunt, caplog: pytest.LogCaptureFixture
) -> None:
    ph.add(post(1, NOW - 100))
    ph.remaining, ph.reset_in = 5, 120
    with pytest.raises(FeedError) as caught:
        await make(http, ph).fetch(p_feed(ph.url), {}, seeding=False)
    assert caught.value.retry_after == 120 and "Product Hunt rate limit reached" in str(caught.value)

    ph.remaining = 400  # enough for this query, not a tenth of the window: the feed waits for the reset
    with caplog.at_level(logging.WARNING):
        low = await make(http, ph).fetch(p_feed(ph.url), {}, seeding=False)
    assert ids(low.items) == ["1"] and low.cursor["not_before"] == NOW + 120
    assert "390 of 6250 complexity points left, reset in 120 s" in caplog.text
    asked = len(ph.queries())
    with pytest.raises(FeedError, match="asked for a pause") as paused:
        await make(http, ph, at=NOW + 60).fetch(p_feed(ph.url), low.cursor, seeding=False)
    assert paused.value.retry_after == 60 and len(ph.queries()) == asked  # nothing spent while paused
    ph.remaining = 6250
    after = await make(http, ph, at=NOW + 130).fetch(p_feed(ph.url), low.cursor, seeding=False)
    assert after.items == [] and "not_before" not in after.cursor


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"topics": "x"}, r"unknown Product Hunt option\(s\) topics"),
        ({"topic": "Developer Tools"}, "not a Product Hunt topic slug"),
        ({"include": ["stories"]}, 'include must list "posts" and/or "comments"'),
    ],
)
def test_bad_options_are_refused(http: SafeHttp, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ProductHuntSource(http).check(p_feed("https://api.producthunt.com/v2/api/graphql", **options))


def test_feeds_add_reads_a_topic() -> None:
    assert producthunt_target("https://www.producthunt.com/topics/developer-tools", None).options == {
        "topic": "developer-tools"
    }
    assert producthunt_target(None, None).options == {}
    with pytest.raises(ConfigError, match="no search"):
        producthunt_target("x", "words")
