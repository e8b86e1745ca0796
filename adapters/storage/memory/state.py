"""The in-memory twin's tables: plain rows in dicts, and what every part of its unit shares."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from earshot.adapters.storage.rows import bounded_key, stored_code, url_key
from earshot.adapters.storage.tables import TEXT_LIMIT
from earshot.adapters.storage.types import INT32_MAX, INT32_MIN, storable, storable_json
from earshot.bot.domain import (
    Alert,
    Conversation,
    DeliveryState,
    Feed,
    FeedState,
    OutcomeKind,
    Sighting,
    Summary,
    Topic,
)
from earshot.bot.errors import LeaseLost


@dataclass
class FeedRow:
    """A feed and its polling state, as the ``feeds`` table holds it."""

    feed: Feed
    cursor: dict[str, Any] = field(default_factory=dict)
    seeded: bool = False
    next_poll_at: datetime | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    id: int = 0

    def state(self) -> FeedState:
        """The FeedState the port returns."""
        return FeedState(
            feed=replace(self.feed, options=dict(self.feed.options)),
            cursor=dict(self.cursor),
            seeded=self.seeded,
            next_poll_at=self.next_poll_at,
            last_polled_at=self.last_polled_at,
            last_success_at=self.last_success_at,
            last_error=self.last_error,
            consecutive_failures=self.consecutive_failures,
        )


@dataclass
class ConversationRow:
    """A stored conversation (texts as stored: storable, capped)."""

    id: int
    conversation: Conversation
    key: tuple[str, str]
    url_key: str | None
    feed: str
    first_seen_at: datetime


@dataclass
class AlertRow:
    """An alert with its outbox, claim and refresh state."""

    id: int
    topic: str
    conversation_id: int
    channel: str | None
    matched: tuple[str, ...]
    score: int
    reasons: tuple[dict[str, Any], ...]  # as the SQL column: {"label", "weight", "kind"}, as shown
    created_at: datetime
    state: DeliveryState
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    delivered_at: datetime | None = None
    message_ref: str | None = None
    last_error: str | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    followed_up_at: datetime | None = None
    summary: Summary | None = None
    needs_refresh: bool = False
    held_at: datetime | None = None


@dataclass
class CheckRow:
    """One participation check of one claim: its lease and, once done, its result."""

    id: int
    alert_id: int
    claimed_at: datetime
    after: timedelta
    due_at: datetime
    checked_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    replied_by: str | None = None
    replied_at: datetime | None = None
    responses: int | None = None
    votes: int | None = None
    reply_url: str | None = None
    promoted: bool | None = None
    disclosed: bool | None = None


@dataclass
class ReportRow:
    """A report slot: who may post it, and whether it went out."""

    lease_owner: str | None = None
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    message_ref: str | None = None


@dataclass
class HandleRow:
    """A teammate's handle on one source."""

    member: str
    source: str
    handle: str
    name: str | None
    updated_at: datetime
    id: int = 0


@dataclass
class Tables:
    """Everything the store holds; a unit works on a copy and commits by replacing the original."""

    topics: dict[str, Topic] = field(default_factory=dict)
    feeds: dict[str, FeedRow] = field(default_factory=dict)
    conversations: dict[int, ConversationRow] = field(default_factory=dict)
    alerts: dict[int, AlertRow] = field(default_factory=dict)
    links: dict[tuple[str, str], tuple[int, datetime]] = field(default_factory=dict)  # (topic, link) -> holder
    sightings: dict[tuple[int, int], int] = field(default_factory=dict)  # (alert, conversation) -> order
    budgets: dict[tuple[str, date], int] = field(default_factory=dict)
    outcomes: list[tuple[int, Any]] = field(default_factory=list)  # (id, Outcome), in the order recorded
    audit: list[tuple[datetime, str, str, str, dict[str, Any]]] = field(default_factory=list)
    handles: list[HandleRow] = field(default_factory=list)
    checks: dict[int, CheckRow] = field(default_factory=dict)
    reports: dict[str, ReportRow] = field(default_factory=dict)
    chat_events: dict[str, datetime] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        """A new id in ``table``, from 1 up, as the SQL tables' own sequences give them."""
        self.counters[table] = self.counters.get(table, 0) + 1
        return self.counters[table]


