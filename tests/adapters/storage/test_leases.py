"""Contract: feed leases are exclusive, expire, and guard the recording of a poll."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.errors import LeaseLost
from tests.adapters.storage.helpers import MINUTE, T0, add_feeds, feed

LEASE = timedelta(minutes=5)


async def lease(
    store: SqlStore,
    owner: str,
    now: datetime = T0,
    *,
    names: Sequence[str] | None = None,
    due_only: bool = True,
) -> list[str]:
    """Lease feeds in a unit of its own; return their names."""
    async with store.unit() as unit:
        leased = await unit.lease_feeds(now, owner, LEASE, names=names, due_only=due_only)
    return [state.feed.name for state in leased]


async def test_only_due_enabled_feeds_are_leased(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_feed(feed("due"), T0)
        await unit.add_feed(feed("later"), T0 + MINUTE)
        await unit.add_feed(feed("off", enabled=False), T0)
    assert await lease(store, "a") == ["due"]


async def test_a_lease_is_exclusive_until_it_expires(store: SqlStore) -> None:
    await add_feeds(store, "hn", "rss")
    assert await lease(store, "a") == ["hn", "rss"]
    assert await lease(store, "b") == []
    assert await lease(store, "b", T0 + LEASE - timedelta(microseconds=1)) == []
    assert await lease(store, "b", T0 + LEASE) == ["hn", "rss"]
    assert await lease(store, "a", T0 + LEASE) == []


async def test_the_owner_may_lease_again_what_it_holds(store: SqlStore) -> None:
    await add_feeds(store, "hn")
    assert await lease(store, "a") == ["hn"]
    assert await lease(store, "a", T0 + MINUTE) == ["hn"]
    # The renewed lease runs from the second call.
    assert await lease(store, "b", T0 + LEASE) == []
    assert await lease(store, "b", T0 + MINUTE + LEASE) == ["hn"]


async def test_names_select_feeds_and_due_only_false_ignores_the_schedule(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_feed(feed("hn"), T0 + timedelta(hours=1))
        await unit.add_feed(feed("rss"), T0 + timedelta(hours=1))
        await unit.add_feed(feed("off", enabled=False), T0)
    assert await lease(store, "a", names=["hn"]) == []
    assert await lease(store, "a", names=["hn", "off", "missing"], due_only=False) == ["hn"]
    assert await lease(store, "b", names=["hn", "rss"], due_only=False) == ["rss"]
    assert await lease(store, "b", names=[], due_only=False) == []


async def test_concurrent_leases_never_share_a_feed(make_store: Callable[[], SqlStore]) -> None:
    stores = [make_store() for _ in range(4)]
    names = [f"feed-{n:02}" for n in range(30)]
    await add_feeds(stores[0], *names)
    for round_ in range(3):
        now = T0 + round_ * LEASE
        # Separate engines, so separate connections; on PostgreSQL they really run at once.
        results = await asyncio.gather(*(lease(s, f"owner-{i}", now) for i, s in enumerate(stores)))
        leased = [name for result in results for name in result]
        assert sorted(leased) == names, f"round {round_}: {results}"


async def test_finish_poll_records_success_and_releases_the_lease(store: SqlStore) -> None:
    await add_feeds(store, "hn")
    await lease(store, "a")
    async with store.unit() as unit:
        await unit.fail_poll("hn", "a", T0, error="boom", next_poll_at=T0 + MINUTE)
    await lease(store, "a", T0 + MINUTE)
    async with store.unit() as unit:
        await unit.finish_poll("hn", "a", T0 + MINUTE, cursor={"max_id": 7}, next_poll_at=T0 + 6 * MINUTE)
        state = await unit.get_feed("hn")
    assert state is not None
    assert state.cursor == {"max_id": 7}
    assert state.seeded is True
    assert state.last_polled_at == state.last_success_at == T0 + MINUTE
    assert (state.last_error, state.consecutive_failures, state.next_poll_at) == (None, 0, T0 + 6 * MINUTE)
    # Released: another owner takes it as soon as it is due, without waiting for the lease to run out.
    assert await lease(store, "b", T0 + 6 * MINUTE) == ["hn"]


async def test_fail_poll_counts_consecutive_failures(store: SqlStore) -> None:
    await add_feeds(store, "hn")
    for expected in (1, 2, 3):
        now = T0 + (expected - 1) * MINUTE
        await lease(store, "a", now)
        async with store.unit() as unit:
            assert await unit.fail_poll("hn", "a", now, error=f"fail {expected}", next_poll_at=now + MINUTE) == expected
    async with store.unit() as unit:
        state = await unit.get_feed("hn")
    assert state is not None
    assert (state.last_error, state.last_polled_at, state.last_success_at) == ("fail 3", T0 + 2 * MINUTE, None)
    assert state.seeded is False
    assert state.next_poll_at == T0 + 3 * MINUTE


async def test_a_failed_poll_keeps_the_cursor_or_takes_the_one_given(store: SqlStore) -> None:
    await add_feeds(store, "hn")
    await lease(store, "a")
    async with store.unit() as unit:
        await unit.finish_poll("hn", "a", T0, cursor={"since_id": "7"}, next_poll_at=T0)
    await lease(store, "a")
    async with store.unit() as unit:
        await unit.fail_poll("hn", "a", T0, error="boom", next_poll_at=T0)
        assert (await unit.get_feed("hn")).cursor == {"since_id": "7"}  # type: ignore[union-attr]
    await lease(store, "a")
    counted = {"since_id": "7", "usage": {"day": "2025-03-01", "requests": 3}}  # what a metered poll spent
    async with store.unit() as unit:
        await unit.fail_poll("hn", "a", T0, error="HTTP 503", next_poll_at=T0 + MINUTE, cursor=counted)
        state = await unit.get_feed("hn")
    assert state is not None
    assert (state.cursor, state.seeded, state.consecutive_failures) == (counted, True, 2)


async def test_finishing_someone_elses_lease_is_refused(store: SqlStore) -> None:
    await add_feeds(store, "hn")
    await lease(store, "a")
    await lease(store, "b", T0 + LEASE)  # a's lease ran out and b took over
    async with store.unit() as unit:
        with pytest.raises(LeaseLost, match="feed 'hn' is no longer leased to 'a'"):
            await unit.finish_poll("hn", "a", T0 + LEASE, cursor={}, next_poll_at=T0)
    async with store.unit() as unit:
        with pytest.raises(LeaseLost):
            await unit.fail_poll("hn", "a", T0 + LEASE, error="x", next_poll_at=T0)
    async with store.unit() as unit:
        await unit.finish_poll("hn", "b", T0 + LEASE, cursor={"ok": True}, next_poll_at=T0 + 2 * LEASE)


async def test_an_expired_lease_nobody_took_can_still_be_finished(store: SqlStore) -> None:
    await add_feeds(store, "hn")
    await lease(store, "a")
    async with store.unit() as unit:
        await unit.finish_poll("hn", "a", T0 + 2 * LEASE, cursor={}, next_poll_at=T0 + 3 * LEASE)


async def test_finishing_an_unleased_or_removed_feed_is_refused(store: SqlStore) -> None:
    await add_feeds(store, "hn")
    async with store.unit() as unit:
        with pytest.raises(LeaseLost):
            await unit.finish_poll("hn", "a", T0, cursor={}, next_poll_at=T0)
    await lease(store, "a")
    async with store.unit() as unit:
        await unit.remove_feed("hn")
    async with store.unit() as unit:
        with pytest.raises(LeaseLost):
            await unit.finish_poll("hn", "a", T0, cursor={}, next_poll_at=T0)
