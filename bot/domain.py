"""The domain: what Earshot watches, what it finds, and what people do with it.

Plain frozen dataclasses, no I/O. Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class Conversation:
    """One item from a feed, normalised: a post, a story or a comment someone could reply to.

    ``source`` is the feed kind ("hackernews", "rss", ...); ``external_id`` is the item's id at the source,
    stable across polls. ``url`` is where the conversation happens (the place to join); ``link`` is what it
    points at, when that differs (a Hacker News story's article).
    """

    source: str
    external_id: str
    url: str
    title: str
    text: str = ""
    author: str | None = None
    created_at: datetime | None = None
    thread_size: int | None = None
    points: int | None = None
    link: str | None = None
    community: str | None = None
    kind: str = "post"  # post | comment
    state: str | None = None  # None: open | "answered" | "solved" | "closed" | "locked", as the source says
    language: str | None = None  # the ISO 639-1 code the source declares (Mastodon, Bluesky); None: not declared
    untitled: bool = False  # True: the source has no title (Mastodon, Bluesky) and ``title`` is the text's opening

    @property
    def key(self) -> tuple[str, str]:
        """The identity of the item at its source."""
        return (self.source, self.external_id)


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply in a thread, as the source shows it now. ``depth`` is 0 for a direct reply to the item."""

    external_id: str
    author: str | None
    text: str
    created_at: datetime | None = None
    points: int | None = None
    url: str | None = None
    parent_id: str | None = None
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Thread:
    """A conversation with the replies under it, read again from its source (for summaries and for checking
    who replied). ``conversation`` is the item refreshed (points, thread_size); ``replies`` are in the source's
    order, at most the limit asked for; ``reply_count`` is the total the source reports, which may be larger."""

    conversation: Conversation
    replies: tuple[Reply, ...] = ()
    reply_count: int | None = None
    usage: Mapping[str, int] = field(default_factory=dict)  # what reading it spent of a metered API (as FetchResult's)


@dataclass(frozen=True, slots=True)
class Topic:
    """Something the team cares about: a query, the channel its alerts go to (None: the default), and the
    joinability score (0 to 100) an item needs for its alert to be delivered.

    ``languages`` (ISO 639-1 codes; empty: any) keeps only items written in one of them; ``exclude_authors`` and
    ``exclude_sources`` (feed kinds or feed names) drop items whatever the query says.

    What the topic means, in plain words, for relevance by meaning: ``about`` (what the team knows and whom it
    helps), ``examples`` (posts worth joining) and ``counter_examples`` (posts that share its words but are not
    worth joining). ``without_keyword`` (opt-in, needs ``about``) also scores items that match no query term but
    are close in meaning. ``accept`` is a plain-words instruction for the optional LLM judge. A topic without them
    keeps working on its query alone.
    """

    name: str
    query: str
    channel: str | None = None
    enabled: bool = True
    origin: str = "cli"  # "config" (synced from the file) | "cli" (added at run time)
    min_score: int = 50
    languages: tuple[str, ...] = ()
    exclude_authors: tuple[str, ...] = ()
    exclude_sources: tuple[str, ...] = ()
    about: str = ""
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    without_keyword: bool = False
    accept: str = ""


@dataclass(frozen=True, slots=True)
class Feed:
    """A place to listen, polled every ``every``.

    ``url`` is the feed address (RSS) or an API base URL override (Hacker News ``base_url``); ``query`` narrows
    search-based sources. ``options`` holds kind-specific settings (e.g. Hacker News ``tags``).
    """

    name: str
    kind: str
    every: timedelta
    url: str | None = None
    query: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    origin: str = "cli"


@dataclass(frozen=True, slots=True)
class FeedState:
    """What Earshot knows about polling one feed: where it left off and how it is doing."""

    feed: Feed
    cursor: dict[str, Any]
    seeded: bool
    next_poll_at: datetime | None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a source returned for one poll: new-looking items and the cursor to resume from next time.

    ``notes`` are what a person should know about how the feed was read (e.g. a fallback without credentials).
    ``usage`` is what the poll spent of a metered API ("requests", "posts", "quota_units"), counted in metrics."""

    items: list[Conversation]
    cursor: dict[str, Any]
    not_modified: bool = False
    notes: tuple[str, ...] = ()
    usage: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Match:
    """Why a conversation matched a topic: the terms found and where."""

    terms: tuple[str, ...]
    in_title: bool
    score: int


class DeliveryState(enum.StrEnum):
    """Where an alert is in the outbox."""

    PENDING = "pending"
    DELIVERED = "delivered"
    BELOW_MIN = "below_min"  # kept, with its reasons, but never delivered: it scored under its topic's min_score
    HELD = "held"  # over its channel's hourly cap: waits for the channel's next digest


@dataclass(frozen=True, slots=True)
class Summary:
    """The context of a conversation in a few lines: the key question, what replies have said so far.

    ``method`` says how it was made: "extractive" (offline, from the item and its thread) or "llm". The numbers
    (age, replies, points) are not repeated here: renderers take them from the conversation.
    """

    question: str
    said: tuple[str, ...] = ()
    method: str = "extractive"


@dataclass(frozen=True, slots=True)
class Sighting:
    """The same conversation, or a discussion of the same link, seen on another source (a crosspost)."""

    source: str
    url: str
    title: str
    community: str | None = None
    thread_size: int | None = None
    points: int | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """A conversation worth a look for one topic; written before delivery (the outbox), marked after."""

    id: int
    topic: str
    channel: str | None
    conversation: Conversation
    matched: tuple[str, ...]
    score: int
    created_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    delivered_at: datetime | None = None
    message_ref: str | None = None
    last_error: str | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    reasons: tuple[str, ...] = ()  # the score's top reasons in plain words, in the order they are shown
    summary: Summary | None = None  # the context summary, once made (None: render from the conversation alone)
    also_seen: tuple[Sighting, ...] = ()  # other discussions of the same conversation or link
    # Leased from another process whose lease ran out unfinished: its post may have gone out, so a platform
    # without idempotency keys (Slack) looks for it before posting again.
    retaken: bool = False
    held_at: datetime | None = None  # when the flood guard held it back (kept once it went out in a digest)


@dataclass(frozen=True, slots=True)
class Digest:
    """Alerts the flood guard held back from one channel, posted together as one message, oldest first."""

    channel: str | None
    alerts: tuple[Alert, ...]
    since: datetime


class OutcomeKind(enum.StrEnum):
    """How joining a conversation went."""

    REPLIED = "replied"
    GOT_RESPONSE = "got_response"
    LEAD = "lead"
    NOT_WORTH_IT = "not_worth_it"
    NOT_RELEVANT = "not_relevant"  # feedback on the alert itself; anyone may give it
    NOTE = "note"
    SIGNUP = "signup"
    BUG_REPORT = "bug_report"
    CUSTOM = "custom"  # a label the team defined ([outcomes] custom), kept in Outcome.label


@dataclass(frozen=True, slots=True)
class Outcome:
    """A recorded result of an alert, by whom and when."""

    alert_id: int
    kind: OutcomeKind
    actor: str
    at: datetime
    note: str | None = None
    label: str | None = None  # the team's own label, for kind CUSTOM


@dataclass(frozen=True, slots=True)
class Handle:
    """A teammate's account on a source: chat member ``member`` is ``handle`` on ``source`` (folded)."""

    member: str
    source: str
    handle: str
    name: str | None = None  # the member's display name, for messages


@dataclass(frozen=True, slots=True)
class Participation:
    """What a re-read of a claimed alert's thread showed, ``after`` its claim: who of the team replied and when,
    how many people answered them, and the votes their reply got (None where the source shows none)."""

    alert_id: int
    after: timedelta
    checked_at: datetime
    replied_by: str | None = None  # the member id of the teammate whose reply counts (the claimer's first)
    replied_at: datetime | None = None
    responses: int = 0
    votes: int | None = None
    reply_url: str | None = None  # the counted reply's own link, where the source gives one
    promoted: bool | None = None  # the counted reply named or linked what is ours (None: not judged)
    disclosed: bool | None = None  # it said how its author is connected to what it mentions


@dataclass(frozen=True, slots=True)
class Progress:
    """How a claimed alert is going, for its message: the latest check, the outcomes people recorded (which win
    over the check) and both in one plain line ("Alice replied 2 h after the post · 3 responses")."""

    participation: Participation | None
    outcomes: tuple[Outcome, ...]
    line: str
    replied_name: str | None = None  # the display name of participation.replied_by, when known


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """The answer to a claim attempt: who holds the alert now, and whether it is the asker."""

    alert_id: int
    won: bool
    holder: str
    claimed_at: datetime


@dataclass(frozen=True, slots=True)
class Notice:
    """An operational message for the channel (a feed failing or recovering); never carries an alert."""

    level: str  # info | warning | error
    text: str
    feed: str | None = None


@dataclass(frozen=True, slots=True)
class TopicActivity:
    """One topic's alerts over a period: how many were posted, claimed, and led to each outcome."""

    topic: str
    alerts: int
    claimed: int
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Activity:
    """What happened to the alerts posted since ``since``: the team's numbers, per topic and in total."""

    since: datetime
    topics: tuple[TopicActivity, ...] = ()

    @property
    def alerts(self) -> int:
        """Alerts posted in the period."""
        return sum(t.alerts for t in self.topics)

    @property
    def claimed(self) -> int:
        """Of those, how many someone claimed."""
        return sum(t.claimed for t in self.topics)

    def outcomes(self) -> dict[str, int]:
        """Outcomes recorded on those alerts, by kind."""
        total: dict[str, int] = {}
        for topic in self.topics:
            for kind, count in topic.outcomes.items():
                total[kind] = total.get(kind, 0) + count
        return total


def channel_label(channel: str | None) -> str:
    """A channel as a person reads it in logs: "#db-talk", or "the default channel" for an alert without one."""
    return f"#{channel}" if channel else "the default channel"
