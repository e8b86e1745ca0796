"""Context summaries, the shared daily budgets (and thread reads' usage counters), and the refresh flag of alerts
whose message is out of date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select, update

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import (
    ALERT_COLUMNS,
    ALERT_JOIN,
    UnitBase,
    alert_from_row,
    conversation_values,
    load_sightings,
    summary_values,
)
from earshot.adapters.storage.usage import USAGE_PREFIX, day_usages, usage_name
from earshot.bot.domain import Alert, Conversation, DeliveryState, Summary
from earshot.bot.records import DayUsage


class ContextMixin(UnitBase):
    """The Unit methods of the context step (and of chats that edit messages)."""

    async def save_summary(self, alert_id: int, summary: Summary, refreshed: Conversation | None = None) -> None:
        """Store an alert's summary; with ``refreshed``, update its conversation's numbers (replies, points) and
        state."""
        statement = (
            update(t.alerts)
            .where(t.alerts.c.id == alert_id)
            .values(summary=summary_values(summary))
            .returning(t.alerts.c.conversation_id)
        )
        conversation_id = (await self._conn.execute(statement)).scalar_one_or_none()
        if conversation_id is None or refreshed is None:
            return
        values = conversation_values(refreshed)
        await self._conn.execute(
            update(t.conversations)
            .where(t.conversations.c.id == conversation_id)
            .values(thread_size=values["thread_size"], points=values["points"], state=values["state"])
        )

    async def spend_budget(self, name: str, day: date, limit: int) -> bool:
        """Count one use of a daily budget shared by every process; False (and nothing counted) when spent.

        One statement: the row is created at 1 or incremented only while under the limit, so concurrent
        spenders on other replicas can never overshoot it.
        """
        if limit <= 0:
            return False
        b = t.budgets
        insert = self._insert(b).values(name=name, day=day, used=1)
        statement = insert.on_conflict_do_update(
            index_elements=[b.c.name, b.c.day], set_={"used": b.c.used + 1}, where=b.c.used < limit
        ).returning(b.c.used)
        return (await self._conn.execute(statement)).scalar_one_or_none() is not None

    async def count_usage(self, kind: str, day: date, spent: Mapping[str, int]) -> None:
        """Add what thread reads spent to ``kind``'s counters of ``day`` (one row per counter in ``budgets``)."""
        b = t.budgets
        for what, amount in sorted(spent.items()):
            name = usage_name(kind, what)
            if amount < 1 or name is None:
                continue
            insert = self._insert(b).values(name=name, day=day, used=amount)
            await self._conn.execute(
                insert.on_conflict_do_update(index_elements=[b.c.name, b.c.day], set_={"used": b.c.used + amount})
            )

    async def usage_since(self, since: date) -> list[DayUsage]:
        """Every kind's counters of the days from ``since`` on, by kind and then day."""
        b = t.budgets
        rows = await self._conn.execute(
            select(b.c.name, b.c.day, b.c.used).where(b.c.name.startswith(USAGE_PREFIX), b.c.day >= since)
        )
        return day_usages((name, day, used) for name, day, used in rows)

    async def alerts_to_refresh(self, limit: int) -> list[Alert]:
        """Delivered alerts whose message is out of date (a sighting came after delivery), oldest first."""
        alerts = t.alerts.c
        rows = await self._conn.execute(
            select(*ALERT_COLUMNS)
            .select_from(ALERT_JOIN)
            .where(alerts.needs_refresh, alerts.state == DeliveryState.DELIVERED.value)
            .order_by(alerts.id)
            .limit(limit)
        )
        return await load_sightings(self._conn, [alert_from_row(row) for row in rows])

    async def mark_refreshed(self, alert_id: int) -> None:
        """Clear an alert's refresh flag once its message was edited."""
        await self._conn.execute(update(t.alerts).where(t.alerts.c.id == alert_id).values(needs_refresh=False))
