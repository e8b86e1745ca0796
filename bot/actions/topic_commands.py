"""What a topic means, in chat: ``/earshot topic add|edit|show|preview`` with ``about:"..."``, ``example:"..."``
and the rest, the same on every platform (ChatActions answers with these).

Changing a topic is for the people allowed to manage topics; showing and previewing (which saves nothing) are for
everyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from earshot.bot.actions.answer import Answer, refused
from earshot.bot.actions.topics_and_feeds import TopicsAndFeeds
from earshot.bot.domain import Topic
from earshot.bot.errors import ConfigError, EarshotError, NotAllowed
from earshot.bot.finding.feedback import FEEDBACK_TEXTS, FEEDBACK_WINDOW, learn_all
from earshot.bot.finding.preview import POSTED, ItemPreview, Verdict, preview_each
from earshot.bot.finding.scoring import ScoringPolicy
from earshot.bot.finding.team_model import team_models
from earshot.bot.ports import Clock, StoreOf
from earshot.bot.ports.storage import Feedback, Lookup
from earshot.bot.text import clean, excerpt

PREVIEW_DAYS = 7
PREVIEW_ITEMS = 5000
"""The most stored items a preview reads (the newest)."""
PREVIEW_SHOWN = 5
"""Items of each kind (posted, held) a chat answer lists; `earshot topics preview` shows more."""
_YES = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


class PreviewUnit(Lookup, Feedback, Protocol):
    """What a preview reads: the stored conversations and what the topics learned from the team."""


class Manager(Protocol):
    """Who asks: their user id and name, and whether they may change topics and feeds."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def may_manage(self) -> bool: ...


def require_manage(member: Manager, what: str) -> None:
    """Refuse a change to topics or feeds by someone who may not make it, saying whom to ask."""
    if not member.may_manage:
        raise NotAllowed(
            f"{member.name}, you may not {what}: changing topics and feeds is for Earshot's admins. "
            "Ask one of them, or ask for /earshot topic list and /earshot feed list."
        )


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a chat command says a topic means; None (or empty for the lists) where it says nothing."""

    about: str | None = None
    examples: tuple[str, ...] | None = None
    counter_examples: tuple[str, ...] | None = None
    without_keyword: bool | None = None
    accept: str | None = None

    def apply(self, topic: Topic) -> Topic:
        """``topic`` with what this says: each part given replaces the topic's; an empty example list clears it."""
        changes: dict[str, Any] = {}
        for key in ("about", "accept"):
            if getattr(self, key) is not None:
                changes[key] = getattr(self, key).strip()
        if self.without_keyword is not None:
            changes["without_keyword"] = self.without_keyword
        for key in ("examples", "counter_examples"):
            values = getattr(self, key)
            if values is not None:
                changes[key] = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
        return replace(topic, **changes)


def yes_or_no(what: str, text: str) -> bool:
    """yes/no (true/false, on/off) as a bool; ConfigError otherwise."""
    value = _YES.get(text.strip().lower())
    if value is None:
        raise ConfigError(f"{what}:{text!r}: write yes or no")
    return value


