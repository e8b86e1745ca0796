"""The in-memory twin's retention: the same rules as the SQL store's, over the dicts."""

from __future__ import annotations

from earshot.adapters.storage.memory.state import AlertRow, MemoryBase
from earshot.bot.domain import DeliveryState
from earshot.bot.records import Horizons

KEPT = frozenset({DeliveryState.PENDING, DeliveryState.HELD})


def _alert_goes(h: Horizons, row: AlertRow) -> bool:
    if h.alerts is None:
        return False
    claimed = row.claimed_at is None or row.claimed_at < h.alerts
    return row.created_at < h.alerts and row.state not in KEPT and claimed


class RetentionPart(MemoryBase):
    """Retention over the dicts."""

    def _conversation_goes(self, h: Horizons, conversation_id: int, *, eventually: bool) -> bool:
        if h.conversations is None:
            return False
        row = self._t.conversations[conversation_id]
        created = row.conversation.created_at
        if created is not None:
            old = created < h.conversations
        else:
            old = h.alerts is not None and row.first_seen_at < h.alerts
        if not (row.first_seen_at < h.conversations and old):
            return False
        alerts = self._t.alerts
        if any(
            a.conversation_id == conversation_id and not (eventually and _alert_goes(h, a)) for a in alerts.values()
        ):
            return False
        for alert_id, seen in self._t.sightings:
            if seen == conversation_id and not (eventually and _alert_goes(h, alerts[alert_id])):
                return False
        return not any(
            holder == conversation_id and not (eventually and at < h.conversations)
            for holder, at in self._t.links.values()
        )

    async def prunable(self, horizons: Horizons) -> dict[str, int]:
        """How many alerts, conversations and audit entries a prune would remove now."""
        t = self._t
        return {
            "alerts": sum(_alert_goes(horizons, row) for row in t.alerts.values()),
            "conversations": sum(self._conversation_goes(horizons, cid, eventually=True) for cid in t.conversations),
            "audit": sum(horizons.audit is not None and entry[0] < horizons.audit for entry in t.audit),
        }

    async def prune(self, horizons: Horizons, limit: int) -> dict[str, int]:
        """Remove up to ``limit`` of each, oldest first; say how many went."""
        t = self._t
        ids = sorted(i for i, row in t.alerts.items() if _alert_goes(horizons, row))[:limit]
        gone = set(ids)
        t.outcomes = [(i, o) for i, o in t.outcomes if o.alert_id not in gone]
        t.checks = {i: c for i, c in t.checks.items() if c.alert_id not in gone}
        t.sightings = {k: v for k, v in t.sightings.items() if k[0] not in gone}
        for alert_id in ids:
            del t.alerts[alert_id]
        if horizons.conversations is not None:
            cut = horizons.conversations
            t.links = {k: v for k, v in t.links.items() if v[1] >= cut}
        if horizons.alerts is not None:
            day = horizons.alerts.date()
            t.budgets = {k: v for k, v in t.budgets.items() if k[1] >= day}
        old = [cid for cid in sorted(t.conversations) if self._conversation_goes(horizons, cid, eventually=False)]
        for cid in old[:limit]:
            del t.conversations[cid]
        audit = [i for i, entry in enumerate(t.audit) if horizons.audit is not None and entry[0] < horizons.audit]
        dropped = set(audit[:limit])
        t.audit = [entry for i, entry in enumerate(t.audit) if i not in dropped]
        return {"alerts": len(ids), "conversations": len(old[:limit]), "audit": len(dropped)}
