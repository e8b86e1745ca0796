"""Joinability: how worth joining a matched conversation is, 0 to 100, with the reasons in plain words.

Each signal is a pure function returning its reasons (a signed weight and a label); ``score`` adds them to a base
and clamps. Time is an argument. The weights live in one table below, tuned on tests/data/evaluation
(``python benchmarks/evaluate.py``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from earshot.bot.domain import Conversation, Match, Topic
from earshot.bot.finding.intent import LABELS, NEGATIVE, POSITIVE, Intent, find_intents
from earshot.bot.finding.matching import squash
from earshot.bot.finding.meaning import Fit, Meaning
from earshot.bot.finding.team_model import TeamModel, like_team
from earshot.bot.finding.thread_state import describe, thread_state
from earshot.bot.records import Reason as Reason  # re-exported: defined here first, now among the records
from earshot.bot.records import ReasonKind as ReasonKind

# ---- Weights: every number the score is made of, in one place. ----
BASE = 25
"""Where every matched item starts: a keyword hit alone is not yet worth a person's time."""

INTENT_WEIGHTS: Mapping[Intent, int] = {
    Intent.RECOMMENDATION: 25,  # the best opening: someone asks what to use, which is what a team knows
    Intent.COMPARISON: 22,  # weighing options the team knows is nearly a recommendation sought
    Intent.PAIN: 20,  # a problem the topic addresses is an opening to help
    Intent.QUESTION: 18,  # a question invites answers, though not always on the topic
    Intent.ANNOUNCEMENT: -30,  # a broadcast: the thread is about someone's news, not a need
    Intent.ARTICLE: -25,  # a write-up: the author answers their own title; its comments discuss the article
    Intent.JOB: -45,  # nobody wants the team's reply under a job ad
    Intent.PROMOTION: -35,  # someone selling; joining looks like competing for the same shelf
    Intent.CALL_FOR_PAPERS: -40,  # a conference asking for talks: nobody there needs the team's answer
    Intent.SOLVED: -30,  # the asker says it is settled
}
SECOND_INTENT = 5
"""A second positive intent (a question that also names a pain) adds a little: the ask is clearer."""
NO_INTENT = -20
"""A mention with no ask in it: people talking, not asking."""

FRESH_SPAN = 40
FRESH_FLOOR = -20
"""Freshness adds FRESH_SPAN * 0.5 ** (age / half-life) + FRESH_FLOOR: +20 new, 0 at one half-life, -15 at three,
-20 cold: an old thread has moved on, whatever it asked."""

UNANSWERED = 12
FEW_REPLIES = 6
SOME_REPLIES = -4
CROWDED = -40
FEW_REPLIES_MAX = 10
"""Room to join: nobody has answered yet is the clearest opening; 1 to 10 replies still leaves room."""
CROWDED_MIN = 100
"""From this many replies a new voice is lost in the thread."""

TITLE_HIT = 8
BODY_ONLY = -4
UNTITLED_HIT = 8
EXTRA_TERM = 2
EXTRA_TERMS_MAX = 3
"""Relevance: the topic in the title means the conversation is about it, in the body only it may be in passing;
more distinct terms, a little more. An untitled item (a Mastodon or Bluesky post: a few lines, no title) is neither:
a mention anywhere in it counts UNTITLED_HIT, its opening no more than the rest. Tuned on the dev part: 0 there
loses 17 of 132 true alerts at the same precision (every social post 8 to 12 points lower under thresholds set with
the title bonus), so a short post's mention weighs what a title hit does."""

STATE_WEIGHTS: Mapping[str, int] = {
    "locked": -60,  # nobody can reply: never worth an alert
    "closed": -60,  # the conversation is over (a closed issue, a closed question or topic)
    "solved": -35,  # the asker has an answer; only an otherwise excellent match still clears a threshold
    "answered": -8,  # answers but none accepted: still open, with less room
}
"""Thread state, as the source says or the title marks it (earshot.bot.finding.thread_state): a locked or closed
thread scores at most 41 and never reaches the default min_score (50); a solved one rarely does."""

