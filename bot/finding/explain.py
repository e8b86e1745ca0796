"""Why a conversation was alerted, or not: matching and scoring re-run on the stored item, beside what was recorded.

The "why" is recomputed by the same pure functions the poller uses (against the current topics, scored at the
time the item was first seen); the stored alerts say what actually happened (score, state, flood guard, claim).
Chat adapters render an :class:`Explanation` their own way; the CLI prints it as text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from earshot.bot.domain import Alert, Conversation, Match, Topic
from earshot.bot.errors import ConfigError, InvalidQuery, NotFound
from earshot.bot.finding.feedback import FEEDBACK_TEXTS, FEEDBACK_WINDOW, learn_all
from earshot.bot.finding.language import known_language, language_hold
from earshot.bot.finding.matching import CompiledTopic, Haystack, TopicIndex, compile_topic, evaluate, holds
from earshot.bot.finding.query import Attr, Node, Not, Term
from earshot.bot.finding.scoring import BASE, Score, ScoringPolicy, score
from earshot.bot.finding.team_model import TeamModel, team_models
from earshot.bot.finding.thread_state import describe, thread_state
from earshot.bot.ports import Clock, StoredConversation, StoreOf
from earshot.bot.ports.storage import Feedback, Lookup, Topics

log = logging.getLogger(__name__)


class ExplainUnit(Lookup, Topics, Feedback, Protocol):
    """What explaining touches: stored conversations, their alerts, the topics, and the team's feedback."""


@dataclass(frozen=True, slots=True)
class Learned:
    """What the topics learned from the team's feedback: words typical of dismissed alerts, and models by meaning."""

    words: Mapping[str, Mapping[str, float]]
    models: Mapping[str, TeamModel]


NOTHING_LEARNED = Learned({}, {})


@dataclass(frozen=True, slots=True)
class Leaf:
    """One word or attribute of a topic's query and what the item showed for it.

    ``field`` is "title", "text" or None (anywhere) for words, "author", "source" or "lang" for attributes;
    ``excluded`` is true under a NOT. ``found`` is whether it holds for the item; for words, where it was found.
    """

    label: str
    field: str | None
    excluded: bool
    found: bool
    in_title: bool = False
    in_body: bool = False


@dataclass(frozen=True, slots=True)
class TopicVerdict:
    """What one topic made of the item, and why.

    ``outcome`` is "alert", "below_min" (under its minimum, or held for its language), "no match", "filtered" (its
    excluded authors or sources) or "disabled".
    """

    topic: Topic
    outcome: str
    filtered: str | None
    query_holds: bool
    leaves: tuple[Leaf, ...]
    match: Match | None = None
    score: Score | None = None
    base: int = BASE


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything known about why a conversation was or was not alerted."""

    stored: StoredConversation
    language: str
    verdicts: tuple[TopicVerdict, ...]
    alerts: tuple[Alert, ...]  # as recorded, newest first
    asked: int | None = None  # the alert id asked about, if any
    thread: str | None = None  # the thread's state in plain words ("closed on GitHub"); None when it is open


def leaves(node: Node, excluded: bool = False) -> Iterator[tuple[Term | Attr, bool]]:
    """Every word and attribute of a query tree, each with whether it sits under an odd number of NOTs."""
    if isinstance(node, Term | Attr):
        yield node, excluded
    elif isinstance(node, Not):
        yield from leaves(node.part, not excluded)
    else:
        for part in node.parts:
            yield from leaves(part, excluded)


def _leaf(node: Term | Attr, excluded: bool, hay: Haystack) -> Leaf:
    if isinstance(node, Attr):
        return Leaf(f"{node.field}:{node.value}", node.field, excluded, hay.has(node))
    in_title, in_body = hay.find(node)
    return Leaf(node.label, node.field, excluded, hay.present(node), in_title, in_body)


def explain_topic(
    compiled: CompiledTopic,
    hay: Haystack,
    at: datetime,
    policy: ScoringPolicy,
    near: bool = False,
    learned: Learned = NOTHING_LEARNED,
) -> TopicVerdict:
    """One topic's verdict on one item, scored at ``at`` (when the item was first seen): pure. ``near``: the item
    matched no query but is close in meaning to this topic, which opted in to being found without a keyword."""
    topic = compiled.topic
    found = tuple(dict.fromkeys(_leaf(node, excluded, hay) for node, excluded in leaves(compiled.query.root)))
    query_holds = holds(compiled.query.root, hay)
    if not topic.enabled:
        return TopicVerdict(topic, "disabled", None, query_holds, found)
    reason = None
    if compiled.filter is not None:
        reason = compiled.filter.rejects(hay.conversation, hay.feed)
    if reason is not None:
        return TopicVerdict(topic, "filtered", reason, query_holds, found)
    matched = evaluate(compiled.query, hay)
    if matched is None and near:
        matched = Match(terms=(), in_title=False, score=0)
    if matched is None:
        return TopicVerdict(topic, "no match", None, query_holds, found)
    held = language_hold(hay.conversation, topic.languages, policy.languages)
    if held is not None:
        return TopicVerdict(topic, "below_min", None, query_holds, found, matched, Score(0, (held,)))
    language = known_language(hay.conversation, topic.languages, policy.languages)
    words, model = learned.words.get(topic.name), learned.models.get(topic.name)
    result = score(hay.conversation, matched, at, policy, language, dismissed=words, topic=topic, model=model)
    outcome = "alert" if result.value >= topic.min_score else "below_min"
    return TopicVerdict(topic, outcome, None, query_holds, found, matched, result)


def explain_item(
    stored: StoredConversation, topics: Sequence[Topic], policy: ScoringPolicy, learned: Learned = NOTHING_LEARNED
) -> tuple[str, tuple[TopicVerdict, ...]]:
    """The item's language and every topic's verdict on it (disabled topics included, marked so), with what the
    topics ``learned`` from the team's feedback: pure."""
    hay = Haystack(stored.conversation, stored.feed)
    compiled = _compiled(topics)
    near: set[str] = set()
    if policy.meaning is not None and any(t.without_keyword for t in topics):
        # Found without a keyword: decided among every enabled topic at once, as the poller decides it.
        index = TopicIndex([c for c in compiled if c.topic.enabled], policy.meaning)
        near = {t.name for t, m in index.match(stored.conversation, stored.feed) if not m.terms}
    at = stored.first_seen_at
    verdicts = tuple(explain_topic(c, hay, at, policy, c.topic.name in near, learned) for c in compiled)
    return hay.language, verdicts


