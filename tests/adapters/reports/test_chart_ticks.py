"""The chart's x labels are readable at every period: no two labels overlap, with one topic or many."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from earshot.adapters.reports.chart import _bins, _days, draw_figure
from earshot.bot.followup.stats import DayCount, Report, Stats, StatsRow

END = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday, when the weekly report is made


def busy_report(days: int, topics: int) -> Report:
    """A period of ``days`` with every topic busy every day (the last day too, so it is drawn)."""
    since = END - timedelta(days=days)
    series = tuple(
        DayCount((since + timedelta(days=n)).date(), f"topic-{t}", 1 + (n + t) % 4, (n + t) % 3, (n * t) % 2)
        for t in range(topics)
        for n in range(days + 1)
    )
    return Report(f"Earshot report, last {days} days", Stats(since, END, StatsRow("", 1, 1, 1, 1, 1, None)), series)


def label_boxes(figure: Figure) -> list[tuple[str, Bbox]]:
    """Every visible, non-empty x tick label of the figure with its box on the drawn canvas, in pixels."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    return [
        (label.get_text(), label.get_window_extent(renderer))
        for ax in figure.axes
        for label in ax.get_xticklabels()
        if label.get_visible() and label.get_text()
    ]


def overlaps(boxes: list[tuple[str, Bbox]], gap: float = 4.0) -> list[tuple[str, str]]:
    """Pairs of labels closer than ``gap`` pixels on the same line."""
    found = []
    for n, (text, box) in enumerate(boxes):
        for other_text, other in boxes[n + 1 :]:
            if box.expanded(1, 1).padded(gap / 2).overlaps(other.padded(gap / 2)):
                found.append((text, other_text))
    return found


@pytest.mark.parametrize("topics", [1, 12])
@pytest.mark.parametrize("days", [7, 14, 30, 31, 45, 90, 180, 365])
def test_no_two_x_labels_meet_at_any_period(days: int, topics: int) -> None:
    figure = draw_figure(busy_report(days, topics))
    assert figure is not None
    boxes = label_boxes(figure)
    assert len(boxes) >= 4, [text for text, _ in boxes]  # a readable axis still says when
    assert overlaps(boxes) == []
    width = figure.bbox.width
    assert all(box.x0 >= 0 and box.x1 <= width for _, box in boxes), "a label runs off the image"


def test_the_overlap_check_sees_a_crowded_axis() -> None:
    figure = draw_figure(busy_report(30, 1))
    assert figure is not None
    days = _days(busy_report(30, 1))
    figure.axes[-1].set_xticks(range(len(days)), [f"{d:%a}\n{d:%d %b}" for d in days])  # what the chart once did
    assert overlaps(label_boxes(figure))


@pytest.mark.parametrize("days", [7, 30, 90, 365])
def test_bars_cover_every_day_once_and_the_latest_week_is_whole(days: int) -> None:
    report = busy_report(days, 1)
    bins, unit = _bins(_days(report))
    assert [d for group in bins for d in group] == _days(report)
    assert unit == ("day" if days <= 30 else "week")
    assert len(bins[-1]) == (1 if unit == "day" else 7)
