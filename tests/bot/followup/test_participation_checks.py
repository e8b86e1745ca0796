"""Automatic participation checks on the real store: threads that change between checks, a controllable clock,
and the update the console prints and the webhook posts."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from earshot.adapters.chat.console import ConsoleChat
from earshot.adapters.chat.webhook import WebhookChat
from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.domain import Conversation, Handle, Outcome, OutcomeKind, Participation
from earshot.bot.followup.participation_checks import CheckPolicy, ParticipationChecker
from earshot.bot.guest.check import manners_judge
from earshot.bot.guest.ours import Ours
from earshot.bot.ports import NewAlert
from tests.fakes.clock import T0, Clock
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.threads import FakeThreads
from tests.fakes.webhook import WebhookReceiver

H = timedelta(hours=1)
DAY = timedelta(days=1)
POSTED = T0 - 2 * H


async def posted_alert(store: MemoryStore, item: str = "100", *, source: str = "hackernews") -> int:
    """A delivered alert on HN item ``item``, posted two hours before T0."""
    conversation = Conversation(
        source,
        item,
        f"https://news.ycombinator.com/item?id={item}",
        f"Ask HN: Which queue for Postgres? ({item})",
        author="op",
        created_at=POSTED,
    )
    async with store.unit() as unit:
        stored = await unit.insert_conversations([conversation], "hn", POSTED)
        await unit.insert_alerts([NewAlert(stored[0][0], "databases", None, ("postgres",), 70)], POSTED)
        (alert,) = await unit.lease_alerts(POSTED, "sender", timedelta(minutes=5), 10)
        await unit.mark_delivered(alert.id, "sender", POSTED, f"console:{alert.id}")
        await unit.set_handles(
            [Handle("U1", "hackernews", "alice", "Alice"), Handle("U2", "hackernews", "bob", "Bob")], POSTED
        )
    return alert.id


async def claim(store: MemoryStore, alert_id: int, who: str = "U1") -> None:
    async with store.unit() as unit:
        assert (await unit.claim(alert_id, who, T0)).won


@pytest.fixture
def clock() -> Clock:
    return Clock()


def checker(
    store: MemoryStore, threads: FakeThreads, clock: Clock, chat: object = None, owner: str = "p1"
) -> ParticipationChecker:
    return ParticipationChecker(
        store, {"hackernews": threads}, clock, owner, CheckPolicy(retry=timedelta(minutes=10), attempts=2), chat
    )  # type: ignore[arg-type]


async def test_checks_follow_the_thread_as_it_changes_and_the_console_prints_updates(
    store: MemoryStore, clock: Clock
) -> None:
    alert_id = await posted_alert(store)
    await claim(store, alert_id)
    threads = FakeThreads()
    out = io.StringIO()
    run = checker(store, threads, clock, ConsoleChat(clock, "conversations", out)).run

    assert (await run()).checked == ()  # the first check is an hour after the claim
    assert threads.reads == []
    clock.advance(H)
    first = await run()
    assert [(p.after, p.replied_by, p.responses) for p in first.checked] == [(H, None, 0)]
    assert out.getvalue() == ""  # nothing new to show yet

    # Alice replies 3 hours after the post; someone answers her, a stranger posts elsewhere in the thread.
    threads.add("100", "201", "alice", T0 + H, points=2)
    threads.add("100", "202", "carol", T0 + 2 * H, parent="201")
    threads.add("100", "203", "erin", T0 + 2 * H)
    clock.advance(DAY - H)
    second = await run()
    assert [(p.after, p.replied_by, p.replied_at, p.responses, p.votes) for p in second.checked] == [
        (DAY, "U1", T0 + H, 1, 2)
    ]
    assert second.refreshed == 1
    assert out.getvalue().splitlines()[0] == (
        f"[update] alert {alert_id} · Ask HN: Which queue for Postgres? (100): "
        "Alice replied 3 h after the post · 1 response · 2 votes"
    )

    # More answers arrive before the last check.
    threads.add("100", "204", "dave", T0 + 3 * DAY, parent="201")
    threads.add("100", "205", "frank", T0 + 3 * DAY, parent="202")
    threads.replies["100"][0] = replace(threads.replies["100"][0], points=9)  # her reply got more votes
    clock.advance(6 * DAY)
    third = await run()
    assert [(p.after, p.responses, p.votes) for p in third.checked] == [(7 * DAY, 3, 9)]
    assert out.getvalue().splitlines()[-2].endswith("Alice replied 3 h after the post · 3 responses · 9 votes")
    clock.advance(30 * DAY)
    assert (await run()).checked == ()
    assert threads.reads == ["100", "100", "100"]

    async with store.unit() as unit:
        latest = await unit.latest_participation(alert_id)
    reply = "https://news.ycombinator.com/item?id=201"  # Alice's reply itself; no judge: manners not recorded
    assert latest == Participation(alert_id, 7 * DAY, T0 + 7 * DAY, "U1", T0 + H, 3, 9, reply, None, None)


@pytest.mark.parametrize(
    ("text", "manners"),
    [
        ("Use SKIP LOCKED; a worker that dies leaves its row for the next one after the lock drops.", (False, False)),
        (
            "Use SKIP LOCKED. Disclosure: I work on Tidewater, which does this for you: https://tidewater.dev",
            (True, True),
        ),
        ("Tidewater handles this out of the box, check it out: https://tidewater.dev/queues", (True, False)),
    ],
)
async def test_each_counted_reply_records_whether_it_promoted_and_disclosed(
    store: MemoryStore, clock: Clock, text: str, manners: tuple[bool, bool]
) -> None:
    alert_id = await posted_alert(store)
    await claim(store, alert_id)
    threads = FakeThreads()
    threads.add("100", "201", "alice", T0 + H, text=text)
    judged = ParticipationChecker(
        store,
        {"hackernews": threads},
        clock,
        "p1",
        CheckPolicy(),
        judge=manners_judge(Ours(("Tidewater",), ("tidewater.dev",)), {}),
    )
    clock.advance(H)
    await judged.run()
    async with store.unit() as unit:
        latest = await unit.latest_participation(alert_id)
        (counted,) = await unit.team_replies(place=("hackernews", None))
    assert latest is not None and (latest.promoted, latest.disclosed) == manners
    assert (counted.member, counted.reply_url, counted.promoted) == (
        "U1",
        "https://news.ycombinator.com/item?id=201",
        manners[0],
    )


async def test_the_webhook_posts_an_update_with_the_participation_fields(store: MemoryStore, clock: Clock) -> None:
    alert_id = await posted_alert(store)
    await claim(store, alert_id, "U2")
    threads = FakeThreads()
    threads.add("100", "201", "Bob", T0 + 30 * timedelta(minutes=1))
    threads.add("100", "202", "carol", T0 + H, parent="201")
    with FakeHttpServer() as server:
        hook = WebhookReceiver(server)
        async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as http:
            chat = WebhookChat(http, hook.url, "conversations")
            clock.advance(H)
            await checker(store, threads, clock, chat).run()
    (update,) = [p for p in hook.accepted if p["type"] == "update"]
    assert update == {
        "type": "update",
        "alert_id": alert_id,
        "channel": "conversations",
        "url": "https://news.ycombinator.com/item?id=100",
        "claimed_by": "U2",
        "replied_by": "U2",
        "replied_by_name": "Bob",
        "replied_at": (T0 + 30 * timedelta(minutes=1)).isoformat(),
        "responses": 1,
        "votes": None,
        "checked_at": (T0 + H).isoformat(),
        "after_seconds": 3600,
        "outcome": None,
        "outcome_label": None,
        "text": "Bob replied 2 h after the post · 1 response",
    }
    assert hook.received[0].headers["idempotency-key"] == f"earshot-update-{alert_id}-{(T0 + H).isoformat()}"


async def test_what_people_recorded_wins_over_the_check_on_the_message(store: MemoryStore, clock: Clock) -> None:
    alert_id = await posted_alert(store)
    await claim(store, alert_id)
    async with store.unit() as unit:
        await unit.add_outcome(Outcome(alert_id, OutcomeKind.NOT_WORTH_IT, "U1", T0 + 10 * timedelta(minutes=1)))
    threads = FakeThreads()
    threads.add("100", "201", "alice", T0)
    out = io.StringIO()
    clock.advance(H)
    await checker(store, threads, clock, ConsoleChat(clock, "c", out)).run()
    assert out.getvalue().strip().endswith(": Marked not worth it")


async def test_a_thread_that_cannot_be_read_is_retried_then_given_up(store: MemoryStore, clock: Clock) -> None:
    alert_id = await posted_alert(store)
    await claim(store, alert_id)
    threads = FakeThreads(failing={"100": "HTTP 503 from the API"})
    run = checker(store, threads, clock).run
    clock.advance(H)
    assert (await run()).errors == (f"alert {alert_id}: HTTP 503 from the API",)
    assert (await run()).failed == 0  # not due again before the retry delay
    clock.advance(timedelta(minutes=10))
    assert (await run()).failed == 1  # second attempt: the policy allows two, so this one gives up
    clock.advance(timedelta(minutes=10))
    assert (await run()).failed == 0
    [row] = [c for c in store.database.tables.checks.values() if c.after == timedelta(hours=1)]  # the twin's table
    assert (row.attempts, row.last_error, row.checked_at is not None, row.responses) == (
        2,
        "HTTP 503 from the API",
        True,
        None,
    )
    async with store.unit() as unit:
        assert await unit.latest_participation(alert_id) is None  # a check that gave up says nothing


async def test_sources_without_threads_get_no_checks(store: MemoryStore, clock: Clock) -> None:
    alert_id = await posted_alert(store, source="rss")
    await claim(store, alert_id)
    clock.advance(8 * DAY)
    report = await checker(store, FakeThreads(), clock).run()
    assert report.checked == () and report.failed == 0


async def test_several_processes_share_the_checks_and_each_is_read_once(
    make_store: Callable[[], MemoryStore], clock: Clock
) -> None:
    first = make_store()
    ids = [await posted_alert(first, str(100 + n)) for n in range(6)]
    for alert_id in ids:
        await claim(first, alert_id)
    threads = FakeThreads()
    clock.advance(H)
    checkers = [checker(make_store(), threads, clock, owner=f"p{n}") for n in range(3)]
    reports = await asyncio.gather(*(c.run() for c in checkers))
    assert sorted(p.alert_id for r in reports for p in r.checked) == sorted(ids)
    assert sorted(threads.reads) == sorted(str(100 + n) for n in range(6))


async def test_the_desk_view_carries_the_latest_check_and_its_line(store: MemoryStore, clock: Clock) -> None:
    from earshot.bot.actions.chat_actions import ChatActions

    alert_id = await posted_alert(store)
    await claim(store, alert_id)
    desk = ChatActions(store, {}, clock)
    assert (await desk.view(alert_id)).progress == ""
    threads = FakeThreads()
    threads.add("100", "201", "alice", T0 + H)
    clock.advance(DAY)
    await checker(store, threads, clock).run()  # the 1 h and 1 d checks both come due; both see the reply
    view = await desk.view(alert_id)
    assert view.participation is not None and view.participation.after == DAY
    assert view.progress == "Alice replied 3 h after the post · no responses yet"


async def test_a_new_claim_of_a_released_alert_gets_checks_of_its_own(store: MemoryStore, clock: Clock) -> None:
    alert_id = await posted_alert(store)
    await claim(store, alert_id)
    threads = FakeThreads()
    run = checker(store, threads, clock).run
    clock.advance(H)
    assert [p.after for p in (await run()).checked] == [H]
    async with store.unit() as unit:
        assert await unit.release_claim(alert_id, "U1")
        assert (await unit.claim(alert_id, "U2", clock.now)).won  # Bob takes it over
    threads.add("100", "201", "bob", clock.now + 10 * timedelta(minutes=1))
    clock.advance(H)
    # Bob's claim is an hour old: its first check; Alice's claim's later checks stay on their own schedule.
    assert [(p.after, p.replied_by) for p in (await run()).checked] == [(H, "U2")]
    clock.advance(DAY)
    assert sorted((p.after, p.replied_by) for p in (await run()).checked) == [(DAY, "U2"), (DAY, "U2")]


async def test_what_metered_thread_reads_spend_is_counted_even_when_a_read_fails(
    store: MemoryStore, clock: Clock
) -> None:
    first, second = await posted_alert(store, "100"), await posted_alert(store, "101")
    await claim(store, first)
    await claim(store, second)
    threads = FakeThreads(usage={"requests": 2, "posts": 3})
    threads.failing["101"] = "HTTP 503"
    clock.advance(H)

    report = await checker(store, threads, clock).run()

    assert (len(report.checked), report.failed) == (1, 1)
    async with store.unit() as unit:
        [day] = await unit.usage_since(clock().date())
    assert (day.kind, dict(day.counts)) == ("hackernews", {"posts": 6, "requests": 4})