def thread_line(conversation: Conversation) -> str | None:
    """The conversation's thread state as the scoring reads it, in plain words ("solved: it has an accepted
    answer", "locked: replies are off"); None when the thread is open."""
    found = thread_state(conversation)
    return describe(found, conversation.source) if found is not None else None


def _compiled(topics: Sequence[Topic]) -> list[CompiledTopic]:
    """Every topic compiled, disabled ones included; one whose stored query the parser now refuses is left out,
    as matching leaves it out (with a warning), so the other topics are still explained."""
    compiled: list[CompiledTopic] = []
    for topic in topics:
        try:
            compiled.append(compile_topic(topic))
        except InvalidQuery as exc:
            log.warning("topic %s is not explained: %s; remove it and add it again, corrected", topic.name, exc)
    return compiled


class Explainer:
    """The `explain` use case: find the item, re-run the pipeline's decisions on it, gather its alerts."""

    def __init__(self, store: StoreOf[ExplainUnit], clock: Clock, scoring: ScoringPolicy | None = None) -> None:
        self.store = store
        self.clock = clock
        self.scoring = scoring or ScoringPolicy()

    async def explain(self, target: str) -> Explanation:
        """Explain an alert (its id) or a conversation (its URL, in any form that canonicalises to a stored one)."""
        target = target.strip()
        asked: int | None = None
        async with self.store.unit() as unit:
            if target.isdigit():
                asked = int(target)
                # An id past what the database can hold names no alert (and must not reach the driver).
                stored = await unit.find_conversation(alert_id=asked) if asked <= MAX_ID else None
                if stored is None:
                    raise NotFound(f"there is no alert {asked}; `earshot alerts list` shows the recent ones")
            elif "://" in target:
                stored = await unit.find_conversation(url=target)
                if stored is None:
                    raise NotFound(
                        f"no stored conversation at {target}; Earshot knows only items its feeds brought in "
                        "(`earshot feeds test` shows what a feed holds now)"
                    )
            else:
                raise ConfigError(f"{target!r} is neither an alert id nor a URL; give e.g. 42 or https://...")
            topics = await unit.list_topics()
            alerts = await unit.list_alerts(conversation_id=stored.id, limit=1000)
            texts = await unit.feedback_texts(self.clock() - FEEDBACK_WINDOW, FEEDBACK_TEXTS)
        learned = Learned(learn_all(texts), team_models(self.scoring.meaning, texts, topics))
        language, verdicts = explain_item(stored, topics, self.scoring, learned)
        return Explanation(stored, language, verdicts, tuple(alerts), asked, thread_line(stored.conversation))


MAX_ID = 2**63 - 1
"""The largest id a database column can hold (a signed 64-bit integer): a bigger one names no alert."""
