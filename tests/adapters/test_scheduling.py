"""The Runner in-process on the real store: feeds polled on their own schedule, alerts delivered, clean stop.

Real time, short intervals (the store accepts 1 s feeds; only the config file insists on 30 s or more), a fake
source behind the Source port and a Chat that records what it was given.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import select, update

from earshot.adapters import scheduling
from earshot.adapters.scheduling import Runner
from earshot.adapters.storage import SqlStore, tables
from earshot.bot.actions.chat_actions import ChatActions, Member
from earshot.bot.delivering.outbox import Deliverer, DeliveryReport
from earshot.bot.domain import Alert, Conversation, Feed, FetchResult, Notice, Progress, Topic
from earshot.bot.errors import FeedError
from earshot.bot.finding.polling import Poller, PollPolicy
from earshot.bot.followup.retention import RetentionPolicy
from earshot.bot.ports import NewAlert

SECOND = timedelta(seconds=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeSource:
    """Each fetch of a feed returns one new item that matches the topic "postgres"; can hold or fail fetches."""

    kind: str = "fake"
    calls: Counter[str] = field(default_factory=Counter)
    fetched_at: dict[str, list[float]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    hold: asyncio.Event | None = None  # when set to an Event, fetches wait for it
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    def check(self, feed: Feed) -> None:
        pass

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        n = self.calls[feed.name]
        self.calls[feed.name] += 1
        self.fetched_at.setdefault(feed.name, []).append(time.monotonic())
        if feed.name in self.failing:
            raise FeedError(f"{feed.name}: HTTP 503 from the fake")
        if self.hold is not None:
            self.entered.set()
            await self.hold.wait()
        item = Conversation(
            source="fake",
            external_id=f"{feed.name}-{n}",
            url=f"https://fake.example.com/{feed.name}/{n}",
            title=f"Postgres question {n} from {feed.name}",
        )
        return FetchResult([item], {"n": n})


@dataclass
class RecordingChat:
    """A Chat that keeps every alert and notice it is given."""

    alerts: list[Alert] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    async def send_alert(self, alert: Alert) -> str:
        self.alerts.append(alert)
        return f"msg-{alert.id}"

    async def send_notice(self, notice: Notice) -> None:
        self.notices.append(notice)

    def ids(self, feed: str) -> list[str]:
        """External ids of the alerted items of one feed, in delivery order."""
        return [a.conversation.external_id for a in self.alerts if a.conversation.external_id.startswith(f"{feed}-")]


@dataclass
class Running:
    """A Runner running as a task, with its fakes."""

    runner: Runner
    source: FakeSource
    chat: RecordingChat
    stop: asyncio.Event
    task: asyncio.Task[None]


async def add_feed(store: SqlStore, name: str, every: timedelta = SECOND) -> None:
    async with store.unit() as unit:
        await unit.add_feed(Feed(name=name, kind="fake", every=every), utc_now())


async def wait_until(predicate: Callable[[], bool], timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def stored_ids(store: SqlStore) -> set[str]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(select(tables.conversations.c.external_id))
        return {row.external_id for row in rows}


@pytest.fixture
async def running(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    """A Runner on the store with one 1 s feed and a topic; reconciling every second; stopped at the end."""
    monkeypatch.setattr(scheduling, "RECONCILE_EVERY", SECOND)
    async with store.unit() as unit:
        await unit.add_topic(Topic("pg", "postgres", min_score=0))
    await add_feed(store, "one")
    source = FakeSource()
    chat = RecordingChat()
    policy = PollPolicy(jitter=0.05, max_backoff=timedelta(minutes=5), lease=timedelta(seconds=30))
    poller = Poller(store, {"fake": source}, utc_now, "runner", policy, notices=chat)
    deliverer = Deliverer(store, chat, utc_now, "runner")
    runner = Runner(store, poller, deliverer, utc_now, SECOND)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        yield Running(runner, source, chat, stop, task)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_first_poll_seeds_then_each_new_item_is_delivered_once(store: SqlStore, running: Running) -> None:
    source, chat = running.source, running.chat
    await wait_until(lambda: len(chat.ids("one")) >= 3)
    # The first poll recorded item 0 and alerted nothing; each later poll brought one item and one alert.
    assert chat.ids("one")[:3] == ["one-1", "one-2", "one-3"]
    assert len({a.id for a in chat.alerts}) == len(chat.alerts)
    assert all(a.topic == "pg" for a in chat.alerts)
    assert source.calls["one"] >= 4
    # Polls follow the feed's 1 s interval (with 5% jitter), not faster.
    times = source.fetched_at["one"]
    assert all(b - a > 0.8 for a, b in pairwise(times))

    stopped = time.monotonic()
    running.stop.set()
    await asyncio.wait_for(running.task, 5)
    assert time.monotonic() - stopped < 5
    calls = source.calls["one"]
    delivered = len(chat.alerts)
    await asyncio.sleep(1.5)
    assert source.calls["one"] == calls  # nothing runs after run() returned
    assert len(chat.alerts) == delivered
    assert len(set(chat.ids("one"))) == len(chat.ids("one"))
    assert "one-0" not in chat.ids("one")


@dataclass
class SlowDeliverer:
    """A deliverer whose first round lasts until ``release`` is set (a slow platform, a long digest)."""

    rounds: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)
    started: asyncio.Event = field(default_factory=asyncio.Event)

    async def deliver(self) -> DeliveryReport:
        self.rounds += 1
        if self.rounds == 1:
            self.started.set()
            await self.release.wait()
        return DeliveryReport()


async def test_alerts_found_during_a_delivery_round_get_a_round_right_after_it(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_topic(Topic("pg", "postgres", min_score=0))
    await add_feed(store, "one")
    source, deliverer = FakeSource(), SlowDeliverer()
    poller = Poller(store, {"fake": source}, utc_now, "runner", PollPolicy(jitter=0.0))
    # Delivery every hour: only a poll that finds alerts asks for a round sooner.
    runner = Runner(store, poller, deliverer, utc_now, timedelta(hours=1))  # type: ignore[arg-type]
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await asyncio.wait_for(deliverer.started.wait(), 10)  # the first round runs at start, and lasts
        await wait_until(lambda: source.calls["one"] >= 2)  # the seeding poll, then one that found an alert
        source.failing.add("one")  # and no more: no later poll asks for a round
        await asyncio.sleep(0.2)
        assert deliverer.rounds == 1
        deliverer.release.set()
        # Not an hour later: the round asked for during the first one runs as soon as it ends.
        await wait_until(lambda: deliverer.rounds >= 2, timeout=5)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_a_feed_added_while_running_is_picked_up_and_a_removed_one_is_dropped(
    store: SqlStore, running: Running
) -> None:
    source, chat = running.source, running.chat
    await wait_until(lambda: source.calls["one"] >= 1)
    await add_feed(store, "two")
    await wait_until(lambda: len(chat.ids("two")) >= 1)  # reconciled, seeded, polled again, delivered
    assert chat.ids("two")[0] == "two-1"

    async with store.unit() as unit:
        assert await unit.remove_feed("one")
    await asyncio.sleep(1.6)  # the next reconcile (every second here) drops its job
    assert running.runner.scheduler.get_job("feed:one") is None
    calls = source.calls["one"]
    two = source.calls["two"]
    await asyncio.sleep(2.5)
    assert source.calls["one"] == calls
    assert source.calls["two"] >= two + 2  # the other feed keeps going


async def test_stop_lets_the_poll_in_flight_finish_and_store_its_items(store: SqlStore, running: Running) -> None:
    source = running.source
    await wait_until(lambda: source.calls["one"] >= 1)  # seeded
    source.hold = asyncio.Event()
    source.entered.clear()
    await asyncio.wait_for(source.entered.wait(), 5)
    in_flight = f"one-{source.calls['one'] - 1}"

    running.stop.set()
    await asyncio.sleep(0.3)
    assert not running.task.done()  # it waits for the poll in hand
    source.hold.set()
    await asyncio.wait_for(running.task, 5)

    assert in_flight in await stored_ids(store)
    async with store.unit() as unit:
        state = await unit.get_feed("one")
        assert await unit.count_undelivered() >= 1  # its alert is in the outbox for the next start
    assert state is not None
    assert state.cursor == {"n": source.calls["one"] - 1}
    assert state.last_success_at is not None
    async with store.unit() as unit:  # its lease was released: another process may take the feed at once
        leased = await unit.lease_feeds(utc_now(), "next-process", timedelta(minutes=1), due_only=False)
    assert [s.feed.name for s in leased] == ["one"]


async def test_a_failing_feed_is_retried_at_its_backoff_time_not_hammered(store: SqlStore, running: Running) -> None:
    source, runner = running.source, running.runner
    source.failing.add("bad")
    await add_feed(store, "bad")
    await wait_until(lambda: source.calls["bad"] >= 1)
    first = source.fetched_at["bad"][0]
    await asyncio.sleep(3.5 - (time.monotonic() - first))
    # Backoff from min(every, 60 s) = 1 s, doubling: tries at 0, 1 and 3 s; the next one at 7 s.
    assert source.calls["bad"] == 3, source.fetched_at["bad"]
    gaps = [b - a for a, b in pairwise(source.fetched_at["bad"])]
    assert 0.9 < gaps[0] < 1.5 and 1.9 < gaps[1] < 2.5, gaps

    async with store.unit() as unit:
        state = await unit.get_feed("bad")
    assert state is not None
    assert state.consecutive_failures == 3
    assert state.last_error == "bad: HTTP 503 from the fake"
    assert state.next_poll_at is not None and state.next_poll_at > utc_now() + timedelta(seconds=3)
    job = runner.scheduler.get_job("feed:bad")
    assert job is not None and job.next_run_time == state.next_poll_at
    # The third failure in a row tells the channel, once.
    assert [n.feed for n in running.chat.notices] == ["bad"]
    assert source.calls["one"] >= 3  # the healthy feed is not held up


@dataclass
class ListeningChat(RecordingChat):
    """A RecordingChat that also listens: it records start, stop and each follow-up, and can fail follow-ups."""

    events: list[str] = field(default_factory=list)
    failing_follow_ups: bool = False

    async def start(self) -> None:
        self.events.append("start")

    async def stop(self) -> None:
        self.events.append("stop")

    async def follow_up(self, alert: Alert) -> None:
        self.events.append(f"follow-up {alert.id}")
        if self.failing_follow_ups:
            raise RuntimeError("chat is down")


@pytest.mark.parametrize("failing", [False, True], ids=["asked", "asking-fails"])
async def test_a_listening_chat_is_started_asked_to_follow_up_each_claim_once_and_stopped(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, failing: bool
) -> None:
    monkeypatch.setattr(scheduling, "FOLLOW_UP_EVERY", SECOND)
    async with store.unit() as unit:
        await unit.add_topic(Topic("pg", "postgres", min_score=0))
    await add_feed(store, "one")
    chat = ListeningChat(failing_follow_ups=failing)
    poller = Poller(store, {"fake": FakeSource()}, utc_now, "runner", notices=chat)
    desk = ChatActions(store, {}, utc_now)
    runner = Runner(
        store,
        poller,
        Deliverer(store, chat, utc_now, "runner"),
        utc_now,
        SECOND,
        listener=chat,
        desk=desk,
        follow_up_after=timedelta(0),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await wait_until(lambda: bool(chat.alerts))
        assert chat.events == ["start"]
        alert = chat.alerts[0]
        await desk.claim(alert.id, Member("U1", "Alice"))
        await wait_until(lambda: f"follow-up {alert.id}" in chat.events)
        await asyncio.sleep(2.5)  # two more follow-up rounds: the claim is not asked about again
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert chat.events.count(f"follow-up {alert.id}") == 1
    assert chat.events[0] == "start" and chat.events[-1] == "stop"


@dataclass
class RedrawingChat(ListeningChat):
    """A ListeningChat that can edit its messages: it records each redraw, and can fail the first."""

    redrawn: list[tuple[int, int]] = field(default_factory=list)  # (alert id, sightings shown)
    fail_once: bool = False

    async def refresh(self, alert: Alert, progress: Progress) -> None:
        if self.fail_once:
            self.fail_once = False
            raise RuntimeError("chat is down")
        self.redrawn.append((alert.id, len(alert.also_seen)))


async def test_messages_of_alerts_that_learned_of_a_crosspost_are_redrawn_once(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_topic(Topic("pg", "postgres", min_score=0))
    chat = RedrawingChat(fail_once=True)
    items = [Conversation("fake", "1", "https://fake.example.com/1", "Postgres question")]
    async with store.unit() as unit:
        [(cid, _)] = await unit.insert_conversations(items, "one", utc_now())
        await unit.insert_alerts([NewAlert(cid, "pg", None, ("postgres",), 60)], utc_now())
    await Deliverer(store, chat, utc_now, "runner").deliver()
    async with store.engine.begin() as connection:
        await connection.execute(update(tables.alerts).values(needs_refresh=True))
    poller = Poller(store, {"fake": FakeSource()}, utc_now, "runner", notices=chat)
    desk = ChatActions(store, {}, utc_now)
    runner = Runner(store, poller, Deliverer(store, chat, utc_now, "runner"), utc_now, SECOND, listener=chat, desk=desk)
    await runner.redraw()  # the chat fails: the flag stays, to try again
    await runner.redraw()
    await runner.redraw()  # nothing left to redraw
    assert chat.redrawn == [(chat.alerts[0].id, 0)]


@dataclass
class CountingPruner:
    """A pruner that counts its runs, and keeps nothing for ever (so the Runner schedules it)."""

    policy: Any = field(default_factory=lambda: RetentionPolicy())
    runs: int = 0

    async def prune(self, *, stopping: asyncio.Event | None = None) -> dict[str, int]:
        self.runs += 1
        return {}


async def test_retention_prunes_at_start_and_not_at_all_when_everything_is_kept(store: SqlStore) -> None:
    pruning, keeping = CountingPruner(), CountingPruner(policy=RetentionPolicy(None, None, None))
    for pruner in (pruning, keeping):
        poller = Poller(store, {}, utc_now, "runner")
        runner = Runner(
            store, poller, Deliverer(store, RecordingChat(), utc_now, "runner"), utc_now, SECOND, pruner=pruner
        )  # type: ignore[arg-type]
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        if pruner is pruning:
            await wait_until(lambda: pruning.runs == 1)
        else:
            await asyncio.sleep(0.5)
        stop.set()
        await asyncio.wait_for(task, 10)
    assert (pruning.runs, keeping.runs) == (1, 0)
