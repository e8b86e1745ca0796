"""Storage ports for delivering alerts: the outbox, the flood guard's digests, summaries and message refreshes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from earshot.bot.domain import Alert, Conversation, Summary
from earshot.bot.records import Backlog, DayUsage


class Outbox(Protocol):
    """Alerts waiting to be posted, leased to one sender at a time.

    Leases work as for feeds (see :class:`Polling`): an owner's own lease counts as free, and finishing an alert whose
    lease was lost raises :class:`earshot.bot.errors.LeaseLost` and changes nothing, so each alert is posted by the
    one sender that holds it.
    """

    async def lease_alerts(self, now: datetime, owner: str, lease_for: timedelta, limit: int) -> list[Alert]:
        """Lease up to ``limit`` pending alerts due for an attempt and held by nobody, oldest first, with their
        sightings. An alert another owner leased and never finished comes back with ``retaken`` set (its post
        may have gone out). Of two owners leasing at once, each alert goes to one of them."""
        ...

    async def mark_delivered(self, alert_id: int, owner: str, now: datetime, message_ref: str) -> None:
        """Mark a leased alert delivered as ``message_ref`` (one attempt more, error cleared, lease released)."""
        ...

    async def mark_failed(
        self, alert_id: int, owner: str, now: datetime, *, error: str, next_attempt_at: datetime
    ) -> None:
        """Record a failed attempt (one attempt more) and release the lease until ``next_attempt_at``."""
        ...

    async def release_alerts(self, alert_ids: Sequence[int], owner: str, *, next_attempt_at: datetime) -> None:
        """Give back leased alerts that were not attempted, due again at ``next_attempt_at``; no attempt counted.
        Alerts ``owner`` no longer holds are left alone (no error)."""
        ...

    async def count_undelivered(self) -> int:
        """Alerts not yet delivered (pending, or held for a digest), leased or not."""
        ...

    async def backlog(self, problems: int = 10) -> Backlog:
        """Pending alerts by channel, the oldest one's creation time, and up to ``problems`` of them with a
        delivery error, newest first."""
        ...


class FloodGuard(Protocol):
    """A channel's hourly cap: alerts over it are held, and later posted together as one digest.

    A channel is an alert's channel name; None is the default channel, a channel like the others.
    """

    async def delivered_since(self, since: datetime) -> dict[str | None, int]:
        """Alerts posted one by one (not in a digest) to each channel from ``since`` on."""
        ...

    async def hold_alerts(self, alert_ids: Sequence[int], owner: str, now: datetime) -> None:
        """Move leased pending alerts to held (over their channel's cap), releasing the lease; LeaseLost when any
        of them is no longer ``owner``'s (the others are held all the same)."""
        ...

    async def held_channels(self, now: datetime) -> dict[str | None, datetime | None]:
        """Channels with held alerts due for a digest, each with when its last digest went out (None: never)."""
        ...

    async def lease_held(
        self, channel: str | None, now: datetime, owner: str, lease_for: timedelta, limit: int
    ) -> list[Alert]:
        """Lease up to ``limit`` of the channel's held alerts that nobody else holds, oldest first, for one
        digest. Of two owners leasing at once, each alert goes to one of them."""
        ...

    async def mark_digested(self, alert_ids: Sequence[int], owner: str, now: datetime, message_ref: str) -> int:
        """Mark leased held alerts delivered in digest ``message_ref``; return how many were still ``owner``'s.
        LeaseLost when none was: another process has them and will post them."""
        ...


class Summaries(Protocol):
    """Context summaries written just before delivery, and the daily budgets of what they cost."""

    async def save_summary(self, alert_id: int, summary: Summary, refreshed: Conversation | None = None) -> None:
        """Store an alert's summary (the last one saved wins); with ``refreshed``, update its conversation's
        numbers (replies, points) and state. Nothing happens for an alert that does not exist."""
        ...

    async def spend_budget(self, name: str, day: date, limit: int) -> bool:
        """Count one use of a daily budget shared by every process; False (and nothing counted) when ``limit``
        uses were counted already. Concurrent spenders on other replicas can never overshoot it."""
        ...


class Metering(Protocol):
    """What reading threads spends of a metered API (X requests and posts, YouTube quota units), per source kind and
    day, shared by every replica. A poll's own spending is kept in its feed's cursor, where the feed's daily cap
    reads it; thread reads (for summaries and participation checks) are counted here, for `earshot status`."""

    async def count_usage(self, kind: str, day: date, spent: Mapping[str, int]) -> None:
        """Add ``spent`` (what -> amount; amounts below 1 are ignored) to ``kind``'s counters of ``day``.
        Concurrent adders on other replicas lose nothing. ``kind`` and each ``what`` are short names (together at
        most 40 characters; longer ones are not counted)."""
        ...

    async def usage_since(self, since: date) -> list[DayUsage]:
        """Every kind's counters of the days from ``since`` on, by kind and then day."""
        ...


class Refreshes(Protocol):
    """Delivered alerts whose message is out of date (a sighting came after delivery), for chats that edit."""

    async def alerts_to_refresh(self, limit: int) -> list[Alert]:
        """Up to ``limit`` delivered alerts flagged for refresh, oldest first, with their sightings."""
        ...

    async def mark_refreshed(self, alert_id: int) -> None:
        """Clear an alert's refresh flag once its message was edited (idempotent)."""
        ...
