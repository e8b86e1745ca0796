"""Storage ports: units of work on the store, and the records they take and return."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from bot.domain import (
    Activity,
    Alert,
    ClaimResult,
    Conversation,
    DeliveryState,
    Feed,
    FeedState,
    Handle,
    Outcome,
    Participation,
    Summary,
    Topic,
)
from bot.scoring import Reason
from bot.stats import DayCount, Stats


@dataclass(frozen=True, slots=True)
class DueCheck:
    """A participation check this process holds the lease on: the alert, and how long after its claim it is."""

    id: int
    alert: Alert
    after: timedelta
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert to write: one stored conversation matched one topic.

    ``score`` is the joinability (0 to 100) and ``reasons`` its top reasons; ``state`` is PENDING to deliver or
    BELOW_MIN to keep without delivering.
    """

    conversation_id: int
    topic: str
    channel: str | None
    matched: tuple[str, ...]
    score: int
    reasons: tuple[Reason, ...] = ()
    state: DeliveryState = DeliveryState.PENDING
    # Canonical URLs of what the conversation discusses (its url and link): a second conversation of the same
    # topic sharing one within the crosspost window becomes a sighting on the first alert, not an alert.
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """A conversation as stored: its id, the feed that saw it first and when."""

    id: int
    conversation: Conversation
    feed: str
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What syncing the config file's topics and feeds into the store changed."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


