"""Crossposts: conversations of one topic discussing the same link make one alert, the rest become sightings.

Stored as a link claim per (topic, canonical link) in ``alert_links`` and a row per extra discussion in
``sightings`` (a table rather than a JSON column on the alert: sightings arrive from other feeds' polls, in other
transactions and replicas, and a unique row per (alert, conversation) keeps each recorded once without a
read-modify-write of the alert).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from adapters.storage import tables as t
from adapters.storage.rows import UnitBase, bounded_key
from bot.domain import DeliveryState
from bot.ports import NewAlert


def group_crossposts(alerts: Sequence[NewAlert]) -> list[list[NewAlert]]:
    """Alerts grouped by topic and shared links (transitively), in first-seen order; each group's lead first.

    The lead is the group's first pending alert (else its first): a discussion held below its minimum should not
    swallow one that clears it.
    """
    parent = list(range(len(alerts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    holder: dict[tuple[str, str], int] = {}
    for i, alert in enumerate(alerts):
        for link in alert.links:
            if not link:
                continue
            j = holder.setdefault((alert.topic, link), i)
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[NewAlert]] = {}
    for i, alert in enumerate(alerts):
        groups.setdefault(root(i), []).append(alert)
    ordered = []
    for group in groups.values():
        lead = next((a for a in group if a.state == DeliveryState.PENDING), group[0])
        ordered.append([lead, *(a for a in group if a is not lead)])
    return ordered


class CrosspostMixin(UnitBase):
    """Link claims and sightings, used by ``insert_alerts`` inside the poll's transaction."""

    async def _crosspost_of(
        self, topic: str, links: Sequence[str], conversation_id: int, now: datetime, since: datetime
    ) -> int | None:
        """The id of the alert these links repeat (same topic, a link claimed since ``since``), or None.

        Each link is claimed with one INSERT ... ON CONFLICT DO UPDATE that takes over only a claim older than
        ``since``: the database's unique key, not a prior read, decides which of two racing replicas is first
        (PostgreSQL makes the second wait for the first's commit, SQLite runs one writer at a time). Links are
        claimed in sorted order, so two transactions claiming overlapping links cannot deadlock on them. Links
        claimed before finding a repeat are handed to the primary, so the group keeps growing as one.
        """
        table = t.alert_links
        claimed: list[str] = []
        primary: int | None = None
        for link in sorted({bounded_key(link) for link in links}):
            statement = (
                self._insert(table)
                .values(topic=topic, link_key=link, conversation_id=conversation_id, at=now)
                .on_conflict_do_update(
                    index_elements=[table.c.topic, table.c.link_key],
                    set_={"conversation_id": conversation_id, "at": now},
                    where=table.c.at < since,
                )
                .returning(table.c.conversation_id)
            )
            if (await self._conn.execute(statement)).scalar_one_or_none() is not None:
                claimed.append(link)
                continue
            holder = (
                await self._conn.execute(
                    select(table.c.conversation_id).where(table.c.topic == topic, table.c.link_key == link)
                )
            ).scalar_one()
            if holder != conversation_id and primary is None:
                primary = holder
        if primary is None:
            return None
        alert_id = (
            await self._conn.execute(
                select(t.alerts.c.id).where(
                    t.alerts.c.topic == topic,
                    t.alerts.c.conversation_id == primary,
                    t.alerts.c.state != DeliveryState.BELOW_MIN.value,
                )
            )
        ).scalar_one_or_none()
        # No alert to add to (held below its minimum, or gone): these conversations get an alert of their own.
        if alert_id is None:
            return None
        if claimed:
            await self._conn.execute(
                update(table)
                .where(table.c.topic == topic, table.c.link_key.in_(claimed))
                .values(conversation_id=primary)
            )
        return int(alert_id)

    async def _insert_alert(self, row: dict[str, Any]) -> tuple[int, int]:
        """Insert one alert row; its id, and 1 if it was new (0 if the topic had alerted this conversation)."""
        statement = self._insert(t.alerts).on_conflict_do_nothing().returning(t.alerts.c.id)
        inserted = (await self._conn.execute(statement, [row])).scalar_one_or_none()
        if inserted is not None:
            return int(inserted), 1
        existing = await self._conn.execute(
            select(t.alerts.c.id).where(
                t.alerts.c.topic == row["topic"], t.alerts.c.conversation_id == row["conversation_id"]
            )
        )
        return int(existing.scalar_one()), 0

    async def _add_sighting(self, alert_id: int, conversation_id: int, now: datetime) -> None:
        """Record another discussion on an alert; a delivered alert is flagged for its message to be refreshed."""
        statement = self._insert(t.sightings).on_conflict_do_nothing().returning(t.sightings.c.id)
        row = {"alert_id": alert_id, "conversation_id": conversation_id, "seen_at": now}
        if (await self._conn.execute(statement, [row])).first() is None:
            return
        await self._conn.execute(
            update(t.alerts)
            .where(t.alerts.c.id == alert_id, t.alerts.c.state == DeliveryState.DELIVERED.value)
            .values(needs_refresh=True)
        )
