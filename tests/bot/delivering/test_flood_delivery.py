"""The Deliverer with a flood cap, on the real store: the cap holds, the excess goes out in one digest, once."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.delivering.flood_guard import FloodPolicy
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Alert, Conversation, DeliveryState, Digest, Notice
from earshot.bot.errors import DeliveryError
from earshot.bot.ports import NewAlert
from tests.bot.delivering.test_outbox import POLICY
from tests.fakes.clock import T0, Clock


class DigestChat:
    """A chat that records alerts and digests, and fails digests as scripted."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.digests: list[Digest] = []
        self.digest_failures: list[Exception] = []

    async def send_alert(self, alert: Alert) -> str:
        await asyncio.sleep(0)
        self.sent.append(alert.id)
        return f"msg-{alert.id}"

    async def send_digest(self, digest: Digest) -> str:
        await asyncio.sleep(0.001)
        if self.digest_failures:
            raise self.digest_failures.pop(0)
        self.digests.append(digest)
        return f"digest-{len(self.digests)}"

    async def send_notice(self, notice: Notice) -> None:
        raise AssertionError("the deliverer posts alerts, never notices")


async def add(store: MemoryStore, count: int, channel: str | None = None, start: int = 0) -> list[int]:
    """``count`` pending alerts for ``channel``; their ids, oldest first."""
    items = [
        Conversation("fake", f"{channel}-{n}", f"https://forum.example.com/{channel}/{n}", f"Postgres {n}")
        for n in range(start, start + count)
    ]
    async with store.unit() as unit:
        stored = await unit.insert_conversations(items, "forum", T0)
        await unit.insert_alerts([NewAlert(cid, "pg", channel, ("postgres",), 60) for cid, _ in stored], T0)
        pending = await unit.list_alerts(state=DeliveryState.PENDING, limit=1000)
    return sorted(alert.id for alert in pending if alert.channel == channel)


def capped(store: MemoryStore, chat: DigestChat, clock: Clock, cap: int, owner: str = "sender-1") -> Deliverer:
    return Deliverer(store, chat, clock, owner, POLICY, FloodPolicy(max_per_hour=cap))


async def states(store: MemoryStore, ids: list[int]) -> list[DeliveryState]:
    async with store.unit() as unit:
        return [(await unit.get_alert(i)).state for i in ids]  # type: ignore[union-attr]


async def test_alerts_over_the_cap_are_held_and_posted_in_one_digest(store: MemoryStore) -> None:
    ids = await add(store, 15)
    chat, clock = DigestChat(), Clock()

    report = await capped(store, chat, clock, 10).deliver()

    assert chat.sent == ids[:10]
    assert len(chat.digests) == 1
    assert [a.id for a in chat.digests[0].alerts] == ids[10:]
    assert chat.digests[0].since == T0
    assert (report.delivered, report.held, report.digests, report.digested) == (10, 5, 1, 5)
    async with store.unit() as unit:
        held = [await unit.get_alert(i) for i in ids[10:]]
        assert await unit.count_undelivered() == 0
    for alert in held:
        assert alert is not None
        assert (alert.state, alert.message_ref, alert.held_at, alert.delivered_at) == (
            DeliveryState.DELIVERED,
            "digest-1",
            T0,
            T0,
        )


async def test_the_next_alerts_wait_for_the_next_hour_and_nothing_is_posted_twice(store: MemoryStore) -> None:
    first = await add(store, 12)
    chat, clock = DigestChat(), Clock()
    sender = capped(store, chat, clock, 10)
    await sender.deliver()
    assert len(chat.digests) == 1

    later = await add(store, 3, start=100)
    clock.advance(timedelta(minutes=30))
    report = await sender.deliver()
    assert (report.delivered, report.held, report.digests) == (0, 3, 0)  # full, and a digest went out 30 min ago
    assert await states(store, later) == [DeliveryState.HELD] * 3

    clock.advance(timedelta(minutes=30))
    report = await sender.deliver()
    assert (report.delivered, report.digests, report.digested) == (0, 1, 3)
    assert [a.id for a in chat.digests[1].alerts] == later
    posted = chat.sent + [a.id for d in chat.digests for a in d.alerts]
    assert sorted(posted) == sorted(first + later)  # each exactly once


async def test_channels_have_caps_of_their_own(store: MemoryStore) -> None:
    ops = await add(store, 3, "ops")
    default = await add(store, 3)
    chat = DigestChat()

    await capped(store, chat, Clock(), 2).deliver()

    assert sorted(chat.sent) == sorted(ops[:2] + default[:2])
    assert sorted((d.channel, tuple(a.id for a in d.alerts)) for d in chat.digests if d.channel) == [("ops", (ops[2],))]
    assert [tuple(a.id for a in d.alerts) for d in chat.digests if d.channel is None] == [(default[2],)]


async def test_no_cap_sends_everything_one_by_one(store: MemoryStore) -> None:
    ids = await add(store, 15)
    chat = DigestChat()
    report = await capped(store, chat, Clock(), 0).deliver()
    assert (chat.sent, chat.digests, report.held) == (ids, [], 0)


async def test_a_failed_digest_keeps_its_alerts_held_and_is_retried_after_a_backoff(store: MemoryStore) -> None:
    ids = await add(store, 4)
    chat, clock = DigestChat(), Clock()
    chat.digest_failures.append(DeliveryError("webhook: HTTP 503 Service Unavailable"))
    sender = capped(store, chat, clock, 2)

    report = await sender.deliver()
    assert report.errors == ("webhook: HTTP 503 Service Unavailable",)
    assert await states(store, ids[2:]) == [DeliveryState.HELD] * 2

    assert (await sender.deliver()).digests == 0  # not before its backoff
    clock.advance(timedelta(seconds=5))
    assert (await sender.deliver()).digests == 1
    assert [a.id for a in chat.digests[0].alerts] == ids[2:]
    assert await states(store, ids) == [DeliveryState.DELIVERED] * 4


async def test_two_senders_racing_post_each_held_alert_in_exactly_one_digest(
    store: MemoryStore, make_store: object
) -> None:
    ids = await add(store, 30)
    other = make_store()  # type: ignore[operator]
    chat, clock = DigestChat(), Clock()

    await asyncio.gather(
        capped(store, chat, clock, 10, "sender-1").deliver(), capped(other, chat, clock, 10, "sender-2").deliver()
    )
    # On a loaded machine one sender may post its digest before the other has held its excess; what is held after
    # a digest waits for the next one, an hour on. Either way, by then every alert is out exactly once.
    clock.advance(timedelta(hours=1))
    await capped(store, chat, clock, 10, "sender-1").deliver()

    digested = [a.id for d in chat.digests for a in d.alerts]
    assert len(digested) == len(set(digested))
    assert sorted(chat.sent + digested) == ids  # nothing lost, nothing twice
    async with store.unit() as unit:
        assert await unit.count_undelivered() == 0


async def test_the_flood_guards_log_names_the_channel_and_never_none(
    store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    await add(store, 3)  # the default channel (no channel of its own)
    await add(store, 3, "db-talk", start=10)
    chat, clock = DigestChat(), Clock()
    chat.digest_failures.append(DeliveryError("the chat is down"))
    with caplog.at_level(logging.INFO, logger="earshot.bot"):
        await capped(store, chat, clock, 1).deliver()
    said = "\n".join(r.getMessage() for r in caplog.records)
    assert "None" not in said
    assert "the default channel is over its hourly cap" in said and "#db-talk is over its hourly cap" in said
    assert "digest for the default channel" in said or "digest for #db-talk" in said
