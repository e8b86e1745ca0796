"""The briefing for whoever claims: the thread in a few lines, before they write a word.

What is asked (one line), what the asker said of their situation (scale, stack, budget, what they tried), what
replies said so far and which points are still open, how old and busy the thread is, the community's rules that
bear on a reply, the team's earlier replies in that community, and a gentle word when one's own replies there
promote more often than the community's rule allows. Pure functions compose it; :class:`Briefer` gathers what they
need. Chat adapters render it privately, each making third-party text safe their own way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from earshot.bot.domain import Alert, Conversation
from earshot.bot.guest.asked import Asked, answered, points
from earshot.bot.guest.rules import DISCLOSE, LIMIT_PROMOTION, NO_GENERATED, RuleCard
from earshot.bot.guest.words import sentences, stems, without_code
from earshot.bot.text import age, excerpt

LINE = 160  # characters of each quoted line
PER_PART = 2  # sentences kept per part of the situation
BUSY_REPLIES = 20  # replies from which a thread is busy
QUIET_AFTER = timedelta(days=3)  # a thread older than this with few replies has gone quiet

# What the asker says of their situation, sentence by sentence; a sentence may say several.
_SCALE = re.compile(
    r"\b\d[\d,.]*\s*(?:k|m|million|thousand|billion)?\s*(?:users?|customers?|requests?|req/s|rps|qps|events?|"
    r"messages?|rows?|records?|documents?|files?|servers?|nodes?|machines?|instances?|vms?|containers?|pods?|"
    r"employees?|people|engineers?|developers?|devs|seats?|tenants?|sites?|services?|repos?|gb|tb|pb|mb|laptops?|"
    r"desktops?|computers?|devices?|phones?|clients?|offices?|locations?|stores?|apps?|projects?|websites?)\b|"
    r"\bteam of \d+|\b(?:per|a|every) (?:second|minute|day|month)\b.*\d|\d.*\b(?:per|a|every) (?:second|minute|day)\b",
    re.IGNORECASE,
)
_BUDGET = re.compile(
    r"[$€£]\s?\d|\d\s?(?:usd|eur|gbp|dollars?|euros?)\b|\bbudget\b|\bcan'?t afford\b|\bafford\b|\bcheap(?:er|est)?\b|"
    r"\bfree (?:tier|plan|option)|\bopen[- ]source only\b|\bper (?:month|seat|user)\b|\bpricing\b|\bexpensive\b|"
    r"\bcost(?:s|ly)?\b",
    re.IGNORECASE,
)
_TRIED = re.compile(
    r"\b(?:i|we)(?:'ve| have)? (?:already )?(?:tried|tested|attempted|looked at|switched|moved|migrated|"
    r"experimented|played with|evaluated)\b|\btried (?:out|using)?\b|\b(?:didn'?t|doesn'?t|did not|does not) "
    r"(?:work|help|scale)\b|\bno luck\b|\bgave up on\b",
    re.IGNORECASE,
)
_STACK = re.compile(
    r"\b(?:we|i)(?:'re| are| am|'m)? (?:use|using|run|running|on|built on|deploy(?:ing)? (?:to|on)|hosted on)\b|"
    r"\bour (?:stack|setup|backend|infra(?:structure)?)\b|\bstack is\b|\b(?:python|django|flask|fastapi|node(?:\.js)?|"
    r"typescript|javascript|react|vue|rails|ruby|php|laravel|java|spring|kotlin|go|golang|rust|c#|\.net|elixir|"
    r"postgres(?:ql)?|mysql|sqlite|mongo(?:db)?|redis|kafka|rabbitmq|kubernetes|k8s|docker|aws|gcp|azure|"
    r"terraform|linux|windows|macos|nginx|graphql|elasticsearch)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"(?<=[.!?])\s+")  # the sentence splitter wants a capital next; askers do not always
PARTS = (("scale", _SCALE), ("stack", _STACK), ("budget", _BUDGET), ("tried", _TRIED))


@dataclass(frozen=True)
class Situation:
    """What the asker said about their situation, in their own sentences (shortened), per part."""

    scale: tuple[str, ...] = ()
    stack: tuple[str, ...] = ()
    budget: tuple[str, ...] = ()
    tried: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.scale or self.stack or self.budget or self.tried)

    def parts(self) -> list[tuple[str, tuple[str, ...]]]:
        """(part, sentences) for the parts the asker spoke of, in a fixed order."""
        found = [(name, getattr(self, name)) for name, _ in PARTS]
        return [(name, said) for name, said in found if said]


def situation(text: str, limit: int = PER_PART) -> Situation:
    """The asker's sentences on scale, stack, budget and what they tried (up to ``limit`` each, code left out).

    A sentence that asks (ends with "?") is the question, not the situation, and is left out.
    """
    found: dict[str, list[str]] = {name: [] for name, _ in PARTS}
    pieces = (piece for sentence in sentences(without_code(text)) for piece in _CLAUSE_END.split(sentence))
    for piece in pieces:
        flat = " ".join(piece.split())
        if not flat or flat.endswith("?"):
            continue
        for name, pattern in PARTS:
            if pattern.search(flat) and len(found[name]) < limit:
                found[name].append(excerpt(flat, LINE))
    return Situation(*(tuple(found[name]) for name, _ in PARTS))


def still_open(asked: Asked) -> tuple[str, ...]:
    """The asker's points no reply so far touches (all of them when nobody replied)."""
    said = stems(" ".join(asked.replies))
    return tuple(p.text for p in points(asked) if not answered(p, said))