MEANING_MID = 0.30
MEANING_UNIT = 100
MEANING_MAX = 25
MEANING_MIN = -15
"""Relevance by meaning, for topics that say what they mean: MEANING_UNIT points per unit of cosine above
MEANING_MID (the cosine where a match is neither in nor off the topic), within MEANING_MIN..MEANING_MAX."""
ANOTHER_SENSE = -40
ANOTHER_SENSE_BELOW = 0.15
COUNTER_MARGIN = 0.06
"""A homonym: the item uses the topic's words but sits under ANOTHER_SENSE_BELOW from its meaning, or nearer one
of its counter-examples than to the topic and to each thing the topic is (its about, each example) by more than
COUNTER_MARGIN; it loses ANOTHER_SENSE points. A short counter-example made mostly of the topic's own word ("Kafka's
novels") sits near every post using it: the margin and the comparison with the nearest example keep real questions.
Tuned on the dev part (0.0 / 0.03 / 0.06 / 0.10 / 0.15: F1 0.84 / 0.85 / 0.86 / 0.86 / 0.85, precision 0.95 down
to 0.92)."""

DISMISSED_UNIT = 8
DISMISSED_MAX = -30
DISMISSED_MIN_STRENGTH = 1.5
"""Feedback: an item sharing words typical of the topic's dismissed alerts loses DISMISSED_UNIT per unit of
their learned weight (log odds), at most DISMISSED_MAX; below DISMISSED_MIN_STRENGTH the likeness is chance."""

# ---- The policy: what a deployment may set. ----
# Each kind declares its own half-life (SourceKind.half_life, next to its source: hours on Hacker News, days on a
# forum); the composition root passes them in as ScoringPolicy.half_lives. A kind left out ages at this pace.
DEFAULT_HALF_LIFE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Score:
    """A joinability score from 0 to 100 and the reasons behind it, strongest first."""

    value: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class ScoringPolicy:
    """Per-source freshness half-lives, the team's own accounts and, optionally, the languages wanted."""

    half_lives: Mapping[str, timedelta] = field(default_factory=dict)
    default_half_life: timedelta = DEFAULT_HALF_LIFE
    team_accounts: frozenset[str] = frozenset()
    languages: frozenset[str] | None = None
    meaning: Meaning | None = None  # relevance by meaning for topics with about/examples; None: keywords only

    def half_life(self, source: str) -> timedelta:
        """How long a conversation from ``source`` takes to lose half its freshness."""
        return self.half_lives.get(source, self.default_half_life)


# ---- Signals. ----
def intent_reasons(title: str, text: str) -> tuple[Reason, ...]:
    """What the post asks or broadcasts: the strongest positive and the strongest negative intent found."""
    found = find_intents(title, text)
    if any(f.intent is Intent.ARTICLE for f in found):
        # A write-up's title asks only to answer itself ("Qdrant vs Milvus: a benchmark", "When should you shard?").
        found = [f for f in found if f.intent not in POSITIVE or not f.in_title]
    return _intent_reasons(frozenset(f.intent for f in found))


@functools.lru_cache(maxsize=256)  # a few dozen combinations of intents occur; each is worked out once
def _intent_reasons(kinds: frozenset[Intent]) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    positive = [i for i in POSITIVE if i in kinds]
    if positive:
        best = max(positive, key=lambda i: INTENT_WEIGHTS[i])
        reasons.append(Reason(LABELS[best], INTENT_WEIGHTS[best], ReasonKind.INTENT))
        if len(positive) > 1:
            others = [i for i in positive if i is not best]
            reasons.append(Reason(LABELS[others[0]], SECOND_INTENT, ReasonKind.INTENT))
    negative = [i for i in NEGATIVE if i in kinds]
    if negative:
        worst = min(negative, key=lambda i: INTENT_WEIGHTS[i])
        reasons.append(Reason(LABELS[worst], INTENT_WEIGHTS[worst], ReasonKind.INTENT))
    if not reasons:
        reasons.append(Reason("no question or request", NO_INTENT, ReasonKind.INTENT))
    return tuple(reasons)


