"""The in-memory twin's follow-ups, stale claims, participation checks, numbers and report slots."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from earshot.adapters.storage.memory.state import AlertRow, CheckRow, MemoryBase, ReportRow, count, free
from earshot.adapters.storage.team import PLAN_BATCH
from earshot.bot.domain import Alert, DeliveryState, OutcomeKind, Participation
from earshot.bot.errors import LeaseLost
from earshot.bot.followup.participation import NEGATIVE_KINDS, REPLY_KINDS, RESPONSE_KINDS
from earshot.bot.followup.stats import median
from earshot.bot.records import DayCount, DueCheck, Stats, StatsRow, TeamReply

DIMENSIONS = ("person", "topic", "source", "community")


class FollowUpPart(MemoryBase):
    """FollowUps, Checks and Reporting."""

    def _open_claims_before(self, claimed_before: datetime) -> list[AlertRow]:
        rows = [
            r
            for r in self._t.alerts.values()
            if r.claimed_by is not None and r.claimed_at is not None and r.claimed_at <= claimed_before
        ]
        return sorted((r for r in rows if not self._settled(r.id)), key=lambda r: (r.claimed_at, r.id))

    async def take_followups(self, now: datetime, claimed_before: datetime, limit: int) -> list[Alert]:
        """Claimed alerts with no outcome, claimed before ``claimed_before`` and not asked about yet: mark them
        asked at ``now`` and return them."""
        rows = [r for r in self._open_claims_before(claimed_before) if r.followed_up_at is None][: max(0, limit)]
        for row in rows:
            row.followed_up_at = now
        return [self._alert(row) for row in sorted(rows, key=lambda r: r.id)]

    async def release_stale_claims(self, now: datetime, claimed_before: datetime, limit: int) -> list[Alert]:
        """Release claims made before ``claimed_before`` with no outcome yet; return the alerts as they were."""
        rows = sorted(self._open_claims_before(claimed_before)[: max(0, limit)], key=lambda r: r.id)
        released = [self._alert(row) for row in rows]
        for row in rows:
            row.claimed_by = row.claimed_at = row.followed_up_at = None
        return released

    async def plan_checks(
        self, now: datetime, afters: Sequence[timedelta], sources: Sequence[str], claimed_since: datetime
    ) -> int:
        """Add the missing checks of claims made since ``claimed_since``; return how many claims got them."""
        if not afters or not sources:
            return 0
        planned = {(c.alert_id, c.claimed_at) for c in self._t.checks.values()}
        existing = {(c.alert_id, c.claimed_at, c.after) for c in self._t.checks.values()}
        rows = sorted(
            (
                r
                for r in self._t.alerts.values()
                if r.claimed_by is not None
                and r.claimed_at is not None
                and r.claimed_at >= claimed_since
                and self._t.conversations[r.conversation_id].conversation.source in sources
                and (r.id, r.claimed_at) not in planned
            ),
            key=lambda r: (r.claimed_at, r.id),
        )[:PLAN_BATCH]
        for row in rows:
            assert row.claimed_at is not None
            for after in afters:
                stored = timedelta(seconds=round(after.total_seconds()))
                if (row.id, row.claimed_at, stored) not in existing:
                    existing.add((row.id, row.claimed_at, stored))
                    check = CheckRow(self._t.next_id("checks"), row.id, row.claimed_at, stored, row.claimed_at + after)
                    self._t.checks[check.id] = check
        return len(rows)

    async def lease_checks(self, now: datetime, owner: str, lease_for: timedelta, limit: int) -> list[DueCheck]:
        """Lease due, unfinished checks nobody else holds, earliest first."""
        rows = sorted(
            (
                c
                for c in self._t.checks.values()
                if c.checked_at is None and c.due_at <= now and free(c.lease_owner, c.lease_until, owner, now)
            ),
            key=lambda c: (c.due_at, c.id),
        )[: max(0, limit)]
        for row in rows:
            row.lease_owner, row.lease_until = owner, now + lease_for
        return [DueCheck(c.id, self._alert(self._t.alerts[c.alert_id]), c.after, c.attempts) for c in rows]

    def _held_check(self, check_id: int, owner: str) -> CheckRow:
        row = self._t.checks.get(check_id)
        if row is None or row.lease_owner != owner or row.checked_at is not None:
            raise LeaseLost(f"participation check {check_id} is no longer held by {owner}")
        return row

    async def finish_check(self, check_id: int, owner: str, result: Participation) -> None:
        """Store a check's result and release it; LeaseLost if ``owner`` no longer holds it."""
        row = self._held_check(check_id, owner)
        row.checked_at, row.replied_by, row.replied_at = result.checked_at, result.replied_by, result.replied_at
        row.responses, row.votes = count(result.responses), count(result.votes)
        row.reply_url, row.promoted, row.disclosed = result.reply_url, result.promoted, result.disclosed
        row.last_error = row.lease_owner = row.lease_until = None

    async def fail_check(
        self, check_id: int, owner: str, now: datetime, *, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed check: due again at ``retry_at``, or given up (finished, with the error) when None."""
        row = self._held_check(check_id, owner)
        row.attempts += 1
        row.last_error = error[:2000]
        row.lease_owner = row.lease_until = None
        if retry_at is None:
            row.checked_at = now
        else:
            row.due_at = retry_at

    async def latest_participation(self, alert_id: int, before: datetime | None = None) -> Participation | None:
        """The most recent finished check of an alert (finished before ``before``, if given) that read the thread."""
        done = [
            c
            for c in self._t.checks.values()
            if c.alert_id == alert_id
            and c.checked_at is not None
            and c.responses is not None  # a check that gave up says nothing about the thread
            and (before is None or c.checked_at < before)
        ]
        if not done:
            return None
        c = max(done, key=lambda c: (c.checked_at, c.after, c.id))
        assert c.checked_at is not None
        return Participation(
            c.alert_id,
            c.after,
            c.checked_at,
            c.replied_by,
            c.replied_at,
            c.responses or 0,
            c.votes,
            c.reply_url,
            c.promoted,
            c.disclosed,
        )

    async def team_replies(
        self, *, since: datetime | None = None, place: tuple[str, str | None] | None = None, limit: int = 200
    ) -> list[TeamReply]:
        """The team's counted replies, one per alert (its latest finished check), newest check first."""
        done = sorted(
            (
                c
                for c in self._t.checks.values()
                if c.replied_by is not None
                and c.checked_at is not None
                and c.responses is not None
                and (since is None or c.checked_at >= since)
            ),
            key=lambda c: (c.checked_at, c.after, c.id),
            reverse=True,
        )
        found: dict[int, TeamReply] = {}
        for c in done:
            item = self._t.conversations[self._t.alerts[c.alert_id].conversation_id].conversation
            if c.alert_id in found or (place is not None and (item.source, item.community) != place):
                continue
            assert c.checked_at is not None and c.replied_by is not None and c.responses is not None
            found[c.alert_id] = TeamReply(
                c.alert_id,
                item.source,
                item.community,
                item.url,
                item.title,
                c.replied_by,
                c.replied_at,
                c.checked_at,
                c.responses,
                c.reply_url,
                c.promoted,
                c.disclosed,
            )
            if len(found) == limit:
                break
        return list(found.values())

    def _facts(self, since: datetime, until: datetime, stale_before: datetime) -> list[dict[str, Any]]:
        """One record per delivered alert created in [since, until], as ``earshot.adapters.storage.stats.facts``."""
        out = []
        for row in sorted(self._t.alerts.values(), key=lambda r: r.id):
            if row.state != DeliveryState.DELIVERED or not since <= row.created_at <= until:
                continue
            item = self._t.conversations[row.conversation_id].conversation
            kinds = self._kinds(row.id)
            checks = [c for c in self._t.checks.values() if c.alert_id == row.id]
            negative = bool(kinds & NEGATIVE_KINDS)
            claimed = row.claimed_by is not None
            checked_reply = any(c.replied_by is not None for c in checks)
            checked_answer = any((c.responses or 0) > 0 for c in checks)
            replied = claimed and (bool(kinds & REPLY_KINDS) or (checked_reply and not negative))
            responded = replied and (bool(kinds & RESPONSE_KINDS) or (checked_answer and not negative))
            dismissed = OutcomeKind.NOT_RELEVANT in kinds
            out.append(
                {
                    "id": row.id,
                    "person": row.claimed_by,
                    "topic": row.topic,
                    "source": item.source,
                    "community": item.community or item.source,
                    "posted_at": row.delivered_at or row.created_at,
                    "created_at": row.created_at,
                    "claimed_at": row.claimed_at,
                    "claimed": int(claimed),
                    "replied": int(replied),
                    "responded": int(responded),
                    "stale": int(not claimed and not dismissed and row.created_at <= stale_before),
                }
            )
        return out

    async def stats(self, since: datetime, until: datetime, stale_after: timedelta) -> Stats:
        """The numbers of the delivered alerts created in [since, until]; stale: unclaimed for ``stale_after``."""
        numbers: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
        outcomes: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        delays: dict[str, dict[str, list[timedelta]]] = defaultdict(lambda: defaultdict(list))
        for fact in self._facts(since, until, until - stale_after):
            names = {
                o.label or o.kind.value if o.kind is OutcomeKind.CUSTOM else o.kind.value
                for _, o in self._t.outcomes
                if o.alert_id == fact["id"] and o.kind is not OutcomeKind.NOTE
            }
            for dimension in ("total", *DIMENSIONS):
                if dimension == "person" and fact["person"] is None:
                    continue
                key = "" if dimension == "total" else str(fact[dimension])
                row = numbers[dimension].setdefault(key, dict.fromkeys(("claimed", "replied", "responded", "stale"), 0))
                row["alerts"] = row.get("alerts", 0) + 1
                for flag in ("claimed", "replied", "responded", "stale"):
                    row[flag] += fact[flag]
                for name in names:
                    outcomes[dimension][key][name] = outcomes[dimension][key].get(name, 0) + 1
                if fact["claimed"] and fact["claimed_at"] is not None:
                    delays[dimension][key].append(max(timedelta(0), fact["claimed_at"] - fact["posted_at"]))
        built = {
            dimension: tuple(
                StatsRow(
                    key,
                    **numbers[dimension][key],
                    claim_median=median(delays[dimension].get(key, [])),
                    outcomes=dict(outcomes[dimension].get(key, {})),
                )
                for key in sorted(numbers[dimension])
            )
            for dimension in ("total", *DIMENSIONS)
        }
        total = built["total"][0] if built["total"] else StatsRow("")
        return Stats(
            since,
            until,
            total,
            people=built["person"],
            topics=built["topic"],
            sources=built["source"],
            communities=built["community"],
        )

    async def day_counts(self, since: datetime, until: datetime) -> list[DayCount]:
        """Per topic and UTC day: alerts posted, claimed and replied to, days with nothing left out."""
        counts: dict[tuple[Any, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for fact in self._facts(since, until, until):
            bucket = counts[(fact["created_at"].astimezone(UTC).date(), fact["topic"])]
            bucket[0] += 1
            bucket[1] += fact["claimed"]
            bucket[2] += fact["replied"]
        return [DayCount(day, topic, *numbers) for (day, topic), numbers in sorted(counts.items())]

    async def take_report(self, slot: str, owner: str, now: datetime, lease_for: timedelta) -> bool:
        """Take the right to post the report of ``slot``: True once per slot across processes."""
        row = self._t.reports.get(slot)
        if row is None:
            self._t.reports[slot] = ReportRow(owner, now + lease_for)
            return True
        if row.sent_at is not None or not free(row.lease_owner, row.lease_until, owner, now):
            return False
        row.lease_owner, row.lease_until = owner, now + lease_for
        return True

    async def finish_report(self, slot: str, owner: str, now: datetime, message_ref: str) -> None:
        """Mark the report of ``slot`` posted."""
        row = self._t.reports.get(slot)
        if row is not None and row.lease_owner == owner:
            row.sent_at, row.message_ref, row.lease_owner, row.lease_until = now, message_ref, None, None