def pace(conversation: Conversation, now: datetime) -> str:
    """How old and busy the thread is: "posted 5 h ago · 12 replies · 40 points · busy"."""
    c = conversation
    parts = [f"posted {age(c.created_at, now)}"] if c.created_at is not None else ["age unknown"]
    if c.thread_size is not None:
        parts.append(f"{c.thread_size} {'reply' if c.thread_size == 1 else 'replies'}")
    if c.points is not None:
        parts.append(f"{c.points} points")
    word = busyness(c, now)
    if word:
        parts.append(word)
    return " · ".join(parts)


def busyness(conversation: Conversation, now: datetime) -> str:
    """One word on how the thread is going: "busy", "gone quiet", "no replies yet", or "" when unknown."""
    size = conversation.thread_size
    if size is None:
        return ""
    if size >= BUSY_REPLIES:
        return "busy: read the replies before adding one"
    older = conversation.created_at is not None and now - conversation.created_at > QUIET_AFTER
    if older and size < 3:
        return "gone quiet"
    return "no replies yet" if size == 0 else ""


@dataclass(frozen=True)
class Earlier:
    """One of the team's earlier replies in the same community: the thread, who replied, and when."""

    url: str
    title: str
    member: str
    replied_at: datetime | None = None
    promoted: bool | None = None  # named or linked what is ours (None: not recorded)
    disclosed: bool | None = None


@dataclass(frozen=True)
class Manners:
    """One person's replies in one community: how many, and how many of them promoted what is ours."""

    community: str
    replies: int
    promoting: int

    @property
    def share(self) -> float:
        """The share of replies that promote (0 when there are none)."""
        return self.promoting / self.replies if self.replies else 0.0


MIN_REPLIES_FOR_WARNING = 4  # below this, one promoting reply is not a habit


def manners_warning(manners: Manners | None, cards: Sequence[RuleCard]) -> str | None:
    """A gentle, private word when one's promoting share is over the community's rule, or None.

    Only cards that give a share (Lobsters: under a quarter) set the bar; with too few replies, nothing is said.
    """
    if manners is None or manners.replies < MIN_REPLIES_FOR_WARNING:
        return None
    bars = [card for card in cards if card.share is not None]
    if not bars:
        return None
    card = min(bars, key=lambda c: c.share or 0.0)
    bar = card.share or 0.0
    if manners.share <= bar:
        return None
    return (
        f"A gentle note: {manners.promoting} of your last {manners.replies} replies here named or linked what is "
        f"ours ({manners.share:.0%}); {card.title} asks for under {bar:.0%}. This one could simply help."
    )


@dataclass(frozen=True)
class Briefing:
    """Everything the claimer reads before replying; every text field quoting the thread is third-party text."""

    alert_id: int
    url: str
    title: str
    asked: str
    situation: Situation
    said: tuple[str, ...]
    unanswered: tuple[str, ...]
    pace: str
    rules: tuple[RuleCard, ...]
    earlier: tuple[Earlier, ...] = ()
    warning: str | None = None
    notes: tuple[str, ...] = ()


MAX_RULES = 4
MAX_EARLIER = 5
_BEARING = (DISCLOSE, LIMIT_PROMOTION, NO_GENERATED)


def bearing(cards: Sequence[RuleCard], limit: int = MAX_RULES) -> tuple[RuleCard, ...]:
    """The cards that bear on a reply (they ask something of it), the place's own before the site's."""
    chosen = [card for card in cards if any(ask in card.asks for ask in _BEARING)]
    chosen.sort(key=lambda c: 0 if ":" in c.community else 1)
    return tuple(chosen[:limit])


def compose(
    alert: Alert,
    now: datetime,
    cards: Sequence[RuleCard] = (),
    earlier: Sequence[Earlier] = (),
    manners: Manners | None = None,
    notes: Sequence[str] = (),
) -> Briefing:
    """The briefing for a claimed alert: pure, from the stored alert and what the caller gathered."""
    c = alert.conversation
    said = tuple(alert.summary.said) if alert.summary is not None else ()
    question = alert.summary.question if alert.summary is not None and alert.summary.question else c.title
    asked = Asked(c.title, c.text, said)
    others = tuple(e for e in earlier if e.url != c.url)[:MAX_EARLIER]
    return Briefing(
        alert_id=alert.id,
        url=c.url,
        title=excerpt(c.title, LINE),
        asked=excerpt(question, LINE),
        situation=situation(c.text) if not c.untitled else situation(c.title),
        said=tuple(excerpt(s, LINE) for s in said),
        unanswered=still_open(asked) if said else (),  # with no replies yet, all of it is open: said by "Asked"
        pace=pace(c, now),
        rules=bearing(cards),
        earlier=others,
        warning=manners_warning(manners, cards),
        notes=tuple(notes),
    )


def plain_lines(briefing: Briefing) -> list[str]:
    """The briefing as plain lines (console, webhook ``text``); the caller makes them safe for its medium."""
    b = briefing
    lines = [f"Briefing for alert {b.alert_id}: {b.title}", f"Asked: {b.asked}", f"Thread: {b.pace}"]
    for part, said in b.situation.parts():
        lines.append(f"Their {part}: " + " / ".join(said))
    if b.said:
        lines.append("Said so far: " + " / ".join(b.said))
    if b.unanswered:
        lines.append("Still open: " + " / ".join(b.unanswered))
    for card in b.rules:
        lines.append(f"Rule: {card.cite()}")
    for e in b.earlier:
        lines.append(f"Team replied before: {e.title} ({e.url})")
    if b.warning:
        lines.append(b.warning)
    lines.extend(f"Note: {note}" for note in b.notes)
    return lines
