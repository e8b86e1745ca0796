"""Plain-text views for the CLI: tables and summaries a person reads in a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.settings import Settings
from adapters.settings.durations import format_size
from adapters.settings.redact import mask_url
from adapters.storage import describe_url
from bot.catalog import derive_feed_name
from bot.delivery import DeliveryReport
from bot.domain import Conversation, Feed, FeedState, Match, Topic
from bot.polling import PollReport
from bot.text import age, clean, excerpt


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


def derive_name(kind: str, target: str | None) -> str:
    """A feed name from its target: the host of a URL, or the search words."""
    return derive_feed_name(kind, target)


def topics_table(topics: Sequence[Topic], default_channel: str) -> str:
    """topics list."""
    if not topics:
        return "no topics yet; add one: earshot topics add vector-db '\"vector database\" OR pgvector'"
    rows = [
        [t.name, f"#{t.channel or default_channel}", "on" if t.enabled else "off", t.origin, str(t.min_score), t.query]
        for t in topics
    ]
    return table(["NAME", "CHANNEL", "STATE", "FROM", "MIN SCORE", "QUERY"], rows)


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
        target = mask_url(f.url) if f.url else f.query or "(all new items)"
        when = s.next_poll_at
        next_try = "now" if when is None or when <= now else f"in {duration(int((when - now).total_seconds()))}"
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
    """A feed's URL with its secrets masked, or its search words."""
    return mask_url(feed.url) if feed.url else feed.query or ""


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
    lines += [f"  delivery error: {e}" for e in dict.fromkeys(delivery.errors)]
    return "\n".join(lines)


def feed_test_report(
    feed: Feed,
    items: Sequence[Conversation],
    matches: Sequence[tuple[Conversation, list[tuple[Topic, Match]]]],
    now: datetime,
) -> str:
    """feeds test: what the feed holds and what would alert."""
    hits = [(item, found) for item, found in matches if found]
    lines = [f"{feed.name} ({feed.kind}): {len(items)} items, {len(hits)} would alert"]
    for item, found in hits[:30]:
        topics = ", ".join(f"{t.name} [{', '.join(m.terms)}]" for t, m in found)
        lines.append(
            f"  ALERT {topics}: {excerpt(clean(item.title), 90)} ({age(item.created_at, now)})\n        {item.url}"
        )
    if not hits:
        lines += [f"  {excerpt(clean(i.title), 90)} ({age(i.created_at, now)})" for i in items[:10]]
        if len(items) > 10:
            lines.append(f"  ... and {len(items) - 10} more")
    return "\n".join(lines)


def config_summary(settings: Settings) -> str:
    """check-config: what the file holds, secrets masked."""
    s = settings
    chat = f"{s.chat.platform} (default channel #{s.chat.channel})"
    lines = [
        f"config {s.path}: ok",
        f"  database: {describe_url(s.database_url)}",
        f"  chat: {chat}",
        f"  fetch: allow_private={list(s.fetch.allow_private)}, deadline {s.fetch.deadline:g}s, "
        f"body cap {format_size(s.fetch.max_body)}",
        f"  {len(s.feeds)} feeds:",
    ]
    lines += [f"    {f.name}: {f.kind} every {duration(f.every.total_seconds())} {_target(f)}" for f in s.feeds]
    lines.append(f"  {len(s.topics)} topics:")
    lines += [f"    {t.name}: {t.query} -> #{t.channel or s.chat.channel}" for t in s.topics]
    return "\n".join(lines)
