"""The in-memory twin's outbox, flood guard, summaries, budgets and refresh flags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from earshot.adapters.storage.memory.state import AlertRow, MemoryBase, count, free
from earshot.adapters.storage.rows import stored_code
from earshot.adapters.storage.usage import USAGE_PREFIX, day_usages, usage_name
from earshot.bot.domain import Alert, Conversation, DeliveryState, Summary
from earshot.bot.errors import LeaseLost
from earshot.bot.records import Backlog, DayUsage, DeliveryProblem
from earshot.bot.text import without_surrogates

PENDING, HELD, DELIVERED = DeliveryState.PENDING, DeliveryState.HELD, DeliveryState.DELIVERED


def _due(row: AlertRow, now: datetime) -> bool:
    return row.next_attempt_at is None or row.next_attempt_at <= now


class DeliveringPart(MemoryBase):
    """Outbox, FloodGuard, Summaries and Refreshes."""

    def _by_id(self) -> list[AlertRow]:
        return [self._t.alerts[i] for i in sorted(self._t.alerts)]

    async def lease_alerts(self, now: datetime, owner: str, lease_for: timedelta, limit: int) -> list[Alert]:
        """Lease pending alerts that are due for an attempt and held by nobody, oldest first."""
        rows = [
            row
            for row in self._by_id()
            if row.state == PENDING and _due(row, now) and free(row.lease_owner, row.lease_until, owner, now)
        ][: max(0, limit)]
        leased: list[Alert] = []
        for row in rows:
            retaken = row.lease_owner not in (None, owner)
            row.lease_owner, row.lease_until = owner, now + lease_for
            leased.append(replace(self._alert(row, sightings=True), retaken=retaken))
        return leased

    def _leased(self, alert_id: int, owner: str) -> AlertRow:
        row = self._t.alerts.get(alert_id)
        if row is None or row.lease_owner != owner:
            raise self._alert_lease_lost(alert_id, owner)
        return row

    async def mark_delivered(self, alert_id: int, owner: str, now: datetime, message_ref: str) -> None:
        """Mark a leased alert delivered."""
        row = self._leased(alert_id, owner)
        row.state, row.attempts, row.delivered_at, row.message_ref = DELIVERED, row.attempts + 1, now, message_ref
        row.last_error = row.next_attempt_at = row.lease_owner = row.lease_until = None

    async def mark_failed(
        self, alert_id: int, owner: str, now: datetime, *, error: str, next_attempt_at: datetime
    ) -> None:
        """Record a failed delivery attempt and release the lease until ``next_attempt_at``."""
        row = self._leased(alert_id, owner)
        row.attempts += 1
        row.last_error = without_surrogates(error.replace("\x00", ""))
        row.next_attempt_at = next_attempt_at
        row.lease_owner = row.lease_until = None

    async def release_alerts(self, alert_ids: Sequence[int], owner: str, *, next_attempt_at: datetime) -> None:
        """Give back leased alerts that were not attempted, due again at ``next_attempt_at``."""
        for alert_id in alert_ids:
            row = self._t.alerts.get(alert_id)
            if row is not None and row.lease_owner == owner:
                row.next_attempt_at, row.lease_owner, row.lease_until = next_attempt_at, None, None

    async def count_undelivered(self) -> int:
        """Alerts not yet delivered (pending, or held for a digest), leased or not."""
        return sum(row.state in (PENDING, HELD) for row in self._t.alerts.values())

    async def backlog(self, problems: int = 10) -> Backlog:
        """Undelivered alerts by channel, the oldest one's time, and up to ``problems`` with a delivery error."""
        pending = [row for row in self._by_id() if row.state == PENDING]
        by_channel: dict[str | None, int] = {}
        for row in pending:
            by_channel[row.channel] = by_channel.get(row.channel, 0) + 1
        oldest = min((row.created_at for row in pending), default=None)
        failing = [row for row in reversed(pending) if row.last_error is not None][: max(0, problems)]
        found = tuple(
            DeliveryProblem(row.id, row.topic, row.channel, row.attempts, row.last_error or "", row.next_attempt_at)
            for row in failing
        )
        return Backlog(by_channel, oldest, found)

    async def delivered_since(self, since: datetime) -> dict[str | None, int]:
        """Alerts posted one by one (not in a digest) to each channel from ``since`` on."""
        out: dict[str | None, int] = {}
        for row in self._t.alerts.values():
            if row.state == DELIVERED and row.held_at is None and row.delivered_at and row.delivered_at >= since:
                out[row.channel] = out.get(row.channel, 0) + 1
        return out

    async def hold_alerts(self, alert_ids: Sequence[int], owner: str, now: datetime) -> None:
        """Move leased pending alerts to held (over their channel's cap), releasing the lease."""
        held = 0
        for alert_id in set(alert_ids):
            row = self._t.alerts.get(alert_id)
            if row is not None and row.lease_owner == owner and row.state == PENDING:
                row.state, row.held_at = HELD, now
                row.next_attempt_at = row.lease_owner = row.lease_until = None
                held += 1
        if held != len(set(alert_ids)):
            raise LeaseLost(f"{len(alert_ids) - held} of the alerts to hold are no longer leased to {owner!r}")

    async def held_channels(self, now: datetime) -> dict[str | None, datetime | None]:
        """Channels with held alerts due for a digest, each with when its last digest went out (None: never)."""
        channels = dict.fromkeys(row.channel for row in self._by_id() if row.state == HELD and _due(row, now))
        out: dict[str | None, datetime | None] = {}
        for channel in channels:
            digests = [
                row.delivered_at
                for row in self._t.alerts.values()
                if row.channel == channel and row.state == DELIVERED and row.held_at is not None and row.delivered_at
            ]
            out[channel] = max(digests, default=None)
        return out

    async def lease_held(
        self, channel: str | None, now: datetime, owner: str, lease_for: timedelta, limit: int
    ) -> list[Alert]:
        """Lease the channel's held alerts that nobody else holds, oldest first, for one digest."""
        rows = [
            row
            for row in self._by_id()
            if row.state == HELD
            and row.channel == channel
            and _due(row, now)
            and free(row.lease_owner, row.lease_until, owner, now)
        ][: max(0, limit)]
        for row in rows:
            row.lease_owner, row.lease_until = owner, now + lease_for
        return [self._alert(row) for row in rows]

    async def mark_digested(self, alert_ids: Sequence[int], owner: str, now: datetime, message_ref: str) -> int:
        """Mark leased held alerts delivered in digest ``message_ref``; how many were still ours."""
        marked = 0
        for alert_id in set(alert_ids):
            row = self._t.alerts.get(alert_id)
            if row is not None and row.lease_owner == owner and row.state == HELD:
                row.state, row.attempts, row.delivered_at, row.message_ref = (
                    DELIVERED,
                    row.attempts + 1,
                    now,
                    message_ref,
                )
                row.last_error = row.next_attempt_at = row.lease_owner = row.lease_until = None
                marked += 1
        if alert_ids and marked == 0:
            raise LeaseLost(f"the digest's alerts are no longer leased to {owner!r}: another process took them over")
        return marked

    async def save_summary(self, alert_id: int, summary: Summary, refreshed: Conversation | None = None) -> None:
        """Store an alert's summary; with ``refreshed``, update its conversation's numbers (replies, points) and
        state."""
        row = self._t.alerts.get(alert_id)
        if row is None:
            return
        row.summary = summary
        if refreshed is not None:
            stored = self._t.conversations[row.conversation_id]
            stored.conversation = replace(
                stored.conversation,
                thread_size=count(refreshed.thread_size),
                points=count(refreshed.points),
                state=stored_code(refreshed.state),
            )

    async def spend_budget(self, name: str, day: date, limit: int) -> bool:
        """Count one use of a daily budget shared by every process; False (and nothing counted) when spent."""
        used = self._t.budgets.get((name, day), 0)
        if limit <= 0 or used >= limit:
            return False
        self._t.budgets[(name, day)] = used + 1
        return True

    async def count_usage(self, kind: str, day: date, spent: Mapping[str, int]) -> None:
        """Add what thread reads spent to ``kind``'s counters of ``day``."""
        for what, amount in spent.items():
            name = usage_name(kind, what)
            if amount >= 1 and name is not None:
                self._t.budgets[(name, day)] = self._t.budgets.get((name, day), 0) + amount

    async def usage_since(self, since: date) -> list[DayUsage]:
        """Every kind's counters of the days from ``since`` on, by kind and then day."""
        rows = [(name, day, used) for (name, day), used in self._t.budgets.items() if day >= since]
        return day_usages(row for row in rows if row[0].startswith(USAGE_PREFIX))

    async def alerts_to_refresh(self, limit: int) -> list[Alert]:
        """Delivered alerts whose message is out of date (a sighting came after delivery), oldest first."""
        rows = [row for row in self._by_id() if row.needs_refresh and row.state == DELIVERED][: max(0, limit)]
        return [self._alert(row, sightings=True) for row in rows]

    async def mark_refreshed(self, alert_id: int) -> None:
        """Clear an alert's refresh flag once its message was edited."""
        row = self._t.alerts.get(alert_id)
        if row is not None:
            row.needs_refresh = False
