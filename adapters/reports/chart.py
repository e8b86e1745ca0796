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
    first, last = report.stats.since.date(), report.stats.until.date()
    count = max(1, (last - first).days + 1)
    return [first + timedelta(days=n) for n in range(count)]


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
        total = sum(p.alerts for p in points.values())
        ax.set_title(f"{name} ({total} alert{'s' if total != 1 else ''})", loc="left", fontsize=11)
        ax.set_ylabel("per day")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].set_xticks(range(len(days)), [f"{d:%a}\n{d:%d %b}" for d in days])
    axes[0].legend(loc="upper right", ncols=3, frameon=False)
    figure.suptitle(report.title, fontsize=13)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