class Unit(Protocol):
    """One transaction against the store. Leaving the ``async with`` commits; an exception rolls back.

    Leases are how several processes share work: a lease names its owner and lasts until a time; another owner
    may take it only after that. Methods that finish leased work raise :class:`bot.errors.LeaseLost` when the
    caller no longer holds the lease.
    """

    # Topics
    async def list_topics(self) -> list[Topic]:
        """Every topic, by name."""
        ...

    async def get_topic(self, name: str) -> Topic | None:
        """One topic, or None."""
        ...

    async def add_topic(self, topic: Topic) -> None:
        """Add a topic; AlreadyExists if the name is taken."""
        ...

    async def remove_topic(self, name: str) -> bool:
        """Remove a topic (its alerts stay); False if there was none."""
        ...

    # Feeds
    async def list_feeds(self) -> list[FeedState]:
        """Every feed with its polling state, by name."""
        ...

    async def get_feed(self, name: str) -> FeedState | None:
        """One feed with its state, or None."""
        ...

    async def add_feed(self, feed: Feed, now: datetime) -> None:
        """Add a feed, due now and unseeded; AlreadyExists if the name is taken."""
        ...

    async def remove_feed(self, name: str) -> bool:
        """Remove a feed (its items and alerts stay); False if there was none."""
        ...

    async def sync_config(self, topics: Sequence[Topic], feeds: Sequence[Feed], now: datetime) -> SyncReport:
        """Make the store's config-origin topics and feeds equal the file's; rows added at run time stay."""
        ...

    # Polling
    async def lease_feeds(
        self,
        now: datetime,
        owner: str,
        lease_for: timedelta,
        *,
        names: Sequence[str] | None = None,
        due_only: bool = True,
    ) -> list[FeedState]:
        """Atomically lease enabled feeds nobody else holds: the due ones, or only ``names``."""
        ...

    async def insert_conversations(
        self, items: Sequence[Conversation], feed: str, now: datetime
    ) -> list[tuple[int, Conversation]]:
        """Store items not seen before (same source id, or same conversation URL); return only those, with ids."""
        ...

    async def insert_alerts(
        self, alerts: Sequence[NewAlert], now: datetime, *, crosspost_since: datetime | None = None
    ) -> int:
        """Write alerts (pending or below_min), skipping (topic, conversation) pairs alerted before; return how many.

        With ``crosspost_since``, an alert sharing one of its ``links`` with an alert of the same topic created
        since then is not written: it becomes a sighting on that alert (atomic: of two replicas writing the two
        discussions at once, exactly one alert results). A sighting on a delivered alert flags it for refresh.
        """
        ...

    async def finish_poll(
        self, feed: str, owner: str, now: datetime, *, cursor: dict[str, Any], next_poll_at: datetime
    ) -> None:
        """Record a successful poll: cursor, seeded, failures reset, lease released."""
        ...

    async def fail_poll(self, feed: str, owner: str, now: datetime, *, error: str, next_poll_at: datetime) -> int:
        """Record a failed poll, release the lease, and return the consecutive failure count."""
        ...

    # Delivery
    async def lease_alerts(self, now: datetime, owner: str, lease_for: timedelta, limit: int) -> list[Alert]:
        """Atomically lease pending alerts that are due for an attempt and held by nobody, oldest first."""
        ...

    async def mark_delivered(self, alert_id: int, owner: str, now: datetime, message_ref: str) -> None:
        """Mark a leased alert delivered."""
        ...

    async def mark_failed(
        self, alert_id: int, owner: str, now: datetime, *, error: str, next_attempt_at: datetime
    ) -> None:
        """Record a failed delivery attempt and release the lease until ``next_attempt_at``."""
        ...

    async def release_alerts(self, alert_ids: Sequence[int], owner: str, *, next_attempt_at: datetime) -> None:
        """Give back leased alerts that were not attempted, due again at ``next_attempt_at``; no attempt counted."""
        ...

    async def count_undelivered(self) -> int:
        """Alerts not yet delivered (pending, or held for a digest), leased or not."""
        ...

    # Flood guard (a channel is an alert's channel name; None is the default channel)
    async def delivered_since(self, since: datetime) -> dict[str | None, int]:
        """Alerts posted one by one (not in a digest) to each channel from ``since`` on."""
        ...

    async def hold_alerts(self, alert_ids: Sequence[int], owner: str, now: datetime) -> None:
        """Move leased pending alerts to held (over their channel's cap), releasing the lease."""
        ...

    async def held_channels(self, now: datetime) -> dict[str | None, datetime | None]:
        """Channels with held alerts due for a digest, each with when its last digest went out (None: never)."""
        ...

    async def lease_held(
        self, channel: str | None, now: datetime, owner: str, lease_for: timedelta, limit: int
    ) -> list[Alert]:
        """Atomically lease the channel's held alerts that nobody else holds, oldest first, for one digest."""
        ...

    async def mark_digested(self, alert_ids: Sequence[int], owner: str, now: datetime, message_ref: str) -> int:
        """Mark leased held alerts delivered in digest ``message_ref``; how many were still ours (LeaseLost: none)."""
        ...

    # Looking up (explain, alerts list)
    async def find_conversation(
        self, *, url: str | None = None, alert_id: int | None = None
    ) -> StoredConversation | None:
        """The stored conversation at ``url`` (any form that canonicalises to its URL or its link) or of an alert."""
        ...

    async def list_alerts(
        self,
        *,
        state: DeliveryState | None = None,
        topic: str | None = None,
        conversation_id: int | None = None,
        limit: int = 50,
    ) -> list[Alert]:
        """Alerts, newest first, narrowed by state, topic or conversation."""
        ...

    # Context summaries
    async def save_summary(self, alert_id: int, summary: Summary, refreshed: Conversation | None = None) -> None:
        """Store an alert's summary; with ``refreshed``, update its conversation's numbers (replies, points)."""
        ...

    async def spend_budget(self, name: str, day: date, limit: int) -> bool:
        """Count one use of a daily budget shared by every process; False (and nothing counted) when spent."""
        ...

    async def alerts_to_refresh(self, limit: int) -> list[Alert]:
        """Delivered alerts whose message is out of date (a sighting came after delivery), oldest first."""
        ...

    async def mark_refreshed(self, alert_id: int) -> None:
        """Clear an alert's refresh flag once its message was edited."""
        ...

    async def backlog(self, problems: int = 10) -> Backlog:
        """Undelivered alerts by channel, the oldest one's time, and up to ``problems`` with a delivery error."""
        ...

    # Claims and outcomes
    async def get_alert(self, alert_id: int) -> Alert | None:
        """One alert, or None."""
        ...

    async def claim(self, alert_id: int, actor: str, now: datetime) -> ClaimResult:
        """Claim an alert if nobody holds it (atomic: exactly one concurrent claimer wins); NotFound if absent."""
        ...

    async def release_claim(self, alert_id: int, actor: str, *, force: bool = False) -> bool:
        """Free an alert held by ``actor`` (or by anyone, with ``force``); False if it was not held so."""
        ...

    async def add_outcome(self, outcome: Outcome) -> None:
        """Record an outcome."""
        ...

    async def list_outcomes(self, alert_id: int) -> list[Outcome]:
        """Outcomes of an alert, oldest first."""
        ...

    # People in the channel
    async def first_time(self, event_id: str, at: datetime, forget_before: datetime) -> bool:
        """Record a chat event's id; False when any process recorded it already (ids from before
        ``forget_before`` are forgotten first). Of several processes recording one id at once, one gets True."""
        ...

    async def alert_by_message(self, message_ref: str) -> Alert | None:
        """The alert that was delivered as the message ``message_ref``, or None."""
        ...

    async def open_claims(self, actor: str, limit: int) -> list[Alert]:
        """Alerts ``actor`` holds with no outcome recorded yet (notes aside), oldest claim first."""
        ...

    async def unclaimed(self, since: datetime, limit: int) -> list[Alert]:
        """Delivered alerts created since ``since`` that nobody holds and nobody marked not relevant, newest first."""
        ...

    async def activity(self, since: datetime) -> Activity:
        """Per topic, the alerts delivered since ``since``, how many were claimed, and their outcomes by kind."""
        ...

    async def take_followups(self, now: datetime, claimed_before: datetime, limit: int) -> list[Alert]:
        """Claimed alerts with no outcome, claimed before ``claimed_before`` and not asked about yet: mark them
        asked at ``now`` and return them (atomically: two processes never take the same one)."""
        ...

    # Team and participation
    async def list_handles(self, member: str | None = None) -> list[Handle]:
        """Every teammate's handles (or one member's), by member and source."""
        ...

    async def set_handles(self, handles: Sequence[Handle], now: datetime) -> None:
        """Link each handle to its member, replacing that member's earlier handle on the same source;
        AlreadyExists when another member holds one of them (nothing is changed then)."""
        ...

    async def plan_checks(
        self, now: datetime, afters: Sequence[timedelta], sources: Sequence[str], claimed_since: datetime
    ) -> int:
        """Add the missing checks (one per ``after``) of claims made since ``claimed_since`` on alerts whose
        conversation comes from one of ``sources`` (a new claim of an alert gets checks of its own); return how
        many claims got them. Safe to run concurrently."""
        ...

    async def lease_checks(self, now: datetime, owner: str, lease_for: timedelta, limit: int) -> list[DueCheck]:
        """Atomically lease due, unfinished checks nobody else holds, earliest first."""
        ...

    async def finish_check(self, check_id: int, owner: str, result: Participation) -> None:
        """Store a check's result and release it; LeaseLost if ``owner`` no longer holds it."""
        ...

    async def fail_check(
        self, check_id: int, owner: str, now: datetime, *, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed check: due again at ``retry_at``, or given up (finished, with the error) when None."""
        ...

    async def latest_participation(self, alert_id: int, before: datetime | None = None) -> Participation | None:
        """The most recent finished check of an alert (finished before ``before``, if given) that read the thread."""
        ...

    async def release_stale_claims(self, now: datetime, claimed_before: datetime, limit: int) -> list[Alert]:
        """Release claims made before ``claimed_before`` with no outcome yet (notes aside); return the alerts as
        they were (``claimed_by`` still set). Each claim is released once, however many processes ask."""
        ...

    async def feedback_texts(self, since: datetime, limit: int) -> dict[str, tuple[list[str], list[str]]]:
        """Per topic: texts of alerts dismissed ("not relevant", "not worth it") and of alerts claimed and not
        dismissed, created since ``since``, newest first, at most ``limit`` of each."""
        ...

    # The numbers
    async def stats(self, since: datetime, until: datetime, stale_after: timedelta) -> Stats:
        """Per person, topic, source and community: the delivered alerts created in [since, until] and what
        became of them; unclaimed and undismissed for ``stale_after`` before ``until`` counts as stale."""
        ...

    async def day_counts(self, since: datetime, until: datetime) -> list[DayCount]:
        """Per topic and UTC day: alerts posted, claimed and replied to in [since, until]."""
        ...

    async def take_report(self, slot: str, owner: str, now: datetime, lease_for: timedelta) -> bool:
        """Take the right to post the report of ``slot``: once per slot across processes (again only when the
        taker's lease ran out before it posted)."""
        ...

    async def finish_report(self, slot: str, owner: str, now: datetime, message_ref: str) -> None:
        """Mark the report of ``slot`` posted."""
        ...

    # Audit
    async def record_change(self, actor: str, action: str, subject: str, detail: dict[str, Any], now: datetime) -> None:
        """Record who changed a topic or feed, and how."""
        ...


@dataclass(frozen=True, slots=True)
class DeliveryProblem:
    """An alert still waiting after failed attempts, with its last error."""

    alert_id: int
    topic: str
    channel: str | None
    attempts: int
    error: str
    next_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class Backlog:
    """Alerts not delivered yet: how many per channel (None: the default), the oldest, the latest problems."""

    by_channel: dict[str | None, int]
    oldest: datetime | None = None
    problems: tuple[DeliveryProblem, ...] = ()


class Store(Protocol):
    """Opens units of work."""

    def unit(self) -> AbstractAsyncContextManager[Unit]:
        """Begin a transaction."""
        ...
