"""What items would become, topic by topic: the poller's own matching and decision, nothing stored.

`earshot feeds test` asks it of a feed's items now; `earshot topics preview` of the items stored in the last days,
each scored as it was when first seen, against a draft topic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from earshot.bot.domain import Conversation, DeliveryState, Match, Topic
from earshot.bot.finding.explain import explain_topic
from earshot.bot.finding.matching import Haystack, TopicIndex, compile_topics
from earshot.bot.finding.polling import decide
from earshot.bot.finding.scoring import Reason, ScoringPolicy, top_reasons
from earshot.bot.finding.team_model import TeamModel

POSTED = "posted"
BELOW_MIN = "below_min"
FILTERED = "filtered"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One topic's decision on one item: posted, held below ``min_score`` (with the score), or filtered out (why)."""

    topic: Topic
    outcome: str
    score: int | None = None
    match: Match | None = None
    reason: str | None = None
    reasons: tuple[Reason, ...] = ()  # the score's strongest reasons, in the order people read them


@dataclass(frozen=True, slots=True)
class ItemPreview:
    """One item and every topic's verdict on it (empty when it matches no topic)."""

    item: Conversation
    verdicts: tuple[Verdict, ...]

    @property
    def outcome(self) -> str | None:
        """posted when any topic posts it; else below_min or filtered (the first such verdict); None: no topic."""
        if any(v.outcome == POSTED for v in self.verdicts):
            return POSTED
        return self.verdicts[0].outcome if self.verdicts else None


def preview(
    items: Sequence[Conversation],
    feed: str,
    topics: Sequence[Topic],
    now: datetime,
    scoring: ScoringPolicy,
    learned: Mapping[str, Mapping[str, float]] | None = None,
    models: Mapping[str, TeamModel] | None = None,
) -> list[ItemPreview]:
    """Each item's verdicts, as the poller would decide them now for the feed named ``feed`` (``learned`` and
    ``models``: what each topic learned from the team's feedback, by words and by meaning, as the poller holds it)."""
    return preview_each(((item, feed, now) for item in items), topics, scoring, learned, models)


def preview_each(
    items: Iterable[tuple[Conversation, str, datetime]],
    topics: Sequence[Topic],
    scoring: ScoringPolicy,
    learned: Mapping[str, Mapping[str, float]] | None = None,
    models: Mapping[str, TeamModel] | None = None,
) -> list[ItemPreview]:
    """Each item's verdicts, given as (item, the feed that brought it, when it is decided): stored items are
    decided as of when they were first seen, so what a draft topic *would have* posted is what the poller would
    have posted then."""
    learned, models = learned or {}, models or {}
    compiled = compile_topics(topics)
    index = TopicIndex(compiled, scoring.meaning)
    out = []
    for item, feed, now in items:
        verdicts = []
        matched = index.match(item, feed)
        for topic, found in matched:
            words, model = learned.get(topic.name), models.get(topic.name)
            result, state = decide(item, topic, found, now, scoring, words, model)
            outcome = POSTED if state == DeliveryState.PENDING else BELOW_MIN
            verdicts.append(Verdict(topic, outcome, result.value, found, reasons=top_reasons(result)))
        taken = {topic.name for topic, _ in matched}
        hay = Haystack(item, feed)
        for each in compiled:
            if each.topic.name in taken or each.filter is None:
                continue
            # A topic whose words are there but whose filters (authors, sources) turn the item away.
            verdict = explain_topic(each, hay, now, scoring)
            if verdict.outcome == "filtered" and verdict.query_holds:
                verdicts.append(Verdict(each.topic, FILTERED, reason=verdict.filtered))
        out.append(ItemPreview(item, tuple(verdicts)))
    return out
