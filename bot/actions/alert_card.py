"""An alert's card: what its message shows and offers, decided once for every chat platform.

:func:`alert_card` turns a stored alert, its outcomes, its progress line and the outcomes the team offers into
an :class:`AlertCard`: the facts (title, links, source, topic, score, reasons, context), the state (who claimed
it and when, the outcomes recorded, whether it was marked not relevant, how it is going) and the actions offered
in that state. Each chat adapter has one function that draws a card (Block Kit, an embed and components, terminal
lines) and one redraw that reads the alert from storage, builds its card and edits the message, whatever caused
it: a press, a reaction or a scheduled refresh. What a message shows is decided here, so no path shows less.

Action ids (``earshot:claim``, ``earshot:outcome:replied``) are stored in messages already posted, so they keep
their meaning across versions; :func:`action_for` reads one back.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from earshot.bot.domain import Alert, Outcome, OutcomeKind, Sighting
from earshot.bot.text import excerpt

ACTION_PREFIX = "earshot:"
CUSTOM_PREFIX = "custom:"  # a menu value naming a team's own outcome: "custom:<label>"

OUTCOME_WORDS: dict[OutcomeKind, str] = {
    OutcomeKind.REPLIED: "replied",
    OutcomeKind.GOT_RESPONSE: "got a response",
    OutcomeKind.LEAD: "lead",
    OutcomeKind.NOT_WORTH_IT: "not worth it",
    OutcomeKind.NOT_RELEVANT: "not relevant",
    OutcomeKind.NOTE: "note",
    OutcomeKind.SIGNUP: "sign-up",
    OutcomeKind.BUG_REPORT: "bug report",
    OutcomeKind.CUSTOM: "other",
}
"""An outcome's name ("lead"), as menus and lists show it."""

OUTCOME_DEEDS: dict[OutcomeKind, str] = {
    OutcomeKind.REPLIED: "replied",
    OutcomeKind.GOT_RESPONSE: "got a response",
    OutcomeKind.LEAD: "found a lead",
    OutcomeKind.NOT_WORTH_IT: "found it not worth it",
    OutcomeKind.NOT_RELEVANT: "marked it not relevant",
    OutcomeKind.NOTE: "noted",
    OutcomeKind.SIGNUP: "got a sign-up",
    OutcomeKind.BUG_REPORT: "got a bug report",
    OutcomeKind.CUSTOM: "recorded",
}
"""What an outcome says after the member's name ("Alice found a lead")."""

QUICK_OUTCOMES: tuple[tuple[OutcomeKind, str], ...] = (
    (OutcomeKind.REPLIED, "Replied"),
    (OutcomeKind.GOT_RESPONSE, "Got a response"),
    (OutcomeKind.LEAD, "Lead"),
    (OutcomeKind.NOT_WORTH_IT, "Not worth it"),
)
"""The outcomes offered as buttons on a claimed alert (and on the "how did it go?" question), with their labels."""

PRESS_OUTDATED = (
    "This button no longer does anything (it comes from another version of Earshot). Use the buttons on the "
    "alert's message, or /earshot mine and /earshot unclaimed."
)
"""What the presser of an action this version does not draw is told."""
PRESS_FAILED = "Something went wrong on Earshot's side (it is in the logs); try again shortly."
CHOICE_GONE = "That outcome is not offered any more; pick another one."
"""What the picker of a menu drawn before the team's outcomes changed is told."""

DEED_LABEL_MAX = 80  # characters of a team's label after "recorded"


def outcome_name(kind: OutcomeKind, label: str | None = None) -> str:
    """An outcome's name: the team's own label for a custom one, else the word for its kind."""
    return label if kind is OutcomeKind.CUSTOM and label else OUTCOME_WORDS.get(kind, kind.value)


def outcome_deed(kind: OutcomeKind, label: str | None = None) -> str:
    """What an outcome says after the member's name: "found a lead", or 'recorded “partnership”'."""
    words = OUTCOME_DEEDS.get(kind, kind.value)
    return f"{words} “{excerpt(label, DEED_LABEL_MAX)}”" if kind is OutcomeKind.CUSTOM and label else words


class Choice(NamedTuple):
    """An outcome the team offers (``ChatActions.outcome_choices``): its kind, its label (custom ones) and its words."""

    kind: OutcomeKind
    label: str | None
    words: str

    @property
    def value(self) -> str:
        """The choice's value in a menu: the kind (``signup``), or ``custom:<label>`` for a team's own outcome."""
        return (
            CUSTOM_PREFIX + self.label
            if self.kind is OutcomeKind.CUSTOM and self.label is not None
            else self.kind.value
        )

    @property
    def title(self) -> str:
        """The choice as a menu shows it: our words capitalised ("Sign-up"), a team's label as written."""
        return self.words if self.kind is OutcomeKind.CUSTOM else self.words[:1].upper() + self.words[1:]


def find_choice(value: str, choices: Sequence[Choice]) -> Choice | None:
    """The offered choice a menu value stands for, or None when it is not offered (any more)."""
    return next((c for c in choices if c.value == value), None)


