"""Plain-text views for the CLI: tables and summaries a person reads in a terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from earshot.adapters.settings import Settings
from earshot.adapters.settings.durations import format_duration, format_size
from earshot.adapters.settings.redact import mask_url
from earshot.adapters.storage import describe_url
from earshot.bot.delivering.outbox import DeliveryReport
from earshot.bot.domain import Feed, FeedState, Topic
from earshot.bot.finding.polling import PollReport
from earshot.bot.finding.preview import BELOW_MIN, FILTERED, POSTED, ItemPreview, Verdict
from earshot.bot.followup.retention import RetentionPolicy
from earshot.bot.text import age, clean, excerpt


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def duration(seconds: float) -> str:
    """90 → "90s", 120 → "2m", 3600 → "1h"."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def topics_table(topics: Sequence[Topic], default_channel: str) -> str:
    """topics list."""
    if not topics:
        return "no topics yet; add one: earshot topics add vector-db '\"vector database\" OR pgvector'"
    rows = [
        [
            t.name,
            f"#{t.channel or default_channel}",
            "on" if t.enabled else "off",
            t.origin,
            str(t.min_score),
            t.query + topic_filters(t),
        ]
        for t in topics
    ]
    return table(["NAME", "CHANNEL", "STATE", "FROM", "MIN SCORE", "QUERY"], rows)


def topic_filters(topic: Topic) -> str:
    """The topic's filters and what it says it means, after its query: " [lang en,de; not by bob; not from reddit;
    about; 2 examples; without keyword]", or "" (`topics show` shows them whole)."""
    parts = []
    if topic.languages:
        parts.append("lang " + ",".join(topic.languages))
    if topic.exclude_authors:
        parts.append("not by " + ",".join(topic.exclude_authors))
    if topic.exclude_sources:
        parts.append("not from " + ",".join(topic.exclude_sources))
    if topic.about:
        parts.append("about")
    for n, what in ((len(topic.examples), "example"), (len(topic.counter_examples), "counter example")):
        if n:
            parts.append(f"{n} {what}{'' if n == 1 else 's'}")
    if topic.without_keyword:
        parts.append("without keyword")
    if topic.accept:
        parts.append("accept")
    return f" [{'; '.join(parts)}]" if parts else ""


def feed_status(state: FeedState) -> str:
    """ok, new, or failing with the count."""
    if not state.feed.enabled:
        return "disabled"
    if state.consecutive_failures:
        return f"failing ({state.consecutive_failures}x)"
    return "ok" if state.seeded else "new"


def feeds_table(states: Sequence[FeedState], now: datetime) -> str:
    """feeds list, with the polling state: last success, next try, last error."""
    if not states:
        return "no feeds yet; add one: earshot feeds add rss https://blog.rust-lang.org/feed.xml"
    rows = []
    for s in states:
        f = s.feed
        target = _target(f)
        when = s.next_poll_at
        wait = int((when - now).total_seconds()) if when is not None else 0
        next_try = f"in {duration(wait)}" if wait >= 1 else "now"  # never "in 0s"
        rows.append(
            [
                f.name,
                f.kind,
                duration(f.every.total_seconds()),
                feed_status(s),
                age(s.last_success_at, now) or "never",
                next_try,
                target,
                excerpt(s.last_error or "", 80),
            ]
        )
    return table(["NAME", "KIND", "EVERY", "STATE", "LAST OK", "NEXT", "TARGET", "LAST ERROR"], rows)


def _target(feed: Feed) -> str:
    """Where a feed reads: a subreddit, its URL with secrets masked, its search words; or "(all new items)"."""
    where = f"r/{feed.options['subreddit']}" if isinstance(feed.options.get("subreddit"), str) else None
    return " ".join(filter(None, [where, mask_url(feed.url) if feed.url else None, feed.query])) or "(all new items)"


def once_summary(polls: Sequence[PollReport], delivery: DeliveryReport, left: int) -> str:
    """What `run --once` did, feed by feed."""
    lines = []
    for p in polls:
        if p.ok:
            note = " (first poll: recorded, no alerts)" if p.seeded else " (not modified)" if p.not_modified else ""
            lines.append(f"feed {p.feed}: ok, {p.fetched} fetched, {p.new} new, {p.alerts} alerts{note}")
        else:
            lines.append(f"feed {p.feed}: FAILED: {p.error}")
    failed = sum(1 for p in polls if not p.ok)
    lines.append(
        f"{len(polls)} feeds polled, {failed} failed; {delivery.delivered} alerts delivered, "
        f"{delivery.failed} delivery failures, {left} waiting"
    )
    if delivery.held or delivery.digests:
        lines.append(
            f"flood guard: {delivery.held} alerts held over the hourly cap; "
            f"{delivery.digests} digests posted with {delivery.digested} alerts"
        )
    lines += [f"  delivery error: {e}" for e in dict.fromkeys(delivery.errors)]
    return "\n".join(lines)