def whole(what: str, text: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``; ConfigError otherwise."""
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(f"{what}:{text!r}: give a whole number from {low} to {high}")
    return value


def meaning_of(args: Mapping[str, str], lists: Mapping[str, Sequence[str]]) -> Meaning:
    """The meaning a parsed command gives (its ``about:``, ``example:`` ... options)."""
    keyword = args.get("without_keyword")
    examples, counter = lists.get("examples"), lists.get("counter_examples")
    return Meaning(
        about=args.get("about"),
        examples=tuple(examples) if examples is not None else None,
        counter_examples=tuple(counter) if counter is not None else None,
        without_keyword=yes_or_no("without_keyword", keyword) if keyword is not None else None,
        accept=args.get("accept"),
    )


def topic_text(topic: Topic) -> str:
    """A topic whole, for chat: its query, where it posts, and what it means."""
    where = f"#{topic.channel}" if topic.channel else "the default channel"
    lines = [f"{topic.name}{'' if topic.enabled else ' (off)'}: {topic.query} → {where}, min score {topic.min_score}"]
    if topic.languages:
        lines.append(f"Languages: {', '.join(topic.languages)}")
    lines.append(f"About: {topic.about}" if topic.about else 'About: not said yet (topic edit ... about:"...")')
    lines.append(
        "Found by its words and by meaning (no keyword needed)" if topic.without_keyword else "Found by its words"
    )
    lines += [f"Worth joining: {post}" for post in topic.examples]
    lines += [f"Not worth joining: {post}" for post in topic.counter_examples]
    if topic.accept:
        lines.append(f"Accept: {topic.accept}")
    return "\n".join(lines)


def _line(item: ItemPreview, verdict: Verdict) -> str:
    title = excerpt(clean(item.item.title), 80)
    if verdict.reasons and verdict.reasons[0].weight <= -100:
        why = verdict.reasons[0].label
    else:
        why = f"{verdict.score}" + (f": {' · '.join(r.label for r in verdict.reasons)}" if verdict.reasons else "")
    return f"• {title} ({why}) {item.item.url}"


def preview_text(draft: Topic, previews: Sequence[ItemPreview], days: int) -> str:
    """What the draft would have posted and held, the highest scores first, in a few lines."""
    posted = [(p, v) for p in previews for v in p.verdicts if v.topic.name == draft.name and v.outcome == POSTED]
    held = [(p, v) for p in previews for v in p.verdicts if v.topic.name == draft.name and v.outcome != POSTED]
    lines = [
        f"Draft {draft.name} ({draft.query}), tried on {len(previews)} items of the last {days} days: "
        f"{len(posted)} would have been posted, {len(held)} held. Nothing saved."
    ]
    for title, rows in (("Would have been posted", posted), ("Held", held)):
        if rows:
            rows.sort(key=lambda row: -(row[1].score or 0))
            lines.append(f"{title}:")
            lines += [_line(item, verdict) for item, verdict in rows[:PREVIEW_SHOWN]]
            if len(rows) > PREVIEW_SHOWN:
                lines.append(f"… and {len(rows) - PREVIEW_SHOWN} more (earshot topics preview shows them all)")
    return "\n".join(lines)


async def preview_draft(
    store: StoreOf[PreviewUnit], clock: Clock, scoring: ScoringPolicy, draft: Topic, days: int
) -> str:
    """The draft tried on the items stored in the last ``days``, each scored as when first seen."""
    now = clock()
    async with store.unit() as unit:
        stored = await unit.recent_conversations(now - timedelta(days=days), PREVIEW_ITEMS)
        texts = await unit.feedback_texts(now - FEEDBACK_WINDOW, FEEDBACK_TEXTS)
    items = ((s.conversation, s.feed, s.first_seen_at) for s in stored)
    models = team_models(scoring.meaning, texts, [draft])
    return preview_text(draft, preview_each(items, [draft], scoring, learn_all(texts), models), days)


@dataclass(frozen=True, slots=True)
class TopicChange:
    """What ``topic edit`` changes: the query, channel, minimum and meaning given; the rest stays."""

    meaning: Meaning
    query: str | None = None
    channel: str | None = None
    min_score: int | None = None

    def apply(self, topic: Topic) -> Topic:
        """The topic as changed."""
        changes: dict[str, Any] = {}
        if self.query is not None:
            changes["query"] = self.query
        if self.channel is not None:
            changes["channel"] = self.channel.lstrip("#") or None
        if self.min_score is not None:
            changes["min_score"] = self.min_score
        return self.meaning.apply(replace(topic, **changes))


def change_of(args: Mapping[str, str], lists: Mapping[str, Sequence[str]]) -> TopicChange:
    """The change a parsed ``topic edit`` asks for."""
    score = args.get("min_score")
    return TopicChange(
        meaning_of(args, lists),
        query=args.get("query"),
        channel=args.get("channel"),
        min_score=whole("min_score", score, 0, 100) if score is not None else None,
    )


class TopicCommands:
    """The topic commands ChatActions answers beside add, list and remove: edit, show and preview."""

    catalog: TopicsAndFeeds
    store: StoreOf[Any]
    clock: Clock
    scoring: ScoringPolicy

    async def topic_edit(self, member: Manager, name: str, change: TopicChange) -> Answer:
        """Change a topic added at run time (admins only): what is given replaces, the rest stays."""
        try:
            require_manage(member, f"change topic {name!r}")
            topic = await self.catalog.edit_topic(name, change.apply, member.id)
        except EarshotError as exc:
            return refused(exc)
        return Answer(f"{member.name} changed topic {topic.name}:\n{topic_text(topic)}", public=True)

    async def topic_show(self, name: str) -> Answer:
        """One topic whole: its query, where it posts and what it means."""
        try:
            return Answer(topic_text(await self.catalog.topic(name)))
        except EarshotError as exc:
            return refused(exc)

    async def topic_preview(self, draft: Topic, meaning: Meaning | None = None, days: int = PREVIEW_DAYS) -> Answer:
        """What a draft topic would have posted and held among the items of the last ``days``; saves nothing."""
        try:
            topic = meaning.apply(draft) if meaning else draft
            self.catalog.check(topic)
            return Answer(await preview_draft(self.store, self.clock, self.scoring, topic, days))
        except EarshotError as exc:
            return refused(exc)
