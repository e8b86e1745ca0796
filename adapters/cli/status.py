"""`earshot status`: how the feeds and the outbox are doing, as a table for people or JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from earshot.adapters.cli.views import duration, feed_status, table
from earshot.adapters.settings.redact import mask_url
from earshot.adapters.sources import usage
from earshot.bot.domain import FeedState
from earshot.bot.ports import Backlog, DayUsage
from earshot.bot.text import age, excerpt


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def status_data(
    states: Sequence[FeedState],
    backlog: Backlog,
    default_channel: str,
    now: datetime,
    thread_usage: Sequence[DayUsage] = (),
) -> dict[str, Any]:
    """Everything `status` shows, as plain JSON-ready data. ``usage_today`` is a feed's polls' use of a metered API
    on the service's day (UTC; YouTube's is Pacific Time); ``thread_reads_today`` what reading threads (summaries,
    participation checks) spent, per kind, on the UTC day."""
    feeds = [
        {
            "name": s.feed.name,
            "kind": s.feed.kind,
            "state": feed_status(s),
            "consecutive_failures": s.consecutive_failures,
            "last_polled_at": _iso(s.last_polled_at),
            "last_success_at": _iso(s.last_success_at),
            "next_poll_at": _iso(s.next_poll_at),
            "last_error": s.last_error,
            "target": mask_url(s.feed.url) if s.feed.url else s.feed.query,
            "usage_today": usage.today(s.cursor, now) or None,
        }
        for s in states
    ]
    by_channel: dict[str, int] = {}
    for channel, count in backlog.by_channel.items():
        name = channel or default_channel
        by_channel[name] = by_channel.get(name, 0) + count
    return {
        "at": now.isoformat(),
        "feeds": feeds,
        "feeds_failing": sum(1 for s in states if s.consecutive_failures),
        "thread_reads_today": {u.kind: dict(u.counts) for u in thread_usage if u.day == now.date()},
        "backlog": {
            "total": sum(by_channel.values()),
            "by_channel": dict(sorted(by_channel.items())),
            "oldest_created_at": _iso(backlog.oldest),
        },
        "delivery_errors": [
            {
                "alert_id": p.alert_id,
                "topic": p.topic,
                "channel": p.channel or default_channel,
                "attempts": p.attempts,
                "error": p.error,
                "next_attempt_at": _iso(p.next_attempt_at),
            }
            for p in backlog.problems
        ],
    }


def status_json(data: dict[str, Any]) -> str:
    """`status --json`."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def status_text(
    states: Sequence[FeedState],
    backlog: Backlog,
    default_channel: str,
    now: datetime,
    thread_usage: Sequence[DayUsage] = (),
) -> str:
    """`status`: feeds with their state and last error, the backlog by channel, the latest delivery errors."""
    data = status_data(states, backlog, default_channel, now, thread_usage)
    lines = [f"feeds: {len(states)}, {data['feeds_failing']} failing"]
    rows = []
    for s in states:
        when = s.next_poll_at
        next_try = "now" if when is None or when <= now else f"in {duration(int((when - now).total_seconds()))}"
        rows.append(
            [
                s.feed.name,
                s.feed.kind,
                feed_status(s),
                age(s.last_success_at, now) or "never",
                next_try,
                excerpt(s.last_error or "", 90),
            ]
        )
    if rows:
        lines.append(table(["FEED", "KIND", "STATE", "LAST OK", "NEXT", "LAST ERROR"], rows))
    spent = [(f["name"], f["usage_today"]) for f in data["feeds"] if f["usage_today"]]
    spent += [(f"{kind} thread reads", u) for kind, u in data["thread_reads_today"].items()]
    if spent:
        lines.append("")
        lines.append("metered API use today (polls: the service's day, YouTube's in Pacific Time; thread reads: UTC):")
        lines.append(table(["FEED", "USE"], [[name, ", ".join(f"{n} {k}" for k, n in u.items())] for name, u in spent]))
    total = data["backlog"]["total"]
    oldest = f", oldest {age(backlog.oldest, now)}" if backlog.oldest else ""
    lines.append("")
    lines.append(f"undelivered alerts: {total}{oldest}")
    if total:
        lines.append(
            table(["CHANNEL", "WAITING"], [[f"#{c}", str(n)] for c, n in data["backlog"]["by_channel"].items()])
        )
    if backlog.problems:
        lines.append("")
        lines.append("last delivery errors:")
        lines.append(
            table(
                ["ALERT", "TOPIC", "CHANNEL", "ATTEMPTS", "NEXT TRY", "ERROR"],
                [
                    [
                        str(p.alert_id),
                        p.topic,
                        f"#{p.channel or default_channel}",
                        str(p.attempts),
                        "now"
                        if p.next_attempt_at is None or p.next_attempt_at <= now
                        else f"in {duration(int((p.next_attempt_at - now).total_seconds()))}",
                        excerpt(p.error, 90),
                    ]
                    for p in backlog.problems
                ],
            )
        )
    return "\n".join(lines)
