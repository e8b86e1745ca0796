"""Contract: exactly one claimer wins; outcomes and the audit log are kept."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from earshot.adapters.storage import SqlStore, tables
from earshot.bot.domain import ClaimResult, Outcome, OutcomeKind
from earshot.bot.errors import NotFound
from tests.adapters.storage.helpers import MINUTE, T0, add_alerts


async def claim(store: SqlStore, actor: str, alert_id: int = 1, now: datetime = T0) -> ClaimResult:
    """Claim in a unit (and so on a connection) of its own."""
    async with store.unit() as unit:
        return await unit.claim(alert_id, actor, now)


async def test_the_first_claim_wins_and_later_ones_see_the_holder(store: SqlStore) -> None:
    await add_alerts(store, 1)
    assert await claim(store, "ana") == ClaimResult(1, won=True, holder="ana", claimed_at=T0)
    assert await claim(store, "bo", now=T0 + MINUTE) == ClaimResult(1, won=False, holder="ana", claimed_at=T0)
    # Claiming again what one holds is a win that changes nothing.
    assert await claim(store, "ana", now=T0 + MINUTE) == ClaimResult(1, won=True, holder="ana", claimed_at=T0)
    async with store.unit() as unit:
        alert = await unit.get_alert(1)
    assert alert is not None
    assert (alert.claimed_by, alert.claimed_at) == ("ana", T0)


async def test_exactly_one_of_many_concurrent_claimers_wins(store: SqlStore) -> None:
    await add_alerts(store, 1)
    actors = [f"user-{n}" for n in range(10)]
    results = await asyncio.gather(*(claim(store, actor) for actor in actors))
    winners = [result for result in results if result.won]
    assert len(winners) == 1
    assert {result.holder for result in results} == {winners[0].holder}
    assert winners[0].holder in actors


async def test_claiming_a_missing_alert_is_not_found(store: SqlStore) -> None:
    with pytest.raises(NotFound, match="alert 42 does not exist"):
        await claim(store, "ana", alert_id=42)


async def test_only_the_holder_releases_unless_forced(store: SqlStore) -> None:
    await add_alerts(store, 1)
    await claim(store, "ana")
    async with store.unit() as unit:
        assert await unit.release_claim(1, "bo") is False
        assert (await unit.get_alert(1)).claimed_by == "ana"  # type: ignore[union-attr]
        assert await unit.release_claim(1, "ana") is True
        assert await unit.release_claim(1, "ana") is False
        alert = await unit.get_alert(1)
    assert alert is not None
    assert (alert.claimed_by, alert.claimed_at) == (None, None)
    assert (await claim(store, "bo")).won
    async with store.unit() as unit:
        assert await unit.release_claim(1, "lead", force=True) is True
        assert await unit.release_claim(1, "lead", force=True) is False
        with pytest.raises(NotFound):
            await unit.release_claim(42, "lead", force=True)


async def test_outcomes_are_listed_oldest_first(store: SqlStore) -> None:
    await add_alerts(store, 2)
    later = Outcome(1, OutcomeKind.GOT_RESPONSE, "ana", T0 + 2 * MINUTE, note="they asked for a demo")
    earlier = Outcome(1, OutcomeKind.REPLIED, "ana", T0 + MINUTE)
    async with store.unit() as unit:
        await unit.add_outcome(later)
        await unit.add_outcome(earlier)
        await unit.add_outcome(Outcome(2, OutcomeKind.NOT_RELEVANT, "bo", T0))
    async with store.unit() as unit:
        assert await unit.list_outcomes(1) == [earlier, later]
        assert await unit.list_outcomes(3) == []


async def test_an_outcome_for_a_missing_alert_is_not_found_and_the_unit_goes_on(store: SqlStore) -> None:
    await add_alerts(store, 1)
    async with store.unit() as unit:
        with pytest.raises(NotFound):
            await unit.add_outcome(Outcome(42, OutcomeKind.NOTE, "ana", T0))
        await unit.add_outcome(Outcome(1, OutcomeKind.NOTE, "ana", T0, note="still fine"))
    async with store.unit() as unit:
        assert len(await unit.list_outcomes(1)) == 1


@pytest.mark.sql_only  # the port only writes the audit log; reading it back takes SQL
async def test_changes_are_audited(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.record_change("ana", "topic.add", "python", {"query": "python OR django"}, T0)
        await unit.record_change("bo", "feed.remove", "hn", {}, T0 + MINUTE)
    async with store.engine.connect() as connection:
        log = tables.audit_log.c
        rows = (
            await connection.execute(select(log.at, log.actor, log.action, log.subject, log.detail).order_by(log.id))
        ).all()
    assert [tuple(row) for row in rows] == [
        (T0, "ana", "topic.add", "python", {"query": "python OR django"}),
        (T0 + MINUTE, "bo", "feed.remove", "hn", {}),
    ]


async def test_times_come_back_aware_utc_whatever_zone_went_in(store: SqlStore) -> None:
    await add_alerts(store, 1)
    tokyo = timezone(timedelta(hours=9))
    at = datetime(2025, 3, 1, 21, 30, 15, 123456, tzinfo=tokyo)
    async with store.unit() as unit:
        result = await unit.claim(1, "ana", at)
        alert = await unit.get_alert(1)
    assert result.claimed_at == at
    assert alert is not None
    assert alert.claimed_at == at
    assert alert.claimed_at.tzinfo == UTC
    assert alert.claimed_at.hour == 12
    assert alert.created_at.tzinfo == UTC


async def test_naive_times_are_refused(store: SqlStore) -> None:
    async with store.unit() as unit:
        with pytest.raises(Exception, match="naive datetime"):
            await unit.record_change("ana", "x", "y", {}, datetime(2025, 1, 1))


async def test_a_chat_event_is_new_once_across_replicas_until_forgotten(make_store: Callable[[], SqlStore]) -> None:
    one, two = make_store(), make_store()  # two replicas' connections to one database

    async def first_time(store: SqlStore, event_id: str, at: datetime) -> bool:
        async with store.unit() as unit:
            return await unit.first_time(event_id, at, at - 15 * MINUTE)

    assert await first_time(one, "slack:Ev1", T0)
    assert not await first_time(two, "slack:Ev1", T0 + MINUTE)  # Slack's retry, through the other replica
    assert await first_time(two, "slack:Ev2", T0 + MINUTE)
    # Both replicas at once with a new id: exactly one of them has it first.
    results = await asyncio.gather(*(first_time(store, "slack:Ev3", T0 + MINUTE) for store in (one, two) * 3))
    assert sorted(results) == [False] * 5 + [True]
    assert await first_time(one, "slack:Ev1", T0 + 17 * MINUTE)  # long forgotten: new again
    assert await first_time(two, "slack:Ev2", T0 + 17 * MINUTE)  # so is this one


@pytest.mark.sql_only  # reads the table: that forgotten ids are deleted, not only ignored
async def test_forgotten_chat_events_are_pruned(store: SqlStore) -> None:
    async with store.unit() as unit:
        for n, at in enumerate((T0, T0 + MINUTE, T0 + 17 * MINUTE)):
            await unit.first_time(f"slack:Ev{n}", at, at - 15 * MINUTE)
        assert await unit.first_time("slack:Ev2", T0 + 17 * MINUTE, T0 + 2 * MINUTE) is False
    async with store.unit() as unit:
        kept = (await unit._conn.execute(select(tables.chat_events.c.event_id))).scalars().all()
    assert sorted(kept) == ["slack:Ev2"]  # the old ones were pruned
