"""`earshot topics show` and `earshot topics preview`: one topic whole, and what a draft topic would have done."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import timedelta

from earshot.adapters.cli.app import App
from earshot.adapters.cli.builders import utc_now
from earshot.adapters.cli.topicargs import topic_from_args
from earshot.bot.actions.topics_and_feeds import check_topic
from earshot.bot.domain import Topic
from earshot.bot.errors import ConfigError
from earshot.bot.finding.feedback import FEEDBACK_TEXTS, FEEDBACK_WINDOW, learn_all
from earshot.bot.finding.preview import FILTERED, POSTED, ItemPreview, Verdict, preview_each
from earshot.bot.finding.team_model import team_models
from earshot.bot.text import clean, excerpt

PREVIEW_ITEMS = 5000
"""The most stored items a preview reads (the newest): enough for a week of a busy deployment, quick to score."""


def topic_text(topic: Topic, default_channel: str, team_languages: Sequence[str] = ()) -> str:
    """topics show: every part of the topic, what it means included, one per line."""
    languages = ", ".join(topic.languages) if topic.languages else None
    if languages is None:
        languages = f"the team's ({', '.join(team_languages)})" if team_languages else "any"
    origin = "the config file" if topic.origin == "config" else "a command"
    lines = [
        f"{topic.name} ({'on' if topic.enabled else 'off'}, from {origin})",
        f"  query:      {topic.query}",
        f"  channel:    #{topic.channel or default_channel}",
        f"  min score:  {topic.min_score}",
        f"  languages:  {languages}",
    ]
    if topic.exclude_authors:
        lines.append(f"  not by:     {', '.join(topic.exclude_authors)}")
    if topic.exclude_sources:
        lines.append(f"  not from:   {', '.join(topic.exclude_sources)}")
    lines.append(f"  about:      {topic.about or '(not said; add it with --about)'}")
    lines.append(
        "  matching:   "
        + ("the query, and items close in meaning without a keyword" if topic.without_keyword else "the query only")
    )
    for title, posts in (("examples", topic.examples), ("not worth joining", topic.counter_examples)):
        if posts:
            lines.append(f"  {title}:")
            lines += [f"    - {post}" for post in posts]
    if topic.accept:
        lines.append(f"  accept:     {topic.accept}")
    return "\n".join(lines)


def _verdict_line(verdict: Verdict) -> str:
    if verdict.outcome == FILTERED:
        return f"filtered: {verdict.reason}"
    why = " · ".join(r.label for r in verdict.reasons)
    if verdict.outcome == POSTED:
        return f"score {verdict.score}: {why}" if why else f"score {verdict.score}"
    if verdict.reasons and verdict.reasons[0].weight <= -100:
        return f"held: {verdict.reasons[0].label}"  # held whatever the score: the language, the team's own post
    return f"score {verdict.score}, below min score {verdict.topic.min_score}" + (f": {why}" if why else "")


def preview_report(draft: Topic, previews: Sequence[ItemPreview], days: int, limit: int) -> str:
    """What the draft would have posted and held among the items stored in the last ``days``, with scores and
    reasons, totals that add up."""
    posted: list[tuple[ItemPreview, Verdict]] = []
    held: list[tuple[ItemPreview, Verdict]] = []
    for item in previews:
        for verdict in item.verdicts:
            if verdict.topic.name == draft.name:
                (posted if verdict.outcome == POSTED else held).append((item, verdict))
    none = len(previews) - len(posted) - len(held)
    span = f"the last {days} day{'' if days == 1 else 's'}"
    lines = [
        f"draft topic {draft.name}: {draft.query} (min score {draft.min_score}); nothing saved",
        f"{len(previews)} items stored in {span}: {len(posted)} would have been posted, {len(held)} held, "
        f"{none} not matched",
    ]
    for title, rows in (("WOULD HAVE BEEN POSTED", posted), ("HELD", held)):
        if not rows:
            continue
        rows.sort(key=lambda row: -(row[1].score or 0))
        lines += ["", title]
        for item, verdict in rows[:limit]:
            lines.append(f"  {excerpt(clean(item.item.title), 90)}")
            lines.append(f"    {_verdict_line(verdict)}")
            lines.append(f"    {item.item.url}")
        if len(rows) > limit:
            lines.append(f"  ... and {len(rows) - limit} more (--limit shows more)")
    if not previews:
        lines.append("nothing stored in that time: `earshot run` stores what the feeds bring; try more --days")
    return "\n".join(lines)


async def preview(app: App, args: argparse.Namespace) -> str:
    """topics preview: the draft topic tried on the stored items of the last --days, scored as when first seen."""
    if not 1 <= args.days <= 365:
        raise ConfigError(f"--days {args.days}: give a whole number of days from 1 to 365")
    if not 1 <= args.limit <= 1000:
        raise ConfigError(f"--limit {args.limit}: give a whole number from 1 to 1000")
    draft = topic_from_args(args)
    check_topic(draft)
    now = utc_now()
    async with app.store.unit() as unit:
        stored = await unit.recent_conversations(now - timedelta(days=args.days), PREVIEW_ITEMS)
        texts = await unit.feedback_texts(now - FEEDBACK_WINDOW, FEEDBACK_TEXTS)
    items = ((s.conversation, s.feed, s.first_seen_at) for s in stored)
    scoring = app.scoring()
    models = team_models(scoring.meaning, texts, [draft])
    previews = preview_each(items, [draft], scoring, learn_all(texts), models)
    return preview_report(draft, previews, args.days, args.limit)
