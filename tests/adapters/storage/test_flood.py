"""Contract: held alerts (over a channel's hourly cap) are counted apart, leased per channel, digested once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import DeliveryState
from earshot.bot.errors import LeaseLost
from tests.adapters.storage.helpers import MINUTE, T0, add_alerts

LEASE = timedelta(minutes=2)


async def hold(store: SqlStore, count: int, *, owner: str = "a") -> list[int]:
    """``count`` alerts leased by ``owner`` and held at T0; their ids."""
    await add_alerts(store, count)
    async with store.unit() as unit:
        ids = [a.id for a in await unit.lease_alerts(T0, owner, LEASE, count)]
        await unit.hold_alerts(ids, owner, T0)
    return ids


async def test_holding_needs_the_lease_and_keeps_the_time(store: SqlStore) -> None:
    await add_alerts(store, 2)
    async with store.unit() as unit:
        ids = [a.id for a in await unit.lease_alerts(T0, "a", LEASE, 2)]
    with pytest.raises(LeaseLost):
        async with store.unit() as unit:
            await unit.hold_alerts(ids, "b", T0)
    async with store.unit() as unit:
        await unit.hold_alerts(ids, "a", T0)
        alert = await unit.get_alert(ids[0])
        assert alert is not None and (alert.state, alert.held_at) == (DeliveryState.HELD, T0)
        # Held alerts are waiting, not pending: a normal round does not pick them up.
        assert await unit.count_undelivered() == 2
        assert await unit.lease_alerts(T0 + LEASE, "c", LEASE, 10) == []


async def test_only_alerts_sent_one_by_one_count_against_the_cap(store: SqlStore) -> None:
    ids = await hold(store, 2)
    async with store.unit() as unit:
        assert await unit.held_channels(T0) == {None: None}
        [held] = [a.id for a in await unit.lease_held(None, T0, "a", LEASE, 1)]
        assert await unit.mark_digested([held], "a", T0 + MINUTE, "digest-1") == 1
        assert await unit.delivered_since(T0) == {}  # a digest is not counted as alerts sent one by one
        assert await unit.held_channels(T0 + MINUTE) == {None: T0 + MINUTE}
        alert = await unit.get_alert(held)
        assert alert is not None
        assert (alert.state, alert.message_ref, alert.held_at) == (DeliveryState.DELIVERED, "digest-1", T0)
    assert held == ids[0]


async def test_two_owners_racing_put_each_held_alert_in_exactly_one_digest(
    make_store: Callable[[], SqlStore],
) -> None:
    first, second = make_store(), make_store()
    ids = await hold(first, 40)

    async def digest(store: SqlStore, owner: str) -> list[int]:
        got: list[int] = []
        for _ in range(4):
            async with store.unit() as unit:
                leased = await unit.lease_held(None, T0, owner, LEASE, 7)
            await asyncio.sleep(0.001)  # posting
            if leased:
                async with store.unit() as unit:
                    await unit.mark_digested([a.id for a in leased], owner, T0, f"{owner}-digest")
                got += [a.id for a in leased]
        return got

    a, b = await asyncio.gather(digest(first, "a"), digest(second, "b"))
    assert a and b and not set(a) & set(b)
    rest = await digest(first, "c")  # whatever the race skipped (SKIP LOCKED) is still there, once
    assert sorted(a + b + rest) == ids
    async with first.unit() as unit:
        assert await unit.count_undelivered() == 0
        assert await unit.held_channels(T0) == {}


async def test_a_lease_on_held_alerts_runs_out_and_a_stale_owner_cannot_mark_them(store: SqlStore) -> None:
    ids = await hold(store, 3)
    async with store.unit() as unit:
        assert [a.id for a in await unit.lease_held(None, T0, "a", LEASE, 10)] == ids
        assert await unit.lease_held(None, T0 + MINUTE, "b", LEASE, 10) == []
        assert [a.id for a in await unit.lease_held(None, T0 + LEASE, "b", LEASE, 10)] == ids
    with pytest.raises(LeaseLost):
        async with store.unit() as unit:
            await unit.mark_digested(ids, "a", T0 + LEASE, "late")
    async with store.unit() as unit:
        assert await unit.mark_digested(ids, "b", T0 + LEASE, "digest-b") == 3


async def test_channels_are_leased_apart(store: SqlStore) -> None:
    ids = await hold(store, 2)
    async with store.unit() as unit:
        assert await unit.lease_held("ops", T0, "a", LEASE, 10) == []
        assert [a.id for a in await unit.lease_held(None, T0, "a", LEASE, 10)] == ids
