"""Claims, outcomes and the audit log: what people do with alerts and with the configuration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import ALERT_COLUMNS, ALERT_JOIN, UnitBase, alert_from_row, load_sightings
from earshot.bot.domain import Alert, ClaimResult, Outcome, OutcomeKind
from earshot.bot.errors import NotFound

# Each retry follows a claim released between our failed UPDATE and our read; more than a few means a storm.
CLAIM_READS = 3


class ClaimsMixin(UnitBase):
    """The Unit methods for claims, outcomes and the audit log."""

    async def get_alert(self, alert_id: int) -> Alert | None:
        """One alert, or None."""
        statement = select(*ALERT_COLUMNS).select_from(ALERT_JOIN).where(t.alerts.c.id == alert_id)
        row = (await self._conn.execute(statement)).first()
        if row is None:
            return None
        return (await load_sightings(self._conn, [alert_from_row(row)]))[0]

    async def claim(self, alert_id: int, actor: str, now: datetime) -> ClaimResult:
        """Claim an alert if nobody holds it (atomic: exactly one concurrent claimer wins); NotFound if absent.

        Claiming an alert one holds already is a win that changes nothing.
        """
        alerts = t.alerts.c
        for _ in range(CLAIM_READS):
            # The condition is in the UPDATE itself, so the database decides the race: on PostgreSQL the losers
            # wait for the winner's row lock and then find claimed_by set; on SQLite the write lock serialises.
            taken = await self._conn.execute(
                update(t.alerts)
                .where(alerts.id == alert_id, alerts.claimed_by.is_(None))
                .values(claimed_by=actor, claimed_at=now, followed_up_at=None)
            )
            if taken.rowcount == 1:
                return ClaimResult(alert_id=alert_id, won=True, holder=actor, claimed_at=now)
            row = (
                await self._conn.execute(select(alerts.claimed_by, alerts.claimed_at).where(alerts.id == alert_id))
            ).first()
            if row is None:
                raise NotFound(f"alert {alert_id} does not exist")
            if row.claimed_by is not None:
                return ClaimResult(
                    alert_id=alert_id, won=row.claimed_by == actor, holder=row.claimed_by, claimed_at=row.claimed_at
                )
        raise RuntimeError(f"alert {alert_id} was claimed and released {CLAIM_READS} times while claiming it")

    async def release_claim(self, alert_id: int, actor: str, *, force: bool = False) -> bool:
        """Free an alert held by ``actor`` (or by anyone, with ``force``); False if it was not held so.

        NotFound if the alert does not exist, as for ``claim``.
        """
        alerts = t.alerts.c
        statement = update(t.alerts).where(alerts.id == alert_id, alerts.claimed_by.is_not(None))
        if not force:
            statement = statement.where(alerts.claimed_by == actor)
        result = await self._conn.execute(statement.values(claimed_by=None, claimed_at=None, followed_up_at=None))
        if result.rowcount == 1:
            return True
        await self._require_alert(alert_id)
        return False

    async def add_outcome(self, outcome: Outcome) -> None:
        """Record an outcome; NotFound if its alert does not exist."""
        # Checked first: a foreign key violation would abort the whole transaction on PostgreSQL.
        await self._require_alert(outcome.alert_id)
        await self._conn.execute(
            insert(t.outcomes).values(
                alert_id=outcome.alert_id,
                kind=outcome.kind.value,
                actor=outcome.actor,
                note=outcome.note,
                at=outcome.at,
                label=outcome.label,
            )
        )

    async def list_outcomes(self, alert_id: int) -> list[Outcome]:
        """Outcomes of an alert, oldest first."""
        outcomes = t.outcomes.c
        statement = select(t.outcomes).where(outcomes.alert_id == alert_id).order_by(outcomes.at, outcomes.id)
        return [
            Outcome(
                alert_id=row.alert_id,
                kind=OutcomeKind(row.kind),
                actor=row.actor,
                at=row.at,
                note=row.note,
                label=row.label,
            )
            for row in await self._conn.execute(statement)
        ]

    async def record_change(self, actor: str, action: str, subject: str, detail: dict[str, Any], now: datetime) -> None:
        """Record who changed a topic or feed, and how."""
        await self._conn.execute(
            insert(t.audit_log).values(at=now, actor=actor, action=action, subject=subject, detail=dict(detail))
        )

    async def _require_alert(self, alert_id: int) -> None:
        found = (await self._conn.execute(select(t.alerts.c.id).where(t.alerts.c.id == alert_id))).first()
        if found is None:
            raise NotFound(f"alert {alert_id} does not exist")