def feed_test_report(feed: Feed, previews: Sequence[ItemPreview], now: datetime, notes: Sequence[str] = ()) -> str:
    """feeds test: each item that matches a topic with its score and whether `run` would post or hold it, totals
    that add up, and the source's notes on how the feed was read."""
    counts = Counter(p.outcome for p in previews)
    held = counts[BELOW_MIN] + counts[FILTERED]
    why = ", ".join(
        f"{n} {what}" for n, what in ((counts[BELOW_MIN], "below min_score"), (counts[FILTERED], "filtered")) if n
    )
    items = f"{len(previews)} item{'' if len(previews) == 1 else 's'}"
    head = f"{feed.name} ({feed.kind}): {items}: {counts[POSTED]} would be posted, {held} held"
    head += f" ({why})" if why else ""
    head += f", {counts[None]} match no topic" if counts[None] else ""
    lines = [head]
    lines += [f"  note: {note}" for note in notes]
    matched = [p for p in previews if p.verdicts]
    for p in matched[:30]:
        lines.append(f"  {excerpt(clean(p.item.title), 90)} ({age(p.item.created_at, now) or 'no date'})")
        lines += [f"    {verdict_line(v)}" for v in p.verdicts]
        lines.append(f"    {p.item.url}")
    if len(matched) > 30:
        lines.append(f"  ... and {len(matched) - 30} more that match a topic")
    if not matched:
        rest = [p.item for p in previews]
        lines += [f"  {excerpt(clean(i.title), 90)} ({age(i.created_at, now) or 'no date'})" for i in rest[:10]]
        if len(rest) > 10:
            lines.append(f"  ... and {len(rest) - 10} more")
    return "\n".join(lines)


def verdict_line(verdict: Verdict) -> str:
    """POST / HELD for one topic, with the score against its min_score, the words found and the score's reasons,
    or why it is held whatever its score (its language, a filter)."""
    t = verdict.topic
    if verdict.outcome == FILTERED:
        return f"HELD  {t.name}: filtered ({verdict.reason})"
    if verdict.reasons and verdict.reasons[0].weight <= -100:  # the language, the team's own post
        return f"HELD  {t.name}: {verdict.reasons[0].label}"
    terms = f" [{', '.join(verdict.match.terms)}]" if verdict.match is not None else ""
    why = " · ".join(r.label for r in verdict.reasons)
    why = f": {why}" if why else ""
    if verdict.outcome == POSTED:
        return f"POST  {t.name}: score {verdict.score} (min_score {t.min_score}){terms}{why}"
    return f"HELD  {t.name}: score {verdict.score}, below min_score {t.min_score}{terms}{why}"


def config_summary(settings: Settings) -> str:
    """check-config: what the file holds, secrets masked."""
    s = settings
    chat = f"{s.chat.platform} (default channel #{s.chat.channel})"
    if s.chat.platform == "slack":
        where = "Socket Mode" if s.slack.mode == "socket" else f"HTTP mode on port {s.slack.port}, path /slack/events"
        chat += f", {where}, follow-ups after {duration(s.slack.follow_up_after.total_seconds())}"
    lines = [
        f"config {s.path}: ok",
        f"  database: {describe_url(s.database_url)}",
        f"  chat: {chat}",
        f"  fetch: allow_private={list(s.fetch.allow_private)}, deadline {s.fetch.deadline:g}s, "
        f"body cap {format_size(s.fetch.max_body)}",
    ]
    if s.delivery.max_per_hour:
        lines.append(
            f"  flood guard: at most {s.delivery.max_per_hour} alerts per channel per hour, the rest in a digest"
        )
    lines += [f"  {len(s.feeds)} feeds:"]
    lines += [f"    {f.name}: {f.kind} every {duration(f.every.total_seconds())} {_target(f)}" for f in s.feeds]
    lines.append(f"  {len(s.topics)} topics:")
    lines += [f"    {t.name}: {t.query}{topic_filters(t)} -> #{t.channel or s.chat.channel}" for t in s.topics]
    lines.append(how_it_went_summary(s))
    return "\n".join(lines)


def how_it_went_summary(settings: Settings) -> str:
    """One line on participation checks, the weekly report, claim hygiene, custom outcomes and the team."""
    h = settings.how_it_went
    checks = ", ".join(duration(c.total_seconds()) for c in h.checks) or "none"
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    weekly = f"{days[h.weekly.weekday]} {h.weekly.at:%H:%M} {h.weekly.timezone}" if h.weekly else "off"
    members = len({handle.member for handle in h.team})
    custom = f"; custom outcomes: {', '.join(h.custom_outcomes)}" if h.custom_outcomes else ""
    return (
        f"  how it went: thread checks {checks} after a claim; weekly report {weekly}; claims released after "
        f"{duration(h.release_after.total_seconds())}; {members} teammates with handles in the file{custom}"
    )


def pruned(counts: Mapping[str, int], kept: RetentionPolicy, *, dry_run: bool) -> str:
    """`db prune`: what went (or would go), with how long each kind is kept."""

    def period(value: timedelta | None) -> str:
        return f"kept {format_duration(value)}" if value is not None else "kept forever"

    what = {
        "alerts": ("alerts (with their outcomes, checks and sightings)", kept.alerts),
        "conversations": ("conversations that never became an alert, or whose alert went", kept.conversations),
        "audit": ("audit log entries", kept.audit),
    }
    verb = "would go" if dry_run else "removed"
    rows = [[str(counts.get(kind, 0)), label, period(value)] for kind, (label, value) in what.items()]
    footer = "(a dry run: nothing was removed; `earshot db prune` removes them)" if dry_run else ""
    return "\n".join(filter(None, [f"{verb}:", table(["COUNT", "WHAT", "RETENTION"], rows), footer]))
