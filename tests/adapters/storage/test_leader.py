"""Leadership: one holder at a time on PostgreSQL, handed over when the leader goes; immediate on SQLite."""

from __future__ import annotations

import asyncio

import pytest

from earshot.adapters.storage import SqlStore
from earshot.adapters.storage.leader import AdvisoryLeader, SoleLeader, leadership, lock_key


def test_lock_keys_are_stable_signed_64_bit_and_distinct() -> None:
    assert lock_key("discord:a") == lock_key("discord:a")
    assert lock_key("discord:a") != lock_key("discord:b")
    assert -(2**63) <= lock_key("x") < 2**63


async def test_sqlite_leads_at_once_and_lets_go(store: SqlStore) -> None:
    leader = leadership(store.engine, "discord:test")
    if not isinstance(leader, SoleLeader):
        pytest.skip("PostgreSQL elects with an advisory lock (the tests below)")
    assert not await leader.held()
    await leader.acquire()
    assert await leader.held()
    await leader.release()
    assert not await leader.held()


async def test_one_leader_at_a_time_and_a_waiter_takes_over(make_store: object) -> None:
    first: SqlStore = make_store()  # type: ignore[operator]
    second: SqlStore = make_store()  # type: ignore[operator]
    a = leadership(first.engine, "discord:test", retry_every=0.05)
    b = leadership(second.engine, "discord:test", retry_every=0.05)
    if not isinstance(a, AdvisoryLeader):
        pytest.skip("SQLite assumes one process; the handover needs PostgreSQL (EARSHOT_TEST_DATABASE_URL)")
    await a.acquire()
    assert await a.held()
    waiter = asyncio.create_task(b.acquire())
    await asyncio.sleep(0.3)
    assert not waiter.done()  # b keeps waiting while a leads
    await a.release()
    await asyncio.wait_for(waiter, 5)
    assert await b.held()
    assert not await a.held()
    await b.release()


async def test_a_leader_whose_connection_dies_loses_the_lock_to_a_waiter(make_store: object) -> None:
    first: SqlStore = make_store()  # type: ignore[operator]
    second: SqlStore = make_store()  # type: ignore[operator]
    a = leadership(first.engine, "discord:crash", retry_every=0.05)
    b = leadership(second.engine, "discord:crash", retry_every=0.05)
    if not isinstance(a, AdvisoryLeader):
        pytest.skip("needs PostgreSQL")
    await a.acquire()
    assert a._connection is not None
    # The leader's process dies: its server session ends, and the server frees the lock.
    await first.engine.dispose()
    raw = await a._connection.get_raw_connection()
    await raw.driver_connection.close()  # type: ignore[union-attr]
    await asyncio.wait_for(b.acquire(), 5)
    assert await b.held()
    assert not await a.held()
    await b.release()
