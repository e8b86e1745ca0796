"""Storage ports for finding conversations: leasing due feeds, storing what they return, and the team's feedback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from earshot.bot.domain import Conversation, FeedState
from earshot.bot.records import NewAlert


class Polling(Protocol):
    """Feeds leased to one poller at a time, the conversations they return, and the alerts written from them.

    A lease names its owner and lasts until a time; another owner may take it only after that, and a lease its
    own owner holds already counts as free (a process restarted under the same name does not wait it out).
    Finishing a poll whose lease was lost raises :class:`earshot.bot.errors.LeaseLost` and changes nothing.
    """

    async def lease_feeds(
        self,
        now: datetime,
        owner: str,
        lease_for: timedelta,
        *,
        names: Sequence[str] | None = None,
        due_only: bool = True,
    ) -> list[FeedState]:
        """Lease enabled feeds nobody else holds, until ``now + lease_for``: the due ones (or, without
        ``due_only``, due or not), or only ``names``. Ordered by name. Of two owners leasing at once, each feed
        goes to one of them."""
        ...

    async def insert_conversations(
        self, items: Sequence[Conversation], feed: str, now: datetime
    ) -> list[tuple[int, Conversation]]:
        """Store items not seen before (same source and id, or same canonical conversation URL, as an earlier
        item or one earlier in ``items``); return only those, in the given order, with their new ids. The items
        are returned as given (full text); the stored text may be capped. Idempotent: a repeat stores nothing."""
        ...

    async def insert_alerts(
        self, alerts: Sequence[NewAlert], now: datetime, *, crosspost_since: datetime | None = None
    ) -> int:
        """Write alerts (pending or below_min), skipping (topic, conversation) pairs alerted before (the first of
        a repeated pair in ``alerts`` wins); return how many were written.

        With ``crosspost_since``, an alert sharing one of its ``links`` with an alert of the same topic created
        since then (or earlier in ``alerts``) is not written: it becomes a sighting on that alert, each
        (alert, conversation) once. Of two replicas writing the two discussions at once, exactly one alert
        results. A pending discussion leads a group over a below-minimum one, and an alert held below its minimum
        takes no sightings from later polls. A sighting on a delivered alert flags it for refresh.
        """
        ...

    async def finish_poll(
        self, feed: str, owner: str, now: datetime, *, cursor: dict[str, Any], next_poll_at: datetime
    ) -> None:
        """Record a successful poll: cursor, seeded, last error and failures cleared, due at ``next_poll_at``,
        lease released; LeaseLost if ``owner`` no longer holds the feed."""
        ...

    async def fail_poll(
        self,
        feed: str,
        owner: str,
        now: datetime,
        *,
        error: str,
        next_poll_at: datetime,
        cursor: dict[str, Any] | None = None,
    ) -> int:
        """Record a failed poll, release the lease, and return the consecutive failure count; LeaseLost if ``owner``
        no longer holds the feed. The cursor stays, or becomes ``cursor`` when given (a metered source's day counts
        of what the failed poll spent); the feed stays unseeded if it was."""
        ...


class Feedback(Protocol):
    """What people's claims and dismissals say about each topic, for scoring and for `earshot how-it-went`."""

    async def feedback_texts(self, since: datetime, limit: int) -> dict[str, tuple[list[str], list[str]]]:
        """Per topic: texts ("title\\ntext") of alerts dismissed ("not relevant", "not worth it") and of alerts
        claimed and not dismissed, created since ``since``, newest first, at most ``limit`` of each."""
        ...
