"""Claims and outcomes: who is joining a conversation, and how it went.

The chat adapters call these use cases from their buttons and reactions; the rules of who may do what live
in :func:`may_record` and :func:`may_release`, as pure functions.
"""

from __future__ import annotations

from earshot.bot.domain import Alert, ClaimResult, Outcome, OutcomeKind
from earshot.bot.errors import NotAllowed, NotFound
from earshot.bot.ports import NO_TELEMETRY, Clock, StoreOf, Telemetry
from earshot.bot.ports.storage import Claiming


def may_record(alert: Alert, actor: str, kind: OutcomeKind, *, moderator: bool = False) -> str | None:
    """Why ``actor`` may not record ``kind`` on ``alert``, or None when they may."""
    if kind is OutcomeKind.NOT_RELEVANT or moderator:
        return None
    if alert.claimed_by is None:
        return "claim it first: outcomes are recorded by whoever joined the conversation"
    if alert.claimed_by != actor:
        return f"{alert.claimed_by} has claimed it; only they (or a moderator) record how it went"
    return None


def may_release(alert: Alert, actor: str, *, moderator: bool = False) -> str | None:
    """Why ``actor`` may not release ``alert``, or None when they may."""
    if alert.claimed_by is None:
        return "nobody has claimed it"
    if alert.claimed_by != actor and not moderator:
        return f"{alert.claimed_by} has claimed it; only they (or a moderator) can release it"
    return None


class Claims:
    """Claim, release and record outcomes of alerts."""

    def __init__(self, store: StoreOf[Claiming], clock: Clock, telemetry: Telemetry = NO_TELEMETRY) -> None:
        self.store = store
        self.clock = clock
        self.telemetry = telemetry

    async def claim(self, alert_id: int, actor: str) -> ClaimResult:
        """Claim an alert for ``actor``; the first claimer wins, and everyone else learns who that is."""
        async with self.store.unit() as unit:
            result = await unit.claim(alert_id, actor, self.clock())
        self.telemetry.count("claims", outcome="won" if result.won else "taken")
        return result

    async def release(self, alert_id: int, actor: str, *, moderator: bool = False) -> None:
        """Free a claimed alert so someone else can take it."""
        async with self.store.unit() as unit:
            alert = await _alert(unit, alert_id)
            reason = may_release(alert, actor, moderator=moderator)
            if reason is not None:
                raise NotAllowed(f"cannot release alert {alert_id}: {reason}")
            if not await unit.release_claim(alert_id, actor, force=moderator):
                raise NotAllowed(f"cannot release alert {alert_id}: the claim changed meanwhile")

    async def record_outcome(
        self,
        alert_id: int,
        actor: str,
        kind: OutcomeKind,
        note: str | None = None,
        *,
        moderator: bool = False,
        label: str | None = None,
    ) -> Outcome:
        """Record how joining went (or that the alert was not relevant)."""
        async with self.store.unit() as unit:
            alert = await _alert(unit, alert_id)
            reason = may_record(alert, actor, kind, moderator=moderator)
            if reason is not None:
                raise NotAllowed(f"cannot record {kind.value} on alert {alert_id}: {reason}")
            outcome = Outcome(alert_id, kind, actor, self.clock(), note, label)
            await unit.add_outcome(outcome)
            return outcome


async def _alert(unit: Claiming, alert_id: int) -> Alert:
    found = await unit.get_alert(alert_id)
    if found is None:
        raise NotFound(f"there is no alert {alert_id}")
    return found