class Act(enum.StrEnum):
    """What an action on an alert does."""

    CLAIM = "claim"
    RELEASE = "release"
    NOT_RELEVANT = "not_relevant"
    OUTCOME = "outcome"  # one of QUICK_OUTCOMES
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Action:
    """An action offered on an alert: what it does, its label, and for an outcome, which."""

    act: Act
    label: str
    kind: OutcomeKind | None = None

    @property
    def id(self) -> str:
        """The action's id, stored in the messages it is drawn on: ``earshot:claim``, ``earshot:outcome:lead``."""
        tail = f":{self.kind.value}" if self.kind is not None else ""
        return f"{ACTION_PREFIX}{self.act.value}{tail}"


CLAIM = Action(Act.CLAIM, "Claim")
RELEASE = Action(Act.RELEASE, "Release")
NOT_RELEVANT = Action(Act.NOT_RELEVANT, "Not relevant")
NOTE = Action(Act.NOTE, "Add a note")
OUTCOMES = tuple(Action(Act.OUTCOME, label, kind) for kind, label in QUICK_OUTCOMES)
FREE_ACTIONS = (CLAIM, NOT_RELEVANT)
"""What a free alert offers; also all an alert drawn plainly (its content broke a renderer) offers."""
CLAIMED_ACTIONS = (*OUTCOMES, NOTE, RELEASE, NOT_RELEVANT)
FOLLOW_UP_ACTIONS = (*OUTCOMES, NOTE, RELEASE)
"""What the "how did it go?" question to the claimer offers."""
_BY_ID = {action.id: action for action in (*CLAIMED_ACTIONS, CLAIM)}


def action_for(action_id: str) -> Action | None:
    """The action an id stands for (``earshot:outcome:lead``), or None when this version draws no such action."""
    return _BY_ID.get(action_id)


@dataclass(frozen=True, slots=True)
class Said:
    """A recorded outcome as the card shows it: who, when, its name and deed, and the note."""

    actor: str
    at: datetime
    kind: OutcomeKind
    name: str
    deed: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AlertCard:
    """All an alert's message shows and offers in its current state; each platform draws it its own way."""

    alert_id: int
    topic: str
    channel: str | None
    message_ref: str | None  # where the alert's message is, once delivered
    title: str
    url: str  # where the conversation happens
    source: str
    score: int
    link: str | None = None  # what the thread points at, when that differs from ``url``
    community: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    points: int | None = None
    replies: int | None = None
    reasons: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()
    question: str = ""  # the context: the summary's question, or the item's own text when there is no summary
    said: tuple[str, ...] = ()  # what replies said so far (the summary's)
    summarised: bool = False  # whether ``question`` is a summary's
    also_seen: tuple[Sighting, ...] = ()
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    outcomes: tuple[Said, ...] = ()  # oldest first
    not_relevant: bool = False  # someone marked it not relevant
    progress: str = ""  # how it is going, in one line, or ""
    actions: tuple[Action, ...] = FREE_ACTIONS  # in the order they are shown
    # The outcomes a claimed alert offers beyond its quick ones, for a menu; "not relevant" among them, which a
    # platform that draws the Not relevant action as a button leaves out of its menu.
    menu: tuple[Choice, ...] = ()

    @property
    def closed(self) -> bool:
        """Marked not relevant and held by nobody: it offers nothing but its link."""
        return self.claimed_by is None and self.not_relevant

    def offers(self, act: Act) -> bool:
        """Whether an action of this kind is offered."""
        return any(a.act is act for a in self.actions)


def alert_card(
    alert: Alert,
    outcomes: Sequence[Outcome] = (),
    progress: str = "",
    choices: Sequence[tuple[OutcomeKind, str | None, str]] = (),
) -> AlertCard:
    """The card of ``alert`` with ``outcomes`` recorded (oldest first), ``progress`` (the ChatActions' line) and the
    outcome ``choices`` the team offers. Pure."""
    c = alert.conversation
    not_relevant = any(o.kind is OutcomeKind.NOT_RELEVANT for o in outcomes)
    if alert.claimed_by is not None:
        actions: tuple[Action, ...] = CLAIMED_ACTIONS
        quick = {kind for kind, _ in QUICK_OUTCOMES}
        menu = tuple(Choice(*choice) for choice in choices if choice[0] not in quick)
    else:
        actions, menu = (() if not_relevant else FREE_ACTIONS), ()
    summary = alert.summary
    return AlertCard(
        alert_id=alert.id,
        topic=alert.topic,
        channel=alert.channel,
        message_ref=alert.message_ref,
        title=c.title,
        url=c.url,
        source=c.source,
        score=alert.score,
        link=c.link if c.link and c.link != c.url else None,
        community=c.community,
        author=c.author,
        created_at=c.created_at,
        points=c.points,
        replies=c.thread_size,
        reasons=alert.reasons,
        matched=alert.matched,
        question=summary.question if summary is not None else c.text,
        said=summary.said if summary is not None else (),
        summarised=summary is not None,
        also_seen=alert.also_seen,
        claimed_by=alert.claimed_by,
        claimed_at=alert.claimed_at,
        outcomes=tuple(
            Said(o.actor, o.at, o.kind, outcome_name(o.kind, o.label), outcome_deed(o.kind, o.label), o.note)
            for o in outcomes
        ),
        not_relevant=not_relevant,
        progress=progress,
        actions=actions,
        menu=menu,
    )
