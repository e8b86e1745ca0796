"""The team's numbers over a period: per person, topic, source and community, and the weekly report built on them.

The store computes the counts (in SQL); this module holds their shape and turns them into plain text.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from earshot.bot.followup.manners import manners_lines
from earshot.bot.records import DayCount, Stats, StatsRow
from earshot.bot.records import Report as Report  # re-exported: the reports' callers know it from here

__all__ = [
    "STALE_AFTER",
    "DayCount",
    "Report",
    "Stats",
    "StatsRow",
    "by_topic",
    "headline",
    "median",
    "outcome_words",
    "percent",
    "report_period",
    "report_text",
    "row_line",
    "span",
    "stats_text",
]

STALE_AFTER = timedelta(days=1)
"""An alert nobody claimed for this long went stale: the conversation has likely moved on."""


def median(values: Iterable[timedelta]) -> timedelta | None:
    """The median of some durations, or None when there are none."""
    seconds = [v.total_seconds() for v in values]
    return timedelta(seconds=statistics.median(seconds)) if seconds else None


def percent(rate: float | None) -> str:
    """ "40%", or "-" when there is nothing to divide by."""
    return "-" if rate is None else f"{round(100 * rate)}%"


def span(value: timedelta | None) -> str:
    """A duration for people: "25 min", "3 h", "2 days", or "-"."""
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    if seconds < 3600:
        return f"{max(0, seconds) // 60} min"
    if seconds < 2 * 86400:
        hours = seconds / 3600
        return f"{hours:.1f} h".replace(".0 h", " h")
    return f"{seconds // 86400} days"


def outcome_words(outcomes: Mapping[str, int]) -> str:
    """ "replied 3 · lead 1 · conference talk 1", most first."""
    ordered = sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0]))
    return " · ".join(f"{k.replace('_', ' ')} {n}" for k, n in ordered if n)


def row_line(row: StatsRow, *, person: bool = False) -> str:
    """One group's numbers in a line."""
    if person:
        parts = [f"{row.claimed} claimed", f"claims in {span(row.claim_median)}"]
    else:
        parts = [
            f"{row.alerts} alert{'s' if row.alerts != 1 else ''}",
            f"{row.claimed} claimed ({percent(row.claim_rate)})",
        ]
    parts += [f"replied {row.replied} ({percent(row.reply_rate)})", f"answered {row.responded}"]
    if not person and row.stale:
        parts.append(f"{row.stale} went stale")
    extra = outcome_words(row.outcomes)
    if extra:
        parts.append(f"recorded: {extra}")
    return ", ".join(parts)


def headline(stats: Stats, period: str) -> list[str]:
    """The totals, in two or three lines (one when nothing was posted): what every report starts with."""
    day = stats.since.strftime("%Y-%m-%d")
    total = stats.total
    if not total.alerts:
        return [f"No alerts were posted since {day} ({period})."]
    lines = [
        f"Since {day} ({period}): {total.alerts} alert{'s' if total.alerts != 1 else ''}, "
        f"{total.claimed} claimed ({percent(total.claim_rate)}), median time to claim {span(total.claim_median)}",
        f"Replied to {total.replied} ({percent(total.reply_rate)} of claimed), {total.responded} got answers "
        f"({percent(total.response_rate)} of replies); {total.stale} unclaimed went stale",
    ]
    if total.outcomes:
        lines.append(f"Recorded outcomes: {outcome_words(total.outcomes)}")
    return lines


def stats_text(stats: Stats, period: str, names: Mapping[str, str] | None = None, *, top: int = 10) -> str:
    """The numbers in a few lines of plain text, for chat and the terminal."""
    names = names or {}
    lines = headline(stats, period)
    if not stats.total.alerts:
        return lines[0]
    for title, rows, person in (
        ("By topic", stats.topics, False),
        ("By person", stats.people, True),
        ("By source", stats.sources, False),
        ("By community", stats.communities, False),
    ):
        if not rows or (title == "By community" and len(rows) < 2):
            continue
        lines.append(f"{title}:")
        ordered = sorted(rows, key=lambda r: (-r.alerts, r.key))[:top]
        for row in ordered:
            label = names.get(row.key, row.key) if person else row.key
            lines.append(f"  {label}: {row_line(row, person=person)}")
    return "\n".join(lines)


def report_period(report: Report) -> str:
    """The report's period as written: "30d"."""
    return f"{max(1, round((report.stats.until - report.stats.since) / timedelta(days=1)))}d"


def report_text(report: Report) -> str:
    """A report's numbers as plain text (its title is the caller's to show)."""
    text = stats_text(report.stats, report_period(report), report.names)
    extra = manners_lines(report.manners) if report.stats.total.alerts else []
    return "\n".join([text, *extra])


def by_topic(series: Sequence[DayCount]) -> dict[str, list[DayCount]]:
    """The series split per topic, each by day."""
    out: dict[str, list[DayCount]] = {}
    for point in sorted(series, key=lambda p: (p.topic, p.day)):
        out.setdefault(point.topic, []).append(point)
    return out
