"""The ports: what the core needs from the edges, as Protocols with their contracts.

Adapters implement these; the core and the tests' in-memory twins depend on nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from bot.domain import (
    Activity,
    Alert,
    ClaimResult,
    Conversation,
    DeliveryState,
    Feed,
    FeedState,
    FetchResult,
    Notice,
    Outcome,
    Thread,
    Topic,
)
from bot.scoring import Reason

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware UTC."""


class Source(Protocol):
    """One kind of feed (Hacker News, RSS, ...).

    ``fetch`` returns the items that may be new since ``cursor`` (repeats are fine: the store deduplicates) and
    the cursor to pass next time. ``seeding`` is true on a feed's first poll: only the cursor matters then, so a
    source may fetch less. Failures raise :class:`bot.errors.FeedError` with a message a person can act on.
    """

    kind: str

    def check(self, feed: Feed) -> None:
        """Raise ConfigError when ``feed`` lacks what this kind needs (a URL, a query, a known option)."""
        ...

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Fetch the feed once."""
        ...


@runtime_checkable
class ThreadSource(Protocol):
    """A source that can also read a conversation's thread (Hacker News, Reddit, Discourse, ...).

    ``thread`` returns the replies under ``conversation`` (for a post, its comments; for a comment, the replies
    to it), at most ``limit`` of them, best or oldest first as the source orders them. It raises
    :class:`bot.errors.FeedError` when the thread cannot be read (gone, rate limited, network). Callers check
    ``isinstance(source, ThreadSource)``: a source without threads simply lacks the method.
    """

    kind: str

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """Read the thread under ``conversation`` now."""
        ...


class Chat(Protocol):
    """Where alerts go (console, webhook, Slack, Discord).

    ``send_alert`` returns a reference to the message it posted (a message id, or "" when there is none) and
    raises :class:`bot.errors.DeliveryError` when the platform did not take it.
    """

    async def send_alert(self, alert: Alert) -> str:
        """Post one alert."""
        ...

    async def send_notice(self, notice: Notice) -> None:
        """Post an operational notice (a feed failing or recovering)."""
        ...


@runtime_checkable
class Listener(Protocol):
    """A chat adapter that also listens to people (reactions, buttons, commands), like Slack and Discord.

    The runner calls ``start`` before it schedules any work and ``stop`` when it shuts down; ``follow_up`` asks
    the claimer of ``alert`` how joining the conversation went (the runner finds the alerts that are due).
    """

    async def start(self) -> None:
        """Connect and begin handling events; return once connected."""
        ...

    async def stop(self) -> None:
        """Stop handling events and disconnect."""
        ...

    async def follow_up(self, alert: Alert) -> None:
        """Ask the claimer of ``alert``, next to its message, how it went."""
        ...


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

    async def insert_alerts(self, alerts: Sequence[NewAlert], now: datetime) -> int:
        """Write alerts (pending or below_min), skipping (topic, conversation) pairs alerted before; return how many."""
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
        """Alerts not yet delivered, leased or not."""
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

    # Audit
    async def record_change(self, actor: str, action: str, subject: str, detail: dict[str, Any], now: datetime) -> None:
        """Record who changed a topic or feed, and how."""
        ...


class Telemetry(Protocol):
    """Counts and timings for the people running Earshot (a metrics endpoint, say).

    Names are short snake_case words (``polls``, ``alerts_created``, ``delivery_latency``); labels are few and
    of low cardinality (a feed kind, an outcome), never a feed name or an alert id. Calls must not block or raise.
    """

    def count(self, name: str, n: int = 1, **labels: str) -> None:
        """Add ``n`` to the counter ``name``."""
        ...

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        """Record one duration in the histogram ``name``."""
        ...


class NoTelemetry:
    """The default Telemetry: records nothing."""

    def count(self, name: str, n: int = 1, **labels: str) -> None:
        """Do nothing."""

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        """Do nothing."""


NO_TELEMETRY = NoTelemetry()


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
