"""Retention: removing old alerts (with their records), conversations nothing refers to, and old audit entries, a
batch at a time (see :class:`earshot.bot.ports.storage.retention.Retention`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, false, func, not_, or_, select, true

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import UnitBase
from earshot.bot.records import Horizons

KEPT = ("pending", "held")  # the outbox still owns these, whatever their age


def _alert_goes(h: Horizons, a: Any = t.alerts.c) -> ColumnElement[bool]:
    """An alert old enough to go (``a``: the alerts table's columns, or an alias's)."""
    if h.alerts is None:
        return false()
    return and_(
        a.created_at < h.alerts,
        a.state.not_in(KEPT),
        or_(a.claimed_at.is_(None), a.claimed_at < h.alerts),
    )


def _conversation_goes(h: Horizons, *, eventually: bool) -> ColumnElement[bool]:
    """A conversation old enough to go and referred to by nothing: now, or (``eventually``) once the alerts that
    go are gone."""
    if h.conversations is None:
        return false()
    c = t.conversations.c
    dated = and_(c.created_at.is_not(None), c.created_at < h.conversations)
    undated = and_(c.created_at.is_(None), c.first_seen_at < h.alerts) if h.alerts is not None else false()
    alerts, sightings, links = t.alerts.alias("a"), t.sightings.alias("s"), t.alert_links.alias("l")
    alert_stays = not_(_alert_goes(h, alerts.c)) if eventually else true()
    sighting_of = select(alerts.c.id).where(alerts.c.id == sightings.c.alert_id, not_(_alert_goes(h, alerts.c)))
    sighting_stays = exists(sighting_of) if eventually else true()
    link_stays = links.c.at >= h.conversations if eventually else true()
    return and_(
        c.first_seen_at < h.conversations,
        or_(dated, undated),
        not_(exists().where(alerts.c.conversation_id == c.id, alert_stays)),
        not_(exists().where(sightings.c.conversation_id == c.id, sighting_stays)),
        not_(exists().where(links.c.conversation_id == c.id, link_stays)),
    )


def _audit_goes(h: Horizons) -> ColumnElement[bool]:
    return t.audit_log.c.at < h.audit if h.audit is not None else false()


class RetentionMixin(UnitBase):
    """The Unit methods of retention."""

    async def prunable(self, horizons: Horizons) -> dict[str, int]:
        """How many alerts, conversations and audit entries a prune would remove now."""

        async def count(table: Any, where: ColumnElement[bool]) -> int:
            return int((await self._conn.execute(select(func.count()).select_from(table).where(where))).scalar_one())

        return {
            "alerts": await count(t.alerts, _alert_goes(horizons)),
            "conversations": await count(t.conversations, _conversation_goes(horizons, eventually=True)),
            "audit": await count(t.audit_log, _audit_goes(horizons)),
        }

    async def prune(self, horizons: Horizons, limit: int) -> dict[str, int]:
        """Remove up to ``limit`` of each, oldest first (in the order of the time each is kept by, so that each
        search is a range of its index and finds nothing at once when nothing is old enough); say how many went."""
        ids = list(
            (
                await self._conn.execute(
                    select(t.alerts.c.id).where(_alert_goes(horizons)).order_by(t.alerts.c.created_at).limit(limit)
                )
            ).scalars()
        )
        if ids:
            for table in (t.outcomes, t.participation, t.sightings):
                await self._conn.execute(delete(table).where(table.c.alert_id.in_(ids)))
            await self._conn.execute(delete(t.alerts).where(t.alerts.c.id.in_(ids)))
        if horizons.conversations is not None:  # links held for crossposts longer ago than anything kept
            await self._conn.execute(delete(t.alert_links).where(t.alert_links.c.at < horizons.conversations))
        if horizons.alerts is not None:
            await self._conn.execute(delete(t.budgets).where(t.budgets.c.day < horizons.alerts.date()))
        c, log = t.conversations.c, t.audit_log.c
        old = select(c.id).where(_conversation_goes(horizons, eventually=False)).order_by(c.first_seen_at)
        gone = list((await self._conn.execute(old.limit(limit))).scalars())
        if gone:
            await self._conn.execute(delete(t.conversations).where(c.id.in_(gone)))
        entries = select(log.id).where(_audit_goes(horizons)).order_by(log.at).limit(limit)
        audited = list((await self._conn.execute(entries)).scalars())
        if audited:
            await self._conn.execute(delete(t.audit_log).where(log.id.in_(audited)))
        return {"alerts": len(ids), "conversations": len(gone), "audit": len(audited)}
