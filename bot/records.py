"""The records the storage ports take and return: plain values with no behaviour beyond their own numbers.

They live here, beside ``earshot.bot.domain``, so that the ports (``earshot.bot.ports.storage``) import no decision
module: ``earshot.bot.finding.scoring`` makes the reasons and ``earshot.bot.followup.stats`` turns the numbers into
words, and both import these.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from earshot.bot.domain import Alert, Conversation, DeliveryState


class ReasonKind(enum.StrEnum):
    """Which signal a reason comes from."""

    INTENT = "intent"
    FRESHNESS = "freshness"
    ROOM = "room"
    RELEVANCE = "relevance"
    TEAM = "team"
    LANGUAGE = "language"
    FEEDBACK = "feedback"
    STATE = "state"
    JUDGE = "judge"  # the optional LLM judge's verdict


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a score: plain words, a signed contribution and the signal it comes from."""

    label: str
    weight: int
    kind: ReasonKind


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


@dataclass(frozen=True, slots=True)
class DueCheck:
    """A participation check this process holds the lease on: the alert, and how long after its claim it is."""

    id: int
    alert: Alert
    after: timedelta
    attempts: int = 0


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


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One group's numbers. For a person, ``alerts`` and ``claimed`` are both the alerts they claimed."""

    key: str
    alerts: int = 0
    claimed: int = 0
    replied: int = 0  # claimed alerts where the team replied (recorded, or found by a check)
    responded: int = 0  # of those, where someone answered the team
    stale: int = 0  # never claimed nor dismissed, older than the stale age
    claim_median: timedelta | None = None  # from posting to claim
    outcomes: Mapping[str, int] = field(default_factory=dict)  # alerts per outcome kind (custom: its label)

    @property
    def claim_rate(self) -> float | None:
        """Claimed of alerts posted."""
        return self.claimed / self.alerts if self.alerts else None

    @property
    def reply_rate(self) -> float | None:
        """Replied of claimed."""
        return self.replied / self.claimed if self.claimed else None

    @property
    def response_rate(self) -> float | None:
        """Answered of replied."""
        return self.responded / self.replied if self.replied else None


@dataclass(frozen=True, slots=True)
class Stats:
    """The numbers of the alerts posted in [since, until], in total and by group, each group sorted by key."""

    since: datetime
    until: datetime
    total: StatsRow
    people: tuple[StatsRow, ...] = ()
    topics: tuple[StatsRow, ...] = ()
    sources: tuple[StatsRow, ...] = ()
    communities: tuple[StatsRow, ...] = ()


@dataclass(frozen=True, slots=True)
class DayCount:
    """One topic on one day (UTC): alerts posted, claimed, replied to."""

    day: date
    topic: str
    alerts: int
    claimed: int
    replied: int


@dataclass(frozen=True, slots=True)
class MannersCount:
    """The team's judged replies of a period: those that helped first (named nothing of ours) and those that
    promoted, each with how many got answers."""

    helped: int = 0
    helped_answered: int = 0
    promoted: int = 0
    promoted_answered: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    """A report for the channel or the command line: its title, the numbers and the daily series for the chart."""

    title: str
    stats: Stats
    series: tuple[DayCount, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)  # member id -> display name
    manners: MannersCount | None = None  # None: not counted (an older caller)


@dataclass(frozen=True, slots=True)
class TeamReply:
    """A reply of the team's that a participation check counted: the thread, who replied, and its manners."""

    alert_id: int
    source: str
    community: str | None
    thread_url: str
    title: str
    member: str
    replied_at: datetime | None
    checked_at: datetime
    responses: int
    reply_url: str | None = None
    promoted: bool | None = None  # None: checked before manners were recorded
    disclosed: bool | None = None


@dataclass(frozen=True, slots=True)
class DayUsage:
    """What thread reads of one source kind spent of its metered API on one day (its service's day)."""

    kind: str
    day: date
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Horizons:
    """What retention keeps: records from before each time go (None: kept for ever).

    ``conversations``: conversations that never became an alert, first seen and published before it (undated ones
    are kept until ``alerts``, since Earshot can tell them from new ones only by having them). ``alerts``: alerts
    created before it, with their outcomes, checks and sightings, unless still waiting to be posted or claimed
    since; and the daily budgets and usage counters of before it. ``audit``: the audit log's entries.
    """

    conversations: datetime | None
    alerts: datetime | None
    audit: datetime | None


PRUNED = ("alerts", "conversations", "audit")
"""What a prune counts, in the order it removes them (an alert's records go with it)."""