def freshness(created_at: datetime | None, now: datetime, half_life: timedelta) -> Reason | None:
    """Exponential decay with the source's half-life; None when the age is unknown."""
    if created_at is None:
        return None
    age = max(timedelta(0), now - created_at)
    decay = math.pow(0.5, age / half_life)
    return Reason(age_label(age), round(FRESH_SPAN * decay + FRESH_FLOOR), ReasonKind.FRESHNESS)


def age_label(age: timedelta) -> str:
    """A short age in plain words: "just posted", "40 min old", "5 h old", "3 days old"."""
    seconds = age.total_seconds()
    if seconds < 60:
        return "just posted"
    if seconds < 3600:
        return f"{int(seconds // 60)} min old"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h old"
    return f"{int(seconds // 86400)} days old"


def room(thread_size: int | None) -> Reason | None:
    """Room to join: unanswered and few replies are openings, a crowded thread is not; None when unknown."""
    if thread_size is None:
        return None
    if thread_size <= 0:
        return Reason("unanswered", UNANSWERED, ReasonKind.ROOM)
    noun = "reply" if thread_size == 1 else "replies"
    if thread_size <= FEW_REPLIES_MAX:
        return Reason(f"{thread_size} {noun}", FEW_REPLIES, ReasonKind.ROOM)
    if thread_size < CROWDED_MIN:
        return Reason(f"{thread_size} replies", SOME_REPLIES, ReasonKind.ROOM)
    return Reason(f"crowded thread ({thread_size} replies)", CROWDED, ReasonKind.ROOM)


def relevance(match: Match, untitled: bool = False) -> Reason:
    """How squarely the conversation is about the topic: a title hit, and each further distinct term.

    An untitled item (a short social post) has no title to be about the topic in, nor a long body to mention it
    in passing: a hit anywhere in it counts the same (matching never counts its opening as a title hit).
    """
    terms = ", ".join(match.terms) or "the topic"
    extra = EXTRA_TERM * min(EXTRA_TERMS_MAX, max(0, len(match.terms) - 1))
    if untitled:
        return Reason(f"mentions {terms}", UNTITLED_HIT + extra, ReasonKind.RELEVANCE)
    if match.in_title:
        return Reason(f"{terms} in the title", TITLE_HIT + extra, ReasonKind.RELEVANCE)
    return Reason(f"mentions {terms}", BODY_ONLY + extra, ReasonKind.RELEVANCE)


def state_reason(conversation: Conversation) -> Reason | None:
    """A penalty for a thread that is answered, solved, closed or locked, in plain words; None when it is open."""
    found = thread_state(conversation)
    if found is None:
        return None
    return Reason(describe(found, conversation.source), STATE_WEIGHTS[found.state], ReasonKind.STATE)


def meaning_relevance(match: Match, fit: Fit) -> Reason:
    """How close the item is to what the topic is about, for a topic that says so: replaces the keyword bonus.

    An item that uses the topic's words in another sense (far from its meaning, or nearer a counter-example) loses
    ANOTHER_SENSE with a reason saying so; one found without any of its words says that too.
    """
    similarity = fit.similarity
    if (
        match.terms
        and fit.counter is not None
        and fit.counter_similarity > max(similarity, fit.positive_similarity) + COUNTER_MARGIN
    ):
        return Reason(
            f"uses the topic's words in another sense (closer to {_quoted(fit.counter)})",
            ANOTHER_SENSE,
            ReasonKind.RELEVANCE,
        )
    if match.terms and similarity < ANOTHER_SENSE_BELOW:
        return Reason(
            "uses the topic's words in another sense (far from what the topic is about)",
            ANOTHER_SENSE,
            ReasonKind.RELEVANCE,
        )
    weight = max(MEANING_MIN, min(MEANING_MAX, round(MEANING_UNIT * (similarity - MEANING_MID))))
    if not match.terms:
        return Reason("close to what the topic is about (no keyword)", weight, ReasonKind.RELEVANCE)
    terms = ", ".join(match.terms)
    if weight >= 0:
        return Reason(f"close to what the topic is about ({terms})", weight, ReasonKind.RELEVANCE)
    return Reason(f"mentions {terms}, but is not quite what the topic is about", weight, ReasonKind.RELEVANCE)


