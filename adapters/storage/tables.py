"""The schema, in SQLAlchemy Core. Migrations in ``migrations/versions`` must produce exactly this."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    UniqueConstraint,
    false,
    text,
)

# String and Text are the storable kinds (see earshot.adapters.storage.types): third-party text lands in many
# columns, and one value a database refuses fails the whole transaction.
from earshot.adapters.storage.types import BigId, Count, Json, UTCDateTime
from earshot.adapters.storage.types import StoredString as String
from earshot.adapters.storage.types import StoredText as Text

# Every constraint gets a predictable name, so later migrations can address it on both dialects.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

NAME = 200  # topic, feed, actor and channel names
TEXT_LIMIT = 20_000  # characters of a conversation's text kept; enough to match on and to summarise

topics = Table(
    "topics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("query", Text, nullable=False),
    Column("channel", String(NAME)),
    Column("enabled", Boolean, nullable=False),
    Column("origin", String(10), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("min_score", Integer, nullable=False),
    # Filters beside the query: lists of language codes wanted (empty: any), authors and sources excluded.
    Column("languages", Json, nullable=False),
    Column("exclude_authors", Json, nullable=False),
    Column("exclude_sources", Json, nullable=False),
    # What the topic means, in plain words: for relevance by meaning and the optional LLM judge.
    Column("about", Text, nullable=False),
    Column("examples", Json, nullable=False),
    Column("counter_examples", Json, nullable=False),
    Column("without_keyword", Boolean, nullable=False),
    Column("accept", Text, nullable=False),
    CheckConstraint("origin IN ('config', 'cli')", name="origin"),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("kind", String(50), nullable=False),
    Column("url", Text),
    Column("query", Text),
    Column("every_seconds", Integer, nullable=False),
    Column("options", Json, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("origin", String(10), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # Polling state
    Column("cursor", Json, nullable=False),
    Column("seeded", Boolean, nullable=False),
    Column("next_poll_at", UTCDateTime),
    Column("last_polled_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False),
    Column("lease_owner", String(NAME)),
    Column("lease_until", UTCDateTime),
    CheckConstraint("origin IN ('config', 'cli')", name="origin"),
    CheckConstraint("every_seconds > 0", name="every_positive"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(50), nullable=False),
    Column("external_id", Text, nullable=False),
    Column("url", Text, nullable=False),
    # The canonical conversation URL (earshot.bot.urls.canonical_url); NULL when the item has no URL.
    Column("url_key", Text),
    Column("link", Text),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("author", Text),
    Column("community", Text),
    Column("kind", String(20), nullable=False),
    Column("created_at", UTCDateTime),
    Column("thread_size", Count),
    Column("points", Count),
    # As the source said when the item was read (refreshed with its numbers): NULL open, "answered", "solved",
    # "closed" or "locked"; the language the source declares (ISO 639); whether the title is the text's opening.
    Column("state", String(20)),
    Column("language", String(20)),
    Column("untitled", Boolean, nullable=False, server_default=false()),
    # The feed that saw it first; a name rather than a key, since feeds come and go and their items stay.
    Column("feed", String(NAME), nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("source", "external_id"),
    UniqueConstraint("url_key"),
    # Lookup by the link discussed. Hash on PostgreSQL: a link has no length limit and a btree entry must stay
    # under about 2,700 bytes; the lookup is by equality only.
    Index(None, "link", postgresql_using="hash"),
    Index(None, "first_seen_at"),  # retention: conversations old enough to go
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    # The topic's name at the time: alerts outlive their topic, and the link to it is only a convenience.
    Column("topic", String(NAME), nullable=False),
    Column("topic_id", Integer, ForeignKey("topics.id", ondelete="SET NULL"), index=True),
    Column("conversation_id", BigId, ForeignKey("conversations.id"), nullable=False),
    Column("channel", String(NAME)),
    Column("matched", Json, nullable=False),
    Column("score", Integer, nullable=False),
    # The score's top reasons: a list of {"label", "weight", "kind"}, strongest signal first as shown.
    Column("reasons", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Outbox
    Column("state", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime),
    Column("lease_owner", String(NAME)),
    Column("lease_until", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    Column("message_ref", Text),
    Column("last_error", Text),
    # Claim
    Column("claimed_by", String(NAME)),
    Column("claimed_at", UTCDateTime),
    # When the claimer was asked how it went (reset by a new claim), so each claim is asked about once.
    Column("followed_up_at", UTCDateTime),
    # The context summary ({"question", "said", "method"}), made just before delivery; NULL until then.
    Column("summary", Json),
    # Set when a sighting arrives after delivery: a chat that can edit messages re-renders the alert, then clears it.
    Column("needs_refresh", Boolean, nullable=False, server_default=false()),
    # Flood guard: when the alert was held over its channel's hourly cap (kept after its digest went out).
    Column("held_at", UTCDateTime),
    UniqueConstraint("topic", "conversation_id"),
    CheckConstraint("state IN ('pending', 'delivered', 'below_min', 'held')", name="state"),
    Index(None, "state", "next_attempt_at"),
    Index(None, "delivered_at"),
    Index(None, "message_ref"),  # reactions and buttons find their alert by the message they are on
    Index(None, "conversation_id"),  # retention: is a conversation still an alert's?
    # The recurring queries (benchmarks/indexes.py shows each one's plan at 1M conversations):
    Index(None, "created_at"),  # feedback texts on every poll
    # State first, then the range: SQLite without statistics takes any index on state = ? for a selective one, so
    # queries on delivered alerts need an index that also narrows the range.
    Index(None, "state", "created_at"),  # unclaimed, activity, stats and reports
    Index(None, "state", "delivered_at"),  # the flood guard: posted to each channel this hour
    Index(None, "claimed_at"),  # stale claims, participation checks to plan
    Index(None, "claimed_by", "claimed_at"),  # a person's open claims, oldest first
    Index(None, "followed_up_at", "claimed_at"),  # claims to ask about: not asked yet, old enough
    # Partial: only the few rows these look for, so the planner never prefers another index for them (SQLite's
    # statistics know only how many distinct values a column has). Messages to redraw, oldest first:
    Index(
        "ix_alerts_to_refresh",
        "state",
        "id",
        sqlite_where=text("needs_refresh = 1"),
        postgresql_where=text("needs_refresh"),
    ),
    # The flood guard's last digest per channel:
    Index(
        "ix_alerts_digested",
        "state",
        "channel",
        "delivered_at",
        sqlite_where=text("held_at IS NOT NULL"),
        postgresql_where=text("held_at IS NOT NULL"),
    ),
)

# Which conversation holds each discussed link for a topic: the first alerted conversation claims the link, and
# later conversations of the same topic with that link become sightings on its alert. The primary key makes the
# claim atomic across replicas (INSERT ... ON CONFLICT); ``at`` lets a claim older than the window be taken over.
alert_links = Table(
    "alert_links",
    metadata,
    Column("topic", String(NAME), primary_key=True),
    Column("link_key", Text, primary_key=True),
    Column("conversation_id", BigId, ForeignKey("conversations.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False, index=True),
)

# Other discussions of an alert's conversation or link (crossposts), listed with the alert.
sightings = Table(
    "sightings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", BigId, ForeignKey("alerts.id"), nullable=False),
    Column("conversation_id", BigId, ForeignKey("conversations.id"), nullable=False, index=True),
    Column("seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("alert_id", "conversation_id"),
)

# Daily budgets shared by every replica (language-model calls per UTC day): one row per budget and day.
budgets = Table(
    "budgets",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("used", Integer, nullable=False),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", BigId, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("actor", String(NAME), nullable=False),
    Column("note", Text),
    Column("at", UTCDateTime, nullable=False),
    Column("label", String(NAME)),  # a team-defined outcome (kind "custom"): kind stays short and checkable
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", String(NAME), nullable=False),
    Column("action", String(50), nullable=False),
    Column("subject", String(NAME), nullable=False),
    Column("detail", Json, nullable=False),
)

team_handles = Table(
    "team_handles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("member", String(NAME), nullable=False, index=True),  # the chat user id
    Column("name", String(NAME)),
    Column("source", String(50), nullable=False),
    Column("handle", String(NAME), nullable=False),  # folded: "@Alice@Hachyderm.io" is "alice@hachyderm.io"
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("source", "handle"),
)

participation = Table(
    "participation",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", BigId, ForeignKey("alerts.id"), nullable=False),
    # One row per check of a claim (1 h, 1 day, 7 days after it): the row is the check's lease and, once done,
    # its result.
    Column("claimed_at", UTCDateTime, nullable=False),  # the claim it checks: a new claim gets checks of its own
    Column("after_seconds", Integer, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("checked_at", UTCDateTime),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("lease_owner", String(NAME)),
    Column("lease_until", UTCDateTime),
    Column("replied_by", String(NAME)),
    Column("replied_at", UTCDateTime),
    Column("responses", Count),
    Column("votes", Count),
    Column("reply_url", Text),  # the counted reply's link (0015)
    Column("promoted", Boolean),  # it named or linked what is ours; NULL: not judged (0015)
    Column("disclosed", Boolean),  # it said how its author is connected (0015)
    UniqueConstraint("alert_id", "claimed_at", "after_seconds"),
    Index(None, "checked_at", "due_at"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    # One row per scheduled report ("weekly:2026-11-30T09:00+00:00"): whoever inserts or leases it posts it.
    Column("slot", String(NAME), nullable=False, unique=True),
    Column("lease_owner", String(NAME)),
    Column("lease_until", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("message_ref", Text),
)

chat_events = Table(
    "chat_events",
    metadata,
    # A chat platform's event id ("Ev0123ABC"): a retry of the event may reach another replica than the first.
    Column("event_id", String(NAME), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False, index=True),
)

TABLE_NAMES = frozenset(metadata.tables)
