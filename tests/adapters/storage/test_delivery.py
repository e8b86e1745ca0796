"""Contract: the outbox leases pending alerts oldest first, to one sender at a time, and records each attempt."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import DeliveryState
from earshot.bot.errors import LeaseLost
from tests.adapters.storage.helpers import MINUTE, T0, add_alerts

LEASE = timedelta(minutes=2)


async def lease(store: SqlStore, owner: str, now: datetime = T0, limit: int = 100) -> list[int]:
    """Lease alerts in a unit of its own; return their ids."""
    async with store.unit() as unit:
        return [alert.id for alert in await unit.lease_alerts(now, owner, LEASE, limit)]


async def test_pending_alerts_are_leased_oldest_first_up_to_the_limit(store: SqlStore) -> None:
    await add_alerts(store, 5)
    assert await lease(store, "a", limit=3) == [1, 2, 3]
    assert await lease(store, "b", limit=3) == [4, 5]
    assert await lease(store, "c") == []
    assert await lease(store, "c", T0 + LEASE) == [1, 2, 3, 4, 5]


async def test_leased_alerts_come_whole(store: SqlStore) -> None:
    await add_alerts(store, 1)
    async with store.unit() as unit:
        [alert] = await unit.lease_alerts(T0, "a", LEASE, 10)
    assert (alert.topic, alert.matched, alert.score, alert.created_at) == ("python", ("python",), 3, T0)
    assert (alert.state, alert.attempts, alert.claimed_by) == (DeliveryState.PENDING, 0, None)
    assert alert.conversation.external_id == "0"


async def test_delivery_is_recorded_once(store: SqlStore) -> None:
    await add_alerts(store, 2)
    await lease(store, "a")
    async with store.unit() as unit:
        await unit.mark_delivered(1, "a", T0 + MINUTE, "msg-1")
        assert await unit.count_undelivered() == 1
        alert = await unit.get_alert(1)
    assert alert is not None
    assert (alert.state, alert.attempts, alert.delivered_at, alert.message_ref) == (
        DeliveryState.DELIVERED,
        1,
        T0 + MINUTE,
        "msg-1",
    )
    # Delivered alerts are never leased again; the lease on the other one ran out, so it is.
    assert await lease(store, "b", T0 + LEASE) == [2]
    async with store.unit() as unit:
        with pytest.raises(LeaseLost):
            await unit.mark_delivered(1, "a", T0 + MINUTE, "msg-again")


async def test_a_failed_attempt_waits_until_its_retry_time(store: SqlStore) -> None:
    await add_alerts(store, 1)
    await lease(store, "a")
    async with store.unit() as unit:
        await unit.mark_failed(1, "a", T0, error="HTTP 503", next_attempt_at=T0 + 10 * MINUTE)
        alert = await unit.get_alert(1)
        assert await unit.count_undelivered() == 1
    assert alert is not None
    assert (alert.state, alert.attempts, alert.last_error) == (DeliveryState.PENDING, 1, "HTTP 503")
    assert await lease(store, "a", T0 + 9 * MINUTE) == []
    assert await lease(store, "b", T0 + 10 * MINUTE) == [1]
    async with store.unit() as unit:
        await unit.mark_delivered(1, "b", T0 + 10 * MINUTE, "")
        alert = await unit.get_alert(1)
    assert alert is not None
    assert (alert.attempts, alert.last_error, alert.message_ref) == (2, None, "")


async def test_finishing_an_alert_someone_else_leased_is_refused(store: SqlStore) -> None:
    await add_alerts(store, 1)
    await lease(store, "a")
    await lease(store, "b", T0 + LEASE)
    async with store.unit() as unit:
        with pytest.raises(LeaseLost, match="alert 1 is no longer leased to 'a'"):
            await unit.mark_delivered(1, "a", T0 + LEASE, "x")
    async with store.unit() as unit:
        with pytest.raises(LeaseLost):
            await unit.mark_failed(1, "a", T0 + LEASE, error="x", next_attempt_at=T0)
    async with store.unit() as unit:
        with pytest.raises(LeaseLost):
            await unit.mark_delivered(999, "a", T0, "x")


async def test_the_owner_may_lease_again_what_it_holds(store: SqlStore) -> None:
    await add_alerts(store, 2)
    assert await lease(store, "a", limit=1) == [1]
    assert await lease(store, "a", T0 + MINUTE) == [1, 2]


async def test_concurrent_senders_never_share_an_alert(make_store: Callable[[], SqlStore]) -> None:
    stores = [make_store() for _ in range(4)]
    await add_alerts(stores[0], 40)
    results = await asyncio.gather(*(lease(s, f"sender-{i}", limit=15) for i, s in enumerate(stores)))
    leased = [alert_id for result in results for alert_id in result]
    assert len(leased) == len(set(leased))
    assert all(len(result) <= 15 for result in results)


async def test_an_alert_taken_over_from_a_lapsed_lease_is_marked_retaken(store: SqlStore) -> None:
    await add_alerts(store, 1)
    async with store.unit() as unit:
        [first] = await unit.lease_alerts(T0, "a", timedelta(seconds=60), 10)
        [again] = await unit.lease_alerts(T0, "a", timedelta(seconds=60), 10)  # its own lease: nothing uncertain
    async with store.unit() as unit:
        [taken] = await unit.lease_alerts(T0 + timedelta(seconds=61), "b", timedelta(seconds=60), 10)
    assert (first.retaken, again.retaken, taken.retaken) == (False, False, True)