def _quoted(text: str, limit: int = 60) -> str:
    """A counter-example shortened for a reason line: 'Importing a vector database of road centerlines…'."""
    text = " ".join(text.split())
    return f"'{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}'"


def by_team(author: str | None, team: frozenset[str]) -> bool:
    """Whether the author is one of the team's own accounts (compared folded)."""
    return bool(team) and author is not None and squash(author) in _folded(team)


@functools.lru_cache(maxsize=16)
def _folded(team: frozenset[str]) -> frozenset[str]:
    return frozenset(squash(a) for a in team)


def item_reasons(conversation: Conversation, now: datetime, half_life: timedelta) -> tuple[Reason, ...]:
    """The reasons that do not depend on the topic: what the post asks, its age, the room in its thread, whether
    it is still open."""
    # A comment's title is its story's; what the comment asks is in its own words. An untitled item's title is its
    # text's opening, read with the text: rules trusted only in a title (a job ad, an announcement) stay off it.
    title = "" if conversation.kind == "comment" or conversation.untitled else conversation.title
    reasons = list(intent_reasons(title, conversation.text))
    fresh = freshness(conversation.created_at, now, half_life)
    if fresh is not None:
        reasons.append(fresh)
    space = room(conversation.thread_size)
    if space is not None:
        reasons.append(space)
    state = state_reason(conversation)
    if state is not None:
        # The thread's state already says it is settled: the asker's own "solved" is not counted twice.
        settled = LABELS[Intent.SOLVED]
        reasons = [r for r in reasons if not (r.kind is ReasonKind.INTENT and r.label == settled)]
        reasons.append(state)
    return tuple(reasons)


@functools.lru_cache(maxsize=256)
def _item_signals(conversation: Conversation, now: datetime, half_life: timedelta) -> tuple[tuple[Reason, ...], int]:
    """item_reasons and their sum, kept for the items in hand: an item matching several topics is read once (a
    Conversation hashes its strings, whose hashes Python keeps)."""
    reasons = item_reasons(conversation, now, half_life)
    return reasons, sum(r.weight for r in reasons)


def clear_caches() -> None:
    """Forget the per-item results kept between topics (benchmarks measure from scratch with it)."""
    _item_signals.cache_clear()


_DEFAULT_POLICY = ScoringPolicy()


_WORD = re.compile(r"[a-z][a-z0-9+#]*(?:[.-][a-z0-9+#]+)*")
STOPWORDS = frozenset(
    """the and for are but not you all any can had her was one our out has him his how its let may new now old see
    two way who did get got use this that with have from they will your what when which their there them been were
    than then into just like some more most much also only over such very would could should about after before
    because does doing here where while being other these those each every same both few own too via yet per""".split()
)


def feedback_words(title: str, text: str) -> frozenset[str]:
    """The words of an item that feedback learns from and compares: lower case, three letters or more, no
    stopwords."""
    found = _WORD.findall(f"{title}\n{text}".lower())
    return frozenset(w for w in found if len(w) >= 3 and w not in STOPWORDS)


