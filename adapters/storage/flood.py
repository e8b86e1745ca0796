"""The flood guard in the outbox: counting what a channel got this hour, holding the excess, leasing digests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import ALERT_COLUMNS, ALERT_JOIN, UnitBase, alert_from_row
from earshot.bot.domain import Alert, DeliveryState
from earshot.bot.errors import LeaseLost

DELIVERED = DeliveryState.DELIVERED.value
HELD = DeliveryState.HELD.value


def _in_channel(channel: str | None) -> ColumnElement[bool]:
    # IS NOT DISTINCT FROM on PostgreSQL, IS on SQLite: the default channel (NULL) is a channel like the others.
    return t.alerts.c.channel.is_not_distinct_from(channel)


class FloodMixin(UnitBase):
    """The Unit methods the flood guard uses."""

    async def delivered_since(self, since: datetime) -> dict[str | None, int]:
        """Alerts posted one by one (not in a digest) to each channel from ``since`` on."""
        alerts = t.alerts.c
        statement = (
            select(alerts.channel, func.count())
            .where(alerts.state == DELIVERED, alerts.delivered_at >= since, alerts.held_at.is_(None))
            .group_by(alerts.channel)
        )
        return {row[0]: int(row[1]) for row in await self._conn.execute(statement)}

    async def hold_alerts(self, alert_ids: Sequence[int], owner: str, now: datetime) -> None:
        """Move leased pending alerts to held (over their channel's cap), releasing the lease."""
        alerts = t.alerts.c
        statement = (
            update(t.alerts)
            .where(alerts.id.in_(list(alert_ids)), alerts.lease_owner == owner, alerts.state == "pending")
            .values(state=HELD, held_at=now, next_attempt_at=None, lease_owner=None, lease_until=None)
        )
        held = (await self._conn.execute(statement)).rowcount
        if held != len(set(alert_ids)):
            raise LeaseLost(f"{len(alert_ids) - held} of the alerts to hold are no longer leased to {owner!r}")

    async def held_channels(self, now: datetime) -> dict[str | None, datetime | None]:
        """Channels with held alerts due for a digest, each with when its last digest went out (None: never)."""
        alerts = t.alerts.c
        waiting = select(alerts.channel).where(
            alerts.state == HELD, or_(alerts.next_attempt_at.is_(None), alerts.next_attempt_at <= now)
        )
        channels = list(dict.fromkeys(row[0] for row in await self._conn.execute(waiting.distinct())))
        if not channels:
            return {}
        last = (
            select(alerts.channel, func.max(alerts.delivered_at))
            .where(alerts.state == DELIVERED, alerts.held_at.is_not(None))
            .group_by(alerts.channel)
        )
        digests: dict[Any, datetime | None] = {row[0]: row[1] for row in await self._conn.execute(last)}
        return {channel: digests.get(channel) for channel in channels}

    async def lease_held(
        self, channel: str | None, now: datetime, owner: str, lease_for: timedelta, limit: int
    ) -> list[Alert]:
        """Atomically lease the channel's held alerts that nobody else holds, oldest first, for one digest."""
        alerts = t.alerts.c
        candidates = (
            select(alerts.id)
            .where(
                alerts.state == HELD,
                _in_channel(channel),
                or_(alerts.next_attempt_at.is_(None), alerts.next_attempt_at <= now),
                or_(alerts.lease_until.is_(None), alerts.lease_until <= now, alerts.lease_owner == owner),
            )
            .order_by(alerts.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(t.alerts)
            .where(alerts.id.in_(candidates.scalar_subquery()))
            .values(lease_owner=owner, lease_until=now + lease_for)
            .returning(alerts.id)
        )
        ids = [row.id for row in await self._conn.execute(statement)]
        if not ids:
            return []
        rows = await self._conn.execute(
            select(*ALERT_COLUMNS).select_from(ALERT_JOIN).where(alerts.id.in_(ids)).order_by(alerts.id)
        )
        return [alert_from_row(row) for row in rows]

    async def mark_digested(self, alert_ids: Sequence[int], owner: str, now: datetime, message_ref: str) -> int:
        """Mark leased held alerts delivered in the digest ``message_ref``; return how many were still ours.

        Raises LeaseLost when none was: another process has them and will post them.
        """
        alerts = t.alerts.c
        statement = (
            update(t.alerts)
            .where(alerts.id.in_(list(alert_ids)), alerts.lease_owner == owner, alerts.state == HELD)
            .values(
                state=DELIVERED,
                attempts=alerts.attempts + 1,
                delivered_at=now,
                message_ref=message_ref,
                last_error=None,
                next_attempt_at=None,
                lease_owner=None,
                lease_until=None,
            )
        )
        marked = int((await self._conn.execute(statement)).rowcount)
        if alert_ids and marked == 0:
            raise LeaseLost(f"the digest's alerts are no longer leased to {owner!r}: another process took them over")
        return marked
