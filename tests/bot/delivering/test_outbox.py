"""Delivery through the Deliverer on the real store: oldest first, once each, retried with backoff, shared safely."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.delivering.outbox import Deliverer, DeliveryPolicy, DeliveryReport
from earshot.bot.domain import Alert, Conversation, DeliveryState, Notice
from earshot.bot.errors import DeliveryError
from earshot.bot.ports import NewAlert
from earshot.bot.timing import delivery_backoff
from tests.fakes.clock import T0, Clock

POLICY = DeliveryPolicy(lease=timedelta(seconds=60), batch=20, max_backoff=timedelta(hours=1))
TICK = timedelta(microseconds=1)


class RecordingChat:
    """A chat that records every alert it is handed and raises the errors scripted for an alert id."""

    def __init__(self) -> None:
        self.attempts: list[int] = []
        self.sent: list[int] = []
        self.failures: dict[int, list[Exception]] = defaultdict(list)

    def fail(self, alert_id: int, *errors: Exception) -> None:
        """Make the next attempts to post ``alert_id`` raise ``errors``, one each."""
        self.failures[alert_id].extend(errors)

    async def send_alert(self, alert: Alert) -> str:
        self.attempts.append(alert.id)
        await asyncio.sleep(0.001)  # a network round trip: let other senders run meanwhile
        if self.failures[alert.id]:
            raise self.failures[alert.id].pop(0)
        self.sent.append(alert.id)
        return f"msg-{alert.id}"

    async def send_notice(self, notice: Notice) -> None:
        raise AssertionError("the deliverer posts alerts, never notices")


async def add_alerts(store: MemoryStore, count: int) -> list[int]:
    """``count`` pending alerts, one per stored conversation; their ids, oldest first."""
    conversations = [
        Conversation("fake", str(n), f"https://forum.example.com/t/{n}", f"Postgres story {n}") for n in range(count)
    ]
    async with store.unit() as unit:
        stored = await unit.insert_conversations(conversations, "forum", T0)
        await unit.insert_alerts([NewAlert(cid, "databases", None, ("postgres",), 60) for cid, _ in stored], T0)
        return sorted(alert.id for alert in await unit.list_alerts(limit=1000))


async def get_alert(store: MemoryStore, alert_id: int) -> Alert:
    async with store.unit() as unit:
        alert = await unit.get_alert(alert_id)
    assert alert is not None
    return alert


async def next_attempt_at(store: MemoryStore, alert_id: int) -> datetime | None:
    """When the alert may be tried again (read from the twin's table: the domain Alert does not carry it)."""
    return store.database.tables.alerts[alert_id].next_attempt_at


def deliverer(
    store: MemoryStore, chat: RecordingChat, clock: Clock, owner: str = "sender-1", *, batch: int = POLICY.batch
) -> Deliverer:
    return Deliverer(store, chat, clock, owner, replace(POLICY, batch=batch))


async def test_pending_alerts_are_sent_oldest_first_and_marked_delivered(store: MemoryStore) -> None:
    ids = await add_alerts(store, 3)
    chat, clock = RecordingChat(), Clock()

    report = await deliverer(store, chat, clock).deliver()

    assert report == DeliveryReport(delivered=3)
    assert chat.sent == ids
    for alert_id in ids:
        alert = await get_alert(store, alert_id)
        assert (alert.state, alert.attempts, alert.delivered_at) == (DeliveryState.DELIVERED, 1, T0)
        assert (alert.message_ref, alert.last_error) == (f"msg-{alert_id}", None)


async def test_a_second_round_sends_nothing_again(store: MemoryStore) -> None:
    await add_alerts(store, 3)
    chat, clock = RecordingChat(), Clock()
    sender = deliverer(store, chat, clock)
    await sender.deliver()

    clock.advance(timedelta(hours=2))
    assert await sender.deliver() == DeliveryReport()
    assert len(chat.attempts) == 3
    async with store.unit() as unit:
        assert await unit.count_undelivered() == 0


async def test_batches_follow_one_another_until_the_outbox_is_empty(store: MemoryStore) -> None:
    ids = await add_alerts(store, 7)
    chat = RecordingChat()

    report = await deliverer(store, chat, Clock(), batch=3).deliver()

    assert report.delivered == 7
    assert chat.sent == ids


async def test_a_transient_error_keeps_the_alert_pending_and_hands_back_the_rest_of_the_batch(
    store: MemoryStore,
) -> None:
    first, *rest = await add_alerts(store, 3)
    chat, clock = RecordingChat(), Clock()
    chat.fail(first, DeliveryError("webhook: HTTP 503 Service Unavailable"))

    report = await deliverer(store, chat, clock).deliver()

    assert report == DeliveryReport(delivered=0, failed=1, errors=("webhook: HTTP 503 Service Unavailable",))
    assert chat.attempts == [first]  # the platform is struggling: the rest were not tried
    alert = await get_alert(store, first)
    assert (alert.state, alert.attempts, alert.last_error) == (
        DeliveryState.PENDING,
        1,
        "webhook: HTTP 503 Service Unavailable",
    )
    assert await next_attempt_at(store, first) == T0 + delivery_backoff(1, POLICY.max_backoff)
    for alert_id in rest:
        assert (await get_alert(store, alert_id)).state is DeliveryState.PENDING


async def test_an_alert_that_failed_transiently_is_delivered_once_its_backoff_has_passed(store: MemoryStore) -> None:
    ids = await add_alerts(store, 3)
    chat, clock = RecordingChat(), Clock()
    chat.fail(ids[0], DeliveryError("webhook: HTTP 503 Service Unavailable"))
    sender = deliverer(store, chat, clock)
    await sender.deliver()
    wait = delivery_backoff(1, POLICY.max_backoff)
    assert wait == timedelta(seconds=5)

    clock.now = T0 + wait - TICK
    assert await sender.deliver() == DeliveryReport()
    clock.now = T0 + wait
    assert await sender.deliver() == DeliveryReport(delivered=3)

    assert chat.sent == ids
    alert = await get_alert(store, ids[0])
    assert (alert.state, alert.attempts, alert.last_error) == (DeliveryState.DELIVERED, 2, None)


async def test_alerts_handed_back_unsent_keep_no_attempt_and_no_error(store: MemoryStore) -> None:
    first, second = await add_alerts(store, 2)
    chat = RecordingChat()
    chat.fail(first, DeliveryError("webhook: HTTP 503 Service Unavailable"))

    await deliverer(store, chat, Clock()).deliver()

    assert chat.attempts == [first]
    alert = await get_alert(store, second)
    assert (alert.attempts, alert.last_error) == (0, None)


async def test_a_permanent_error_on_one_alert_does_not_stop_the_next(store: MemoryStore) -> None:
    bad, good, also_good = await add_alerts(store, 3)
    chat, clock = RecordingChat(), Clock()
    chat.fail(bad, DeliveryError("webhook: HTTP 400 Bad Request", permanent=True))

    report = await deliverer(store, chat, clock).deliver()

    assert report == DeliveryReport(delivered=2, failed=1, errors=("webhook: HTTP 400 Bad Request",))
    assert chat.attempts == [bad, good, also_good]
    assert chat.sent == [good, also_good]
    alert = await get_alert(store, bad)
    assert (alert.state, alert.attempts, alert.last_error) == (
        DeliveryState.PENDING,
        1,
        "webhook: HTTP 400 Bad Request",
    )


async def test_retry_after_is_respected(store: MemoryStore) -> None:
    [alert_id] = await add_alerts(store, 1)
    chat, clock = RecordingChat(), Clock()
    chat.fail(alert_id, DeliveryError("slack: rate limited", retry_after=120))
    sender = deliverer(store, chat, clock)
    await sender.deliver()

    assert await next_attempt_at(store, alert_id) == T0 + timedelta(seconds=120)
    clock.now = T0 + timedelta(seconds=120) - TICK
    assert await sender.deliver() == DeliveryReport()
    clock.now = T0 + timedelta(seconds=120)
    assert await sender.deliver() == DeliveryReport(delivered=1)
    assert chat.attempts == [alert_id, alert_id]


async def test_waits_grow_with_each_failed_attempt(store: MemoryStore) -> None:
    [alert_id] = await add_alerts(store, 1)
    chat, clock = RecordingChat(), Clock()
    chat.fail(alert_id, *[DeliveryError("webhook: HTTP 502 Bad Gateway") for _ in range(3)])
    sender = deliverer(store, chat, clock)

    waits = []
    for attempt in (1, 2, 3):
        started = clock.now
        await sender.deliver()
        due = await next_attempt_at(store, alert_id)
        assert due is not None
        waits.append(due - started)
        assert (await get_alert(store, alert_id)).attempts == attempt
        clock.now = due

    assert waits == [delivery_backoff(n, POLICY.max_backoff) for n in (1, 2, 3)]
    assert [w.total_seconds() for w in waits] == [5, 10, 20]
    assert await sender.deliver() == DeliveryReport(delivered=1)


async def test_two_deliverers_at_once_deliver_each_alert_exactly_once(make_store: Callable[[], MemoryStore]) -> None:
    first_store, second_store = make_store(), make_store()
    ids = await add_alerts(first_store, 30)
    chat, clock = RecordingChat(), Clock()
    one = deliverer(first_store, chat, clock, "sender-1", batch=4)
    two = deliverer(second_store, chat, clock, "sender-2", batch=4)

    reports = await asyncio.gather(one.deliver(), two.deliver())

    assert Counter(chat.attempts) == Counter(ids)  # each posted once, by one of the two
    assert sorted(chat.sent) == ids
    assert sum(report.delivered for report in reports) == 30
    async with first_store.unit() as unit:
        assert await unit.count_undelivered() == 0


async def test_a_lease_held_by_a_dead_sender_blocks_others_until_it_expires(store: MemoryStore) -> None:
    [alert_id] = await add_alerts(store, 1)
    async with store.unit() as unit:  # a sender leased it, then died before posting
        await unit.lease_alerts(T0, "dead-sender", POLICY.lease, 10)
    chat, clock = RecordingChat(), Clock()
    sender = deliverer(store, chat, clock, "sender-2")

    assert await sender.deliver() == DeliveryReport()
    clock.now = T0 + POLICY.lease - TICK
    assert await sender.deliver() == DeliveryReport()
    assert chat.attempts == []

    clock.now = T0 + POLICY.lease
    assert await sender.deliver() == DeliveryReport(delivered=1)
    assert chat.sent == [alert_id]


async def test_an_unexpected_error_posting_one_alert_does_not_block_the_others(store: MemoryStore) -> None:
    poison, *others = await add_alerts(store, 3)
    chat, clock = RecordingChat(), Clock()
    chat.fail(poison, *[KeyError("blocks") for _ in range(5)])
    sender = deliverer(store, chat, clock)

    for _ in range(3):
        with contextlib.suppress(KeyError):
            await sender.deliver()
        clock.advance(POLICY.lease + POLICY.max_backoff)

    assert chat.sent == others


async def test_a_channel_that_refuses_posts_keeps_its_other_alerts_waiting_with_one_request_per_backoff(
    store: MemoryStore,
) -> None:
    conversations = [Conversation("fake", str(n), f"https://forum.example.com/t/{n}", f"Story {n}") for n in range(6)]
    async with store.unit() as unit:
        stored = await unit.insert_conversations(conversations, "forum", T0)
        channels = ["archived", "ok", "archived", "archived", "ok", "archived"]
        await unit.insert_alerts(
            [NewAlert(cid, "databases", ch, ("postgres",), 60) for (cid, _), ch in zip(stored, channels, strict=True)],
            T0,
        )
    ids = [cid for cid, _ in stored]  # alert ids follow the conversations here: one alert each, in order
    chat, clock = RecordingChat(), Clock()
    refusal = DeliveryError("slack: is_archived posting to #archived", permanent=True, channel=True)
    chat.fail(ids[0], refusal, refusal)

    report = await deliverer(store, chat, clock).deliver()

    assert (report.delivered, report.failed) == (2, 1)
    assert chat.attempts == [ids[0], ids[1], ids[4]]  # one request to the broken channel
    waits = {await next_attempt_at(store, i) for i in (ids[0], ids[2], ids[3], ids[5])}
    assert waits == {T0 + delivery_backoff(1, POLICY.max_backoff)}
    for alert_id in (ids[2], ids[3], ids[5]):
        alert = await get_alert(store, alert_id)
        assert (alert.state, alert.attempts) == (DeliveryState.PENDING, 0)  # kept, never tried

    clock.advance(delivery_backoff(1, POLICY.max_backoff))
    again = await deliverer(store, chat, clock).deliver()
    assert again.failed == 1 and chat.attempts[3:] == [ids[0]]  # still broken: still one request

    clock.advance(delivery_backoff(2, POLICY.max_backoff))
    fixed = await deliverer(store, chat, clock).deliver()
    assert fixed.delivered == 4  # the channel works again: everything it kept goes out
