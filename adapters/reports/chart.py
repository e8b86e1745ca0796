"""The report chart: per topic, alerts, claims and replies per day, as grouped bars in one PNG.

matplotlib draws with the Agg backend (no display, safe in threads and servers); the figure is closed after use.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # after choosing the backend

from bot.stats import DayCount, Report, by_topic

MAX_TOPICS = 6  # more panels than this are unreadable; the rest are summed as "other topics"
SERIES = (("alerts", "Alerts", "#9db4d3"), ("claimed", "Claimed", "#3b6fb6"), ("replied", "Replied", "#e07b39"))


def _days(report: Report) -> list[date]:
    """Every day of the period; the last one only if something happened on it (a week ending Monday 09:00 would
    otherwise end on an empty Monday)."""
    first, last = report.stats.since.date(), report.stats.until.date()
    count = max(1, (last - first).days + 1)
    days = [first + timedelta(days=n) for n in range(count)]
    if len(days) > 1 and not any(p.day == days[-1] for p in report.series):
        days.pop()
    return days


def _panels(series: tuple[DayCount, ...]) -> list[tuple[str, dict[date, DayCount]]]:
    """Topics with the most alerts first; past MAX_TOPICS, one summed panel."""
    topics = by_topic(series)
    ranked = sorted(topics, key=lambda name: (-sum(p.alerts for p in topics[name]), name))
    panels = [(name, {p.day: p for p in topics[name]}) for name in ranked[: MAX_TOPICS - 1]]
    rest = ranked[MAX_TOPICS - 1 :]
    if len(rest) == 1:
        panels.append((rest[0], {p.day: p for p in topics[rest[0]]}))
    elif rest:
        summed: dict[date, DayCount] = {}
        for name in rest:
            for p in topics[name]:
                old = summed.get(p.day, DayCount(p.day, "other", 0, 0, 0))
                summed[p.day] = DayCount(
                    p.day, "other", old.alerts + p.alerts, old.claimed + p.claimed, old.replied + p.replied
                )
        panels.append((f"{len(rest)} other topics", summed))
    return panels


def render_chart(report: Report) -> bytes | None:
    """The chart as PNG bytes, or None when the period has no alerts."""
    panels = _panels(report.series)
    if not panels:
        return None
    days = _days(report)
    figure = Figure(figsize=(10, 1.0 + 2.4 * len(panels)), dpi=100, layout="constrained")
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    width = 0.27
    for ax, (name, points) in zip(axes, panels, strict=True):
        for offset, (field, label, colour) in enumerate(SERIES):
            values = [getattr(points[d], field) if d in points else 0 for d in days]
            xs = [i + (offset - 1) * width for i in range(len(days))]
            ax.bar(xs, values, width=width, label=label, color=colour)
        alerts, claimed, replied = (sum(getattr(p, f) for p in points.values()) for f, _, _ in SERIES)
        title = f"{name}: {alerts} alert{'s' if alerts != 1 else ''} · {claimed} claimed · {replied} replied"
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_ylabel("per day")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].set_xticks(range(len(days)), [f"{d:%a}\n{d:%d %b}" for d in days])
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside upper right", ncols=3, frameon=False)
    figure.suptitle(report.title, fontsize=13, x=0.02, ha="left")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
