"""The report chart: per topic, alerts, claims and replies per day (per week past a month), as grouped bars in one PNG.

matplotlib draws with the Agg backend (no display, safe in threads and servers); the figure is closed after use.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # after choosing the backend

from earshot.bot.followup.stats import DayCount, Report, by_topic

DAILY_UP_TO = 31  # days; a longer period is drawn a bar per week
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


def _bins(days: list[date]) -> tuple[list[list[date]], str]:
    """The days grouped into bars: one a day up to a month, else one a week (a year of daily bars is a smear).

    Weeks are counted back from the last day, so the latest week, the one people look at, is whole; days left
    over at the start make a shorter first bar.
    """
    if len(days) <= DAILY_UP_TO:
        return [[d] for d in days], "day"
    first = len(days) % 7
    return ([days[:first]] if first else []) + [days[n : n + 7] for n in range(first, len(days), 7)], "week"


def _ticks(starts: list[date], unit: str) -> tuple[list[int], list[str]]:
    """Where the x labels go and what they say, chosen by period so that no two labels meet.

    Up to ten bars every bar is named (days with their weekday); up to twenty every other one; past that, daily
    bars are named on Mondays and weekly bars on the first week of each month (the year under January and the
    first label).
    """
    positions = list(range(len(starts)))
    if unit == "day" and len(starts) > 20:
        picked = [i for i in positions if starts[i].weekday() == 0]
        return picked, [f"Mon\n{starts[i]:%d %b}" for i in picked]
    if len(starts) <= 20:
        picked = positions if len(starts) <= 10 else positions[::2]
        form = "%a\n%d %b" if unit == "day" else "%d %b"
        return picked, [starts[i].strftime(form) for i in picked]
    picked = [i for i in positions if i == 0 or starts[i].month != starts[i - 1].month]
    if len(picked) > 1 and picked[1] - picked[0] < 3:
        picked.pop(0)  # a first week at the end of a month would crowd the next month's label
    labels = [
        f"{starts[i]:%b}\n{starts[i]:%Y}" if n == 0 or starts[i].month == 1 else f"{starts[i]:%b}"
        for n, i in enumerate(picked)
    ]
    return picked, labels


def draw_figure(report: Report) -> Figure | None:
    """The chart as a matplotlib figure, or None when the period has no alerts."""
    panels = _panels(report.series)
    if not panels:
        return None
    bins, unit = _bins(_days(report))
    figure = Figure(figsize=(10, 1.0 + 2.4 * len(panels)), dpi=100, layout="constrained")
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    width = 0.27
    for ax, (name, points) in zip(axes, panels, strict=True):
        for offset, (field, label, colour) in enumerate(SERIES):
            values = [sum(getattr(points[d], field) for d in days if d in points) for days in bins]
            xs = [i + (offset - 1) * width for i in range(len(bins))]
            ax.bar(xs, values, width=width, label=label, color=colour)
        alerts, claimed, replied = (sum(getattr(p, f) for p in points.values()) for f, _, _ in SERIES)
        title = f"{name}: {alerts} alert{'s' if alerts != 1 else ''} · {claimed} claimed · {replied} replied"
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_ylabel(f"per {unit}")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    positions, labels = _ticks([days[0] for days in bins], unit)
    axes[-1].set_xticks(positions, labels)
    axes[-1].set_xticks(range(len(bins)), minor=True)  # every bar still has its tick
    axes[-1].set_xlim(-0.6, len(bins) - 0.4)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside upper right", ncols=3, frameon=False)
    figure.suptitle(report.title, fontsize=13, x=0.02, ha="left")
    return figure


def render_chart(report: Report) -> bytes | None:
    """The chart as PNG bytes, or None when the period has no alerts."""
    figure = draw_figure(report)
    if figure is None:
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
