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

from sqlalchemy import select, tuple_, update

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import UnitBase, bounded_key
from earshot.bot.domain import DeliveryState
from earshot.bot.ports import NewAlert


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


def alert_row(alert: NewAlert, topic_id: int | None, now: datetime) -> dict[str, Any]:
    """The ``alerts`` row of a new alert."""
    return {
        "topic": alert.topic,
        "topic_id": topic_id,
        "conversation_id": alert.conversation_id,
        "channel": alert.channel,
        "matched": list(alert.matched),
        "score": alert.score,
        "reasons": [{"label": r.label, "weight": r.weight, "kind": r.kind.value} for r in alert.reasons],
        "created_at": now,
        "state": alert.state.value,
        "attempts": 0,
        "needs_refresh": False,
    }


Key = tuple[str, str]  # (topic, link key)
CHUNK = 500  # pairs per IN (...) list: well under SQLite's bound-parameter limit


class CrosspostMixin(UnitBase):
    """Link claims and sightings, written by ``insert_alerts`` inside the poll's transaction.

    A fixed number of statements per poll, whatever its size: claim every link at once, read the holders of
    those already claimed, find their alerts, then write the new alerts and the sightings in batches.
    """

    async def _insert_grouped(
        self, groups: list[list[NewAlert]], topic_ids: dict[str, int], now: datetime, since: datetime
    ) -> int:
        """Write one alert per group, or sightings on the alert an earlier discussion of its links has."""
        links = {id(g): sorted({(g[0].topic, bounded_key(u)) for a in g for u in a.links if u}) for g in groups}
        claimed = await self._claim([(key, g[0].conversation_id) for g in groups for key in links[id(g)]], now, since)
        held = await self._holders([key for g in groups for key in links[id(g)] if key not in claimed])
        primaries: dict[int, int] = {}  # group -> conversation id of the alert it repeats
        for g in groups:
            lead = g[0].conversation_id
            holder = next((held[k] for k in links[id(g)] if held.get(k, lead) != lead), None)
            if holder is not None:
                primaries[id(g)] = holder
        alert_ids = await self._alerts_of({(g[0].topic, primaries[id(g)]) for g in groups if id(g) in primaries})
        rows: list[dict[str, Any]] = []
        on_alert: list[tuple[int, int]] = []  # (alert id, sighted conversation)
        on_lead: list[tuple[tuple[str, int], int]] = []  # ((topic, lead conversation), sighted conversation)
        for g in groups:
            primary = alert_ids.get((g[0].topic, primaries.get(id(g), -1)))
            if primary is not None:
                await self._hand_over(g[0].topic, [k[1] for k in links[id(g)] if k in claimed], primaries[id(g)])
                on_alert += [(primary, a.conversation_id) for a in g]
                continue
            rows.append(alert_row(g[0], topic_ids.get(g[0].topic), now))
            on_lead += [((g[0].topic, g[0].conversation_id), a.conversation_id) for a in g[1:]]
        written = 0
        if rows:
            statement = self._insert(t.alerts).on_conflict_do_nothing().returning(t.alerts.c.id)
            written = len((await self._conn.execute(statement, rows)).all())
        if on_lead:  # the leads' alerts exist now (written above, or before when a poll repeats)
            leads = await self._alerts_of({key for key, _ in on_lead}, below_min=True)
            on_alert += [(leads[key], c) for key, c in on_lead if key in leads]
        await self._add_sightings(on_alert, now)
        return written

    async def _claim(self, claims: list[tuple[Key, int]], now: datetime, since: datetime) -> set[Key]:
        """Claim links for conversations; return those now held (new, or taken over from a claim before ``since``).

        One INSERT ... ON CONFLICT DO UPDATE: the database's unique key, not a prior read, decides which of two
        racing replicas is first (PostgreSQL makes the second wait for the first's commit; SQLite runs one writer
        at a time). Rows go in sorted order, so two polls claiming overlapping links lock them in the same order.
        """
        if not claims:
            return set()
        table = t.alert_links
        insert = self._insert(table)
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.topic, table.c.link_key],
            set_={"conversation_id": insert.excluded.conversation_id, "at": insert.excluded.at},
            where=table.c.at < since,
        ).returning(table.c.topic, table.c.link_key)
        rows = [{"topic": k[0], "link_key": k[1], "conversation_id": c, "at": now} for k, c in sorted(claims)]
        return {(row.topic, row.link_key) for row in await self._conn.execute(statement, rows)}

    async def _holders(self, keys: list[Key]) -> dict[Key, int]:
        """Which conversation holds each of these links."""
        table = t.alert_links
        found: dict[Key, int] = {}
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            query = select(table.c.topic, table.c.link_key, table.c.conversation_id).where(
                tuple_(table.c.topic, table.c.link_key).in_(chunk)
            )
            found.update({(row.topic, row.link_key): row.conversation_id for row in await self._conn.execute(query)})
        return found

    async def _alerts_of(self, pairs: set[tuple[str, int]], *, below_min: bool = False) -> dict[tuple[str, int], int]:
        """The alert of each (topic, conversation); one held below its minimum only with ``below_min``.

        An earlier alert held below its minimum takes no sightings from later polls: a discussion that clears
        the minimum should not disappear into one that did not.
        """
        alerts = t.alerts.c
        found: dict[tuple[str, int], int] = {}
        ordered = sorted(pairs)
        for start in range(0, len(ordered), CHUNK):
            query = select(alerts.id, alerts.topic, alerts.conversation_id).where(
                tuple_(alerts.topic, alerts.conversation_id).in_(ordered[start : start + CHUNK])
            )
            if not below_min:
                query = query.where(alerts.state != DeliveryState.BELOW_MIN.value)
            found.update({(row.topic, row.conversation_id): row.id for row in await self._conn.execute(query)})
        return found

    async def _hand_over(self, topic: str, link_keys: list[str], primary: int) -> None:
        """Links a repeat claimed before it was found to be one now belong to its primary: the group grows as one."""
        if link_keys:
            table = t.alert_links
            await self._conn.execute(
                update(table)
                .where(table.c.topic == topic, table.c.link_key.in_(link_keys))
                .values(conversation_id=primary)
            )

    async def _add_sightings(self, sightings: list[tuple[int, int]], now: datetime) -> None:
        """Record other discussions (alert id, conversation id) on alerts; each pair once.

        A delivered alert that gets a new sighting is flagged, so a chat that edits messages can refresh it.
        """
        if not sightings:
            return
        rows = [{"alert_id": a, "conversation_id": c, "seen_at": now} for a, c in dict.fromkeys(sightings)]
        statement = self._insert(t.sightings).on_conflict_do_nothing().returning(t.sightings.c.alert_id)
        added = sorted({row.alert_id for row in await self._conn.execute(statement, rows)})
        if added:
            await self._conn.execute(
                update(t.alerts)
                .where(t.alerts.c.id.in_(added), t.alerts.c.state == DeliveryState.DELIVERED.value)
                .values(needs_refresh=True)
            )