def similar_to_dismissed(words: frozenset[str], dismissed: Mapping[str, float]) -> Reason | None:
    """A penalty when the item shares words typical of alerts the team dismissed for this topic (learned weights
    passed in: word -> log odds of appearing in dismissed rather than claimed alerts); None when it does not."""
    hits = sorted((w for w in words if dismissed.get(w, 0) > 0), key=lambda w: (-dismissed[w], w))
    strength = sum(dismissed[w] for w in hits)
    if strength < DISMISSED_MIN_STRENGTH:
        return None
    weight = max(DISMISSED_MAX, -round(DISMISSED_UNIT * strength))
    return Reason(f"similar to dismissed items ({', '.join(hits[:3])})", weight, ReasonKind.FEEDBACK)


# ---- The combination. ----
def score(
    conversation: Conversation,
    match: Match,
    now: datetime,
    policy: ScoringPolicy | None = None,
    language: str | None = None,
    dismissed: Mapping[str, float] | None = None,
    topic: Topic | None = None,
    model: TeamModel | None = None,
) -> Score:
    """The joinability of ``conversation`` for a topic it matched, at ``now``.

    Given the ``topic`` and a policy with ``meaning``, a topic that says what it means (about, examples) is scored
    on how close the item is to that meaning instead of where its keywords sit, unless the item's ``language`` is
    known and the embedder does not read it.

    ``language`` is the item's language when the caller knows it (declared by the source, or already detected to
    hold items the topic or team cannot read: :func:`earshot.bot.finding.language.language_hold`, which the caller
    applies before scoring). ``dismissed`` is what the topic learned from its dismissed alerts
    (:func:`earshot.bot.finding.feedback.learn`), if anything; ``model`` what it learned by meaning
    (:func:`earshot.bot.finding.team_model.learn_model`), which replaces the words where the item is read by meaning.
    """
    policy = policy or _DEFAULT_POLICY
    if by_team(conversation.author, policy.team_accounts):
        return Score(0, (Reason("posted by your team", -100, ReasonKind.TEAM),))
    signals, total = _item_signals(conversation, now, policy.half_life(conversation.source))
    meaning = policy.meaning
    fitted = meaning.fit(conversation, topic, language) if meaning is not None and topic is not None else None
    fit = relevance(match, conversation.untitled) if fitted is None else meaning_relevance(match, fitted)
    extra: tuple[Reason, ...] = (fit,)
    if model is not None and fitted is not None and meaning is not None:
        liked = like_team(model, meaning.item(conversation), meaning.embedder)
        extra = (fit,) if liked is None else (fit, liked)
    elif dismissed:
        title = "" if conversation.kind == "comment" else conversation.title
        penalty = similar_to_dismissed(feedback_words(title, conversation.text), dismissed)
        if penalty is not None:
            extra = (fit, penalty)
    value = BASE + total + sum(r.weight for r in extra)
    return Score(0 if value < 0 else 100 if value > 100 else value, (*signals, *extra))


_SHOWN_FIRST = (
    ReasonKind.TEAM,
    ReasonKind.LANGUAGE,
    ReasonKind.STATE,
    ReasonKind.FEEDBACK,
    ReasonKind.INTENT,
    ReasonKind.FRESHNESS,
    ReasonKind.ROOM,
    ReasonKind.RELEVANCE,
)


def top_reasons(result: Score, n: int = 3) -> tuple[Reason, ...]:
    """Up to ``n`` reasons for the alert line: the strongest of each signal, in the order people read them.

    What the post asks, how old it is and how busy the thread is read as a sentence; relevance comes last since
    every alert matched its topic.
    """
    strongest: dict[ReasonKind, Reason] = {}
    for reason in result.reasons:  # one pass: this runs for every alert
        if reason.kind is ReasonKind.RELEVANCE and not reason.weight:
            continue
        held = strongest.get(reason.kind)
        if held is None or abs(reason.weight) > abs(held.weight):
            strongest[reason.kind] = reason
    return tuple(strongest[kind] for kind in _SHOWN_FIRST if kind in strongest)[:n]


def summary_line(result: Score, n: int = 3) -> str:
    """The reasons in one line: "asks for a recommendation · 40 min old · 3 replies"."""
    return " · ".join(r.label for r in top_reasons(result, n))
