"""Storage ports for what happens after a claim: follow-ups, stale claims, participation checks and the numbers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from earshot.bot.domain import Alert, Participation
from earshot.bot.records import DayCount, DueCheck, Stats, TeamReply


class FollowUps(Protocol):
    """Claims that need a word: asked "how did it go?" once, or given back when nothing came of them."""

    async def take_followups(self, now: datetime, claimed_before: datetime, limit: int) -> list[Alert]:
        """Claimed alerts with no outcome (notes aside), claimed before ``claimed_before`` and not asked about
        yet: mark them asked at ``now`` and return them (up to ``limit``, the oldest claims taken first, returned
        by alert id). Two processes never take the same one; a new claim of the alert may be asked about again."""
        ...

    async def release_stale_claims(self, now: datetime, claimed_before: datetime, limit: int) -> list[Alert]:
        """Release claims made before ``claimed_before`` with no outcome yet (notes aside); return the alerts as
        they were (``claimed_by`` still set; up to ``limit``, the oldest claims first, returned by alert id).
        Each claim is released once, however many processes ask; a claim made since is left alone."""
        ...


class Checks(Protocol):
    """Participation checks: re-reading a claimed thread some time after the claim to see who replied.

    One check per claim and delay; a check is leased like a feed (an owner's own lease counts as free) and, once
    finished, is its result. Finishing a check whose lease was lost raises :class:`earshot.bot.errors.LeaseLost`.
    """

    async def plan_checks(
        self, now: datetime, afters: Sequence[timedelta], sources: Sequence[str], claimed_since: datetime
    ) -> int:
        """Add the missing checks (one per ``after``, due ``after`` past the claim) of claims made since
        ``claimed_since`` on alerts whose conversation comes from one of ``sources`` (a new claim of an alert
        gets checks of its own); return how many claims got them (at most a batch per call). Safe to run
        concurrently: each check exists once."""
        ...

    async def lease_checks(self, now: datetime, owner: str, lease_for: timedelta, limit: int) -> list[DueCheck]:
        """Lease up to ``limit`` due, unfinished checks nobody else holds, earliest due first."""
        ...

    async def finish_check(self, check_id: int, owner: str, result: Participation) -> None:
        """Store a check's result and release it; LeaseLost if ``owner`` no longer holds it."""
        ...

    async def fail_check(
        self, check_id: int, owner: str, now: datetime, *, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed check (one attempt more): due again at ``retry_at``, or given up (finished, with the
        error, and no result) when None; LeaseLost if ``owner`` no longer holds it."""
        ...

    async def latest_participation(self, alert_id: int, before: datetime | None = None) -> Participation | None:
        """The most recent finished check of an alert (finished before ``before``, if given) that read the
        thread; of checks finished at one time, the longest after wins."""
        ...

    async def team_replies(
        self, *, since: datetime | None = None, place: tuple[str, str | None] | None = None, limit: int = 200
    ) -> list[TeamReply]:
        """The team's counted replies, one per alert (as its latest finished check found it), newest check
        first: only checks finished at or after ``since``, and only threads of ``place`` (source, community; a
        None community matches threads without one) when given."""
        ...


class Reporting(Protocol):
    """The team's numbers, and the report slots that make each scheduled report go out once."""

    async def stats(self, since: datetime, until: datetime, stale_after: timedelta) -> Stats:
        """Per person, topic, source and community: the delivered alerts created in [since, until] and what
        became of them; unclaimed and undismissed for ``stale_after`` before ``until`` counts as stale."""
        ...

    async def day_counts(self, since: datetime, until: datetime) -> list[DayCount]:
        """Per topic and UTC day: alerts posted, claimed and replied to in [since, until], by day then topic;
        days with nothing are left out."""
        ...

    async def take_report(self, slot: str, owner: str, now: datetime, lease_for: timedelta) -> bool:
        """Take the right to post the report of ``slot``: True once per slot across processes (again only when
        the taker's lease ran out before it posted, or to the taker itself)."""
        ...

    async def finish_report(self, slot: str, owner: str, now: datetime, message_ref: str) -> None:
        """Mark the report of ``slot`` posted (nothing happens when ``owner`` does not hold it)."""
        ...
