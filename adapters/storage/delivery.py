"""Delivery: the alert outbox, leased to one sender at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import ALERT_COLUMNS, ALERT_JOIN, UnitBase, alert_from_row, load_sightings
from earshot.bot.domain import Alert, DeliveryState
from earshot.bot.errors import LeaseLost
from earshot.bot.ports import Backlog, DeliveryProblem


class DeliveryMixin(UnitBase):
    """The Unit methods the sender uses."""

    async def lease_alerts(self, now: datetime, owner: str, lease_for: timedelta, limit: int) -> list[Alert]:
        """Atomically lease pending alerts that are due for an attempt and held by nobody, oldest first.

        As with feeds, a lease the same owner holds already counts as free.
        """
        alerts = t.alerts.c
        # Locked here (PostgreSQL; SQLite units hold the write lock), then taken: reading the previous owner first
        # tells which alerts another process leased and never finished, whose post may have gone out.
        candidates = (
            select(alerts.id, alerts.lease_owner)
            .where(
                alerts.state == DeliveryState.PENDING.value,
                or_(alerts.next_attempt_at.is_(None), alerts.next_attempt_at <= now),
                or_(alerts.lease_until.is_(None), alerts.lease_until <= now, alerts.lease_owner == owner),
            )
            .order_by(alerts.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        previous = {row.id: row.lease_owner for row in await self._conn.execute(candidates)}
        if not previous:
            return []
        await self._conn.execute(
            update(t.alerts).where(alerts.id.in_(list(previous))).values(lease_owner=owner, lease_until=now + lease_for)
        )
        rows = await self._conn.execute(
            select(*ALERT_COLUMNS).select_from(ALERT_JOIN).where(alerts.id.in_(list(previous))).order_by(alerts.id)
        )
        leased = [alert_from_row(row) for row in rows]
        leased = [replace(a, retaken=previous[a.id] not in (None, owner)) for a in leased]
        return await load_sightings(self._conn, leased)

    async def mark_delivered(self, alert_id: int, owner: str, now: datetime, message_ref: str) -> None:
        """Mark a leased alert delivered."""
        statement = (
            update(t.alerts)
            .where(t.alerts.c.id == alert_id, t.alerts.c.lease_owner == owner)
            .values(
                state=DeliveryState.DELIVERED.value,
                attempts=t.alerts.c.attempts + 1,
                delivered_at=now,
                message_ref=message_ref,
                last_error=None,
                next_attempt_at=None,
                lease_owner=None,
                lease_until=None,
            )
        )
        if (await self._conn.execute(statement)).rowcount == 0:
            raise _alert_lease_lost(alert_id, owner)

    async def mark_failed(
        self, alert_id: int, owner: str, now: datetime, *, error: str, next_attempt_at: datetime
    ) -> None:
        """Record a failed delivery attempt and release the lease until ``next_attempt_at``."""
        statement = (
            update(t.alerts)
            .where(t.alerts.c.id == alert_id, t.alerts.c.lease_owner == owner)
            .values(
                attempts=t.alerts.c.attempts + 1,
                last_error=error,
                next_attempt_at=next_attempt_at,
                lease_owner=None,
                lease_until=None,
            )
        )
        if (await self._conn.execute(statement)).rowcount == 0:
            raise _alert_lease_lost(alert_id, owner)

    async def release_alerts(self, alert_ids: Sequence[int], owner: str, *, next_attempt_at: datetime) -> None:
        """Give back leased alerts that were not attempted, due again at ``next_attempt_at``; no attempt counted."""
        statement = (
            update(t.alerts)
            .where(t.alerts.c.id.in_(list(alert_ids)), t.alerts.c.lease_owner == owner)
            .values(next_attempt_at=next_attempt_at, lease_owner=None, lease_until=None)
        )
        await self._conn.execute(statement)

    async def count_undelivered(self) -> int:
        """Alerts not yet delivered (pending, or held for a digest), leased or not."""
        waiting = (DeliveryState.PENDING.value, DeliveryState.HELD.value)
        statement = select(func.count()).select_from(t.alerts).where(t.alerts.c.state.in_(waiting))
        return int((await self._conn.execute(statement)).scalar_one())

    async def backlog(self, problems: int = 10) -> Backlog:
        """Undelivered alerts by channel, the oldest one's time, and up to ``problems`` with a delivery error."""
        alerts = t.alerts.c
        pending = alerts.state == DeliveryState.PENDING.value
        counts = await self._conn.execute(
            select(alerts.channel, func.count(), func.min(alerts.created_at)).where(pending).group_by(alerts.channel)
        )
        by_channel: dict[str | None, int] = {}
        oldest: datetime | None = None
        for channel, count, first in counts:
            by_channel[channel] = int(count)
            oldest = first if oldest is None or (first is not None and first < oldest) else oldest
        failing = await self._conn.execute(
            select(alerts.id, alerts.topic, alerts.channel, alerts.attempts, alerts.last_error, alerts.next_attempt_at)
            .where(pending, alerts.last_error.is_not(None))
            .order_by(alerts.id.desc())
            .limit(problems)
        )
        found = tuple(
            DeliveryProblem(row.id, row.topic, row.channel, row.attempts, row.last_error, row.next_attempt_at)
            for row in failing
        )
        return Backlog(by_channel, oldest, found)


def _alert_lease_lost(alert_id: int, owner: str) -> LeaseLost:
    return LeaseLost(f"alert {alert_id} is no longer leased to {owner!r}: another process took it over")