SETTLING = frozenset(k for k in OutcomeKind if k is not OutcomeKind.NOTE)


class MemoryBase:
    """The tables a unit works on, and the look-ups its parts share."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables

    def _kinds(self, alert_id: int) -> set[OutcomeKind]:
        return {o.kind for _, o in self._t.outcomes if o.alert_id == alert_id}

    def _settled(self, alert_id: int) -> bool:
        return bool(self._kinds(alert_id) & SETTLING)

    def _alert(self, row: AlertRow, *, sightings: bool = False) -> Alert:
        """The Alert the port returns; with its sightings when asked (as the SQL unit does)."""
        found = Alert(
            id=row.id,
            topic=row.topic,
            channel=row.channel,
            conversation=self._t.conversations[row.conversation_id].conversation,
            matched=row.matched,
            score=row.score,
            created_at=row.created_at,
            state=row.state,
            attempts=row.attempts,
            delivered_at=row.delivered_at,
            message_ref=row.message_ref,
            last_error=row.last_error,
            claimed_by=row.claimed_by,
            claimed_at=row.claimed_at,
            reasons=tuple(str(r.get("label", "")) for r in row.reasons),
            summary=row.summary,
            held_at=row.held_at,
        )
        return replace(found, also_seen=self._sightings(row.id)) if sightings else found

    def _sightings(self, alert_id: int) -> tuple[Sighting, ...]:
        seen = sorted((order, c) for (a, c), order in self._t.sightings.items() if a == alert_id)
        items = [self._t.conversations[c].conversation for _, c in seen]
        return tuple(Sighting(i.source, i.url, i.title, i.community, i.thread_size, i.points) for i in items)

    def _alert_lease_lost(self, alert_id: int, owner: str) -> LeaseLost:
        return LeaseLost(f"alert {alert_id} is no longer leased to {owner!r}: another process took it over")


def utc(value: Any) -> Any:
    """``value`` with every datetime in it (at the top, or a field of a record, or in a list of records) made UTC.

    As the SQL store's ``UTCDateTime`` columns: an aware time in any zone comes back the same instant in UTC, and a
    naive one is refused, since its meaning would be a guess.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given where an aware UTC time is required")
        return value.astimezone(UTC)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: utc(getattr(value, f.name)) for f in fields(value) if isinstance(getattr(value, f.name), datetime)
        }
        return replace(value, **changes) if changes else value
    if isinstance(value, list | tuple) and any(isinstance(v, datetime) or is_dataclass(v) for v in value):
        return type(value)(utc(v) for v in value)
    return value


def free(lease_owner: str | None, lease_until: datetime | None, owner: str, now: datetime) -> bool:
    """Whether ``owner`` may take a lease: nobody holds it, it ran out, or it is ``owner``'s own."""
    return lease_until is None or lease_until <= now or lease_owner == owner


def text(value: str | None) -> str | None:
    """A text as the SQL store keeps it (see ``earshot.adapters.storage.types.storable``)."""
    return storable(value) if value else value


def count(value: int | None) -> int | None:
    """A third party's count, clamped as the SQL store clamps it."""
    return None if value is None else max(INT32_MIN, min(INT32_MAX, value))


def stored_conversation(item: Conversation) -> tuple[Conversation, tuple[str, str], str | None]:
    """An item as stored, its source key and its URL key: the SQL store's rules, applied in memory."""
    stored = replace(
        item,
        external_id=bounded_key(item.external_id),
        url=storable(item.url),
        title=storable(item.title),
        text=(text(item.text) or "")[:TEXT_LIMIT],
        author=text(item.author),
        community=text(item.community),
        link=text(item.link),
        thread_size=count(item.thread_size),
        points=count(item.points),
        state=stored_code(item.state),
        language=stored_code(item.language),
    )
    return stored, (stored.source, stored.external_id), url_key(storable(item.url))


def as_json(value: Any) -> Any:
    """A JSON value as stored and read back: storable strings, lists for tuples."""
    return storable_json(value)
