"""ChatActions on the real store: chat commands, who may run them, claims by message, the numbers and follow-ups."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from earshot.adapters.cli.feedadd import feed_from_args
from earshot.adapters.cli.main import build_parser
from earshot.adapters.http import SafeHttp
from earshot.adapters.sources import KINDS, build_sources, declarations
from earshot.adapters.sources.reddit.source import settings as reddit_settings
from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.actions.chat_actions import Answer, ChatActions, Member, feed_from_target
from earshot.bot.domain import Conversation, OutcomeKind
from earshot.bot.errors import NotAllowed
from earshot.bot.ports import NewAlert
from tests.fakes.clock import T0, Clock

ADMIN = Member("U0ADMIN", "Ada", may_manage=True)
ALICE = Member("U0ALICE", "Alice")
BOB = Member("U0BOB", "Bob")
MOD = Member("U0MOD", "Mo", moderator=True)
HOUR = timedelta(hours=1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def desk(store: MemoryStore, clock: Clock) -> AsyncIterator[ChatActions]:
    http = SafeHttp()
    try:
        yield ChatActions(store, build_sources(http, {}), clock, kinds=declarations())
    finally:
        await http.aclose()


async def delivered(store: MemoryStore, n: int, *, topic: str = "databases", at: Any = T0) -> list[int]:
    """Store ``n`` conversations with one delivered alert each (message refs "C1:<i>"); return the alert ids."""
    items = [
        Conversation("fake", f"{topic}-{i}", f"https://forum.example.com/{topic}/{i}", f"Post {i}") for i in range(n)
    ]
    async with store.unit() as unit:
        stored = await unit.insert_conversations(items, "forum", at)
        await unit.insert_alerts([NewAlert(cid, topic, None, ("postgres",), 60) for cid, _ in stored], at)
        leased = await unit.lease_alerts(at, "sender", timedelta(minutes=5), 100)
        for alert in leased:
            await unit.mark_delivered(alert.id, "sender", at, f"C1:{alert.conversation.external_id}")
    return [alert.id for alert in leased]


async def audit(store: MemoryStore) -> list[tuple[Any, ...]]:
    return [(actor, action) for _, actor, action, _, _ in store.database.tables.audit]  # the twin's table


async def test_an_admin_adds_a_topic_announced_in_the_channel_and_audited(
    store: MemoryStore, desk: ChatActions
) -> None:
    answer = await desk.run_text('topic add vector-db "vector database" OR pgvector #search', ADMIN)
    assert answer == Answer('Ada added topic vector-db: "vector database" OR pgvector → #search', public=True)
    listed = await desk.run_text("topic list", ALICE)
    assert not listed.public
    assert 'vector-db → #search, min score 50: "vector database" OR pgvector' in listed.text
    assert await audit(store) == [("U0ADMIN", "topic.add")]


@pytest.mark.parametrize(
    "text",
    ["topic add rust rust", "topic remove rust", "feed add hackernews rust", "feed remove hackernews-rust"],
)
async def test_someone_who_may_not_manage_is_refused_and_nothing_changes(
    store: MemoryStore, desk: ChatActions, text: str
) -> None:
    answer = await desk.run_text(text, ALICE)
    assert not answer.ok and not answer.public
    assert "Alice, you may not" in answer.text and "Earshot's admins" in answer.text
    assert await desk.topic_names() == [] and await desk.feed_names() == []
    assert await audit(store) == []


async def test_a_bad_query_is_answered_with_where_why_and_an_example(desk: ChatActions) -> None:
    answer = await desk.run_text('topic add broken "vector database', ADMIN)
    assert not answer.ok
    assert "at character" in answer.text and "Example: topic add vector-db" in answer.text
    assert await desk.topic_names() == []


# Queries that once crashed the parser (RecursionError, InvalidOperation, ValueError) or were taken literally.
HOSTILE_QUERIES = ["(" * 300 + "rust" + ")" * 300, "NOT " * 200 + "rust", "rust^.", "rust~.", '"rust lang"~.', "!job"]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
async def test_a_query_that_once_crashed_the_parser_is_answered_with_where_and_why(
    desk: ChatActions, query: str
) -> None:
    # Discord's /earshot topic add calls topic_add; Slack's goes through run_text, which quotes nothing here
    for answer in (await desk.topic_add(ADMIN, "t", query), await desk.run_text(f"topic add t {query}", ADMIN)):
        assert not answer.ok and not answer.public
        assert "at character" in answer.text and "Example: topic add vector-db" in answer.text
    assert await desk.topic_names() == []


async def test_a_bad_command_is_answered_not_raised(desk: ChatActions) -> None:
    answer = await desk.run_text("topic add", ADMIN)
    assert not answer.ok and "Write it as: topic add <name> <query>" in answer.text


async def test_feed_add_names_the_feed_from_its_target_and_uses_the_kinds_interval(desk: ChatActions) -> None:
    first = await desk.run_text('feed add hackernews "vector database"', ADMIN)
    assert first.ok and first.public
    assert "added feed hackernews-vector-database (hackernews, every 2m)" in first.text
    second = await desk.run_text('feed add hackernews "vector database" 10m', ADMIN)
    assert "added feed hackernews-vector-database-2 (hackernews, every 10m)" in second.text
    rss = await desk.run_text("feed add rss https://www.example.com/feed.xml 1h", ADMIN)
    assert "added feed example-com (rss, every 1h)" in rss.text
    listed = await desk.feed_list()
    assert "example-com (rss, every 1h) ok · https://www.example.com/feed.xml" in listed.text
    assert await desk.feed_names("hackernews") == ["hackernews-vector-database", "hackernews-vector-database-2"]


@pytest.mark.parametrize("kind", [*KINDS, "gopher"])
def test_chat_and_cli_give_a_new_feed_the_same_default_interval(kind: str) -> None:
    kinds = declarations()
    target = "https://forum.example.com" if kind in kinds and kinds[kind].target.takes_url else "postgres"
    chat = feed_from_target(kind, target, None, "name", kinds)
    cli, _ = feed_from_args(build_parser().parse_args(["feeds", "add", kind, target]), set())
    assert chat.every == cli.every


async def test_feed_add_from_chat_uses_the_kinds_interval_the_cli_uses(desk: ChatActions) -> None:
    for kind, every in [("github", "5m"), ("stackexchange", "10m"), ("bluesky", "5m")]:
        answer = await desk.run_text(f"feed add {kind} pgvector", ADMIN)
        assert answer.ok, answer.text
        assert f"added feed {kind}-pgvector ({kind}, every {every})" in answer.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("feed add gopher rust", "feed kind 'gopher' is not known; use one of:"),
        ("feed add rss rust 15s", 'too short; use at least "30s"'),
        ("feed add rss ftp://example.com/feed.xml", "must start with http:// or https://"),
    ],
)
async def test_feed_add_refuses_what_the_catalog_refuses(desk: ChatActions, text: str, expected: str) -> None:
    answer = await desk.run_text(text, ADMIN)
    assert not answer.ok
    assert expected in answer.text
    assert await desk.feed_names() == []


async def test_removing_what_is_not_there_says_so(desk: ChatActions) -> None:
    answer = await desk.run_text("topic remove nope", ADMIN)
    assert not answer.ok and "there is no topic 'nope'" in answer.text


async def test_a_button_finds_its_alert_by_message_and_claims_are_first_come(
    store: MemoryStore, desk: ChatActions
) -> None:
    [alert_id] = await delivered(store, 1)
    found = await desk.alert_for_message("C1:databases-0")
    assert found is not None and found.id == alert_id
    assert await desk.alert_for_message("C1:elsewhere") is None
    won = await desk.claim(alert_id, ALICE)
    lost = await desk.claim(alert_id, BOB)
    assert won.won and not lost.won and lost.holder == "U0ALICE"
    with pytest.raises(NotAllowed, match="U0ALICE has claimed it"):
        await desk.record(alert_id, BOB, OutcomeKind.REPLIED)
    await desk.record(alert_id, BOB, OutcomeKind.NOT_RELEVANT)  # anyone may say so
    await desk.record(alert_id, ALICE, OutcomeKind.REPLIED, "asked about their setup")
    view = await desk.view(alert_id)
    assert view.alert.claimed_by == "U0ALICE"
    assert [(o.kind, o.actor) for o in view.outcomes] == [
        (OutcomeKind.NOT_RELEVANT, "U0BOB"),
        (OutcomeKind.REPLIED, "U0ALICE"),
    ]


async def test_only_the_claimer_or_a_moderator_releases(store: MemoryStore, desk: ChatActions) -> None:
    [alert_id] = await delivered(store, 1)
    await desk.claim(alert_id, ALICE)
    with pytest.raises(NotAllowed):
        await desk.release(alert_id, BOB)
    await desk.release(alert_id, MOD)
    assert (await desk.view(alert_id)).alert.claimed_by is None


async def test_mine_lists_open_claims_and_unclaimed_lists_what_waits(store: MemoryStore, desk: ChatActions) -> None:
    ids = await delivered(store, 4)
    await desk.claim(ids[0], ALICE)
    await desk.claim(ids[1], ALICE)
    await desk.record(ids[1], ALICE, OutcomeKind.NOTE, "will answer tonight")  # a note does not settle it
    await desk.claim(ids[2], BOB)
    await desk.record(ids[2], BOB, OutcomeKind.LEAD)
    mine = await desk.run_text("mine", ALICE)
    assert [a.id for a in mine.alerts] == ids[:2] and "Your open claims (2)" in mine.text
    assert (await desk.run_text("mine", BOB)).alerts == ()
    waiting = await desk.run_text("unclaimed", BOB)
    assert [a.id for a in waiting.alerts] == [ids[3]]
    await desk.record(ids[3], BOB, OutcomeKind.NOT_RELEVANT)
    assert "Nothing is waiting" in (await desk.unclaimed()).text


async def test_unclaimed_leaves_out_alerts_older_than_a_week(
    store: MemoryStore, desk: ChatActions, clock: Clock
) -> None:
    await delivered(store, 1)
    clock.advance(timedelta(days=8))
    assert (await desk.unclaimed()).alerts == ()


async def test_stats_counts_alerts_claims_and_outcomes_per_topic_over_the_period(
    store: MemoryStore, desk: ChatActions, clock: Clock
) -> None:
    old = await delivered(store, 2, topic="old", at=T0 - timedelta(days=40))
    db = await delivered(store, 3, topic="databases")
    rust = await delivered(store, 1, topic="rust")
    await desk.me(ALICE, ["hackernews=alice"])
    await desk.claim(old[0], ALICE)
    clock.advance(timedelta(minutes=30))
    await desk.claim(db[0], ALICE)
    await desk.record(db[0], ALICE, OutcomeKind.REPLIED)
    await desk.record(db[0], ALICE, OutcomeKind.REPLIED)  # counted once per alert
    clock.advance(timedelta(minutes=60))
    await desk.claim(db[1], BOB)
    await desk.record(rust[0], BOB, OutcomeKind.NOT_RELEVANT)
    clock.advance(timedelta(days=1))  # db[2] has waited a day unclaimed: stale; rust was dismissed: not stale
    answer = await desk.run_text("stats", ALICE)
    assert answer.text.splitlines() == [
        "Since 2025-02-23 (7d): 4 alerts, 2 claimed (50%), median time to claim 1 h",
        "Replied to 1 (50% of claimed), 0 got answers (0% of replies); 1 unclaimed went stale",
        "Recorded outcomes: not relevant 1 · replied 1",
        "By topic:",
        "  databases: 3 alerts, 2 claimed (67%), replied 1 (50%), answered 0, 1 went stale, recorded: replied 1",
        "  rust: 1 alert, 0 claimed (0%), replied 0 (-), answered 0, recorded: not relevant 1",
        "By person:",
        "  Alice: 1 claimed, claims in 30 min, replied 1 (100%), answered 0, recorded: replied 1",
        "  U0BOB: 1 claimed, claims in 1.5 h, replied 0 (0%), answered 0",
        "By source:",
        "  fake: 4 alerts, 2 claimed (50%), replied 1 (50%), answered 0, 1 went stale, "
        "recorded: not relevant 1 · replied 1",
    ]
    month = await desk.stats("60d")
    assert month.text.startswith("Since 2025-01-01 (60d): 6 alerts, 3 claimed (50%)")
    clock.advance(2 * HOUR)
    assert (await desk.stats("1h")).text == "No alerts were posted since 2025-03-02 (1h)."


@pytest.mark.parametrize("period", ["soon", "0s"])
async def test_stats_refuses_a_period_it_cannot_read(desk: ChatActions, period: str) -> None:
    answer = await desk.stats(period)
    assert not answer.ok and "Example: stats 30d" in answer.text


async def test_follow_ups_come_once_per_claim_after_the_delay_and_not_when_settled(
    store: MemoryStore, desk: ChatActions, clock: Clock
) -> None:
    ids = await delivered(store, 3)
    for alert_id in ids:
        await desk.claim(alert_id, ALICE)
    await desk.record(ids[2], ALICE, OutcomeKind.NOT_WORTH_IT)
    assert await desk.due_followups(24 * HOUR) == []
    clock.advance(25 * HOUR)
    assert [a.id for a in await desk.due_followups(24 * HOUR)] == ids[:2]
    assert await desk.due_followups(24 * HOUR) == []  # asked once
    # A new claim is a new question.
    await desk.release(ids[0], ALICE)
    await desk.claim(ids[0], BOB)
    clock.advance(25 * HOUR)
    assert [(a.id, a.claimed_by) for a in await desk.due_followups(24 * HOUR)] == [(ids[0], "U0BOB")]


async def test_two_processes_never_take_the_same_follow_up(make_store: Callable[[], MemoryStore], clock: Clock) -> None:
    first, second = make_store(), make_store()
    ids = await delivered(first, 20)
    desks = [ChatActions(store, {}, clock) for store in (first, second)]
    for alert_id in ids:
        await desks[0].claim(alert_id, ALICE)
    clock.advance(25 * HOUR)
    taken = await asyncio.gather(*(d.due_followups(24 * HOUR, limit=20) for d in desks for _ in range(2)))
    got = [alert.id for batch in taken for alert in batch]
    assert sorted(got) == ids


async def test_me_links_lists_and_guards_handles(store: MemoryStore, desk: ChatActions) -> None:
    empty = await desk.run_text("me", ALICE)
    assert empty.ok and "no accounts are linked to you yet" in empty.text
    linked = await desk.run_text("me hackernews=Alice reddit=u/alice_b mastodon=@alice@hachyderm.io", ALICE)
    assert linked.text == (
        "Alice, your accounts now linked: hackernews=alice · mastodon=alice@hachyderm.io · reddit=alice_b"
    )
    assert (await desk.run_text("me", ALICE)).text.startswith("Alice, your accounts linked: hackernews=alice")
    # Someone else's handle is refused and nothing of the request is kept.
    taken = await desk.run_text("me reddit=bob hackernews=ALICE", BOB)
    assert not taken.ok and taken.text.startswith("alice on hackernews is linked to Alice already")
    assert "no accounts" in (await desk.run_text("me", BOB)).text
    bad = await desk.run_text("me alice", BOB)
    assert not bad.ok and "'alice' is not source=handle. Example: me hackernews=alice" in bad.text
    # A new handle on a source replaces the member's old one there.
    await desk.run_text("me hackernews=alice2", ALICE)
    async with store.unit() as unit:
        handles = await unit.list_handles(ALICE.id)
    assert [(h.source, h.handle, h.name) for h in handles] == [
        ("hackernews", "alice2", "Alice"),
        ("mastodon", "alice@hachyderm.io", "Alice"),
        ("reddit", "alice_b", "Alice"),
    ]


async def test_custom_outcomes_are_recorded_with_their_label(store: MemoryStore, clock: Clock) -> None:
    http = SafeHttp()
    desk = ChatActions(
        store, build_sources(http, {}), clock, kinds=declarations(), custom_outcomes=("Conference talk", "partnership")
    )
    try:
        (alert_id,) = await delivered(store, 1)
        await desk.claim(alert_id, ALICE)
        outcome = await desk.record(alert_id, ALICE, OutcomeKind.CUSTOM, "they invited us", label="conference TALK")
        assert (outcome.kind, outcome.label, outcome.note) == (OutcomeKind.CUSTOM, "Conference talk", "they invited us")
        await desk.record(alert_id, ALICE, OutcomeKind.SIGNUP)
        with pytest.raises(NotAllowed, match="'webinar' is not one of this team's outcomes; they are: 'Conference"):
            await desk.record(alert_id, ALICE, OutcomeKind.CUSTOM, label="webinar")
        with pytest.raises(NotAllowed, match="only a custom outcome has a label"):
            await desk.record(alert_id, ALICE, OutcomeKind.LEAD, label="x")
        view = await desk.view(alert_id)
        assert [(o.kind, o.label) for o in view.outcomes] == [
            (OutcomeKind.CUSTOM, "Conference talk"),
            (OutcomeKind.SIGNUP, None),
        ]
        assert (OutcomeKind.CUSTOM, "partnership", "partnership") in desk.outcome_choices()
        stats = await desk.stats("1d")
        assert "Recorded outcomes: Conference talk 1 · signup 1" in stats.text
    finally:
        await http.aclose()


async def test_feed_add_reads_r_slash_name_as_a_subreddit(desk: ChatActions) -> None:
    answer = await desk.run_text("feed add reddit r/rust", ADMIN)
    assert answer.ok, answer.text
    [state] = await desk.catalog.feeds()
    assert (state.feed.name, state.feed.query, state.feed.options) == ("reddit-rust", None, {"subreddit": "rust"})
    read = reddit_settings(state.feed)
    assert (read.subreddit, read.query) == ("rust", None)
