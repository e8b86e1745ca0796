"""Reports for people: the weekly chart (``earshot.adapters.reports.chart``, matplotlib: imported only when drawing,
since it takes a second to load) and the Markdown and CSV forms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from earshot.adapters.reports.formats import render_csv, render_markdown

if TYPE_CHECKING:
    from earshot.bot.followup.stats import Report

__all__ = ["draw_chart", "render_csv", "render_markdown"]


def draw_chart(report: Report) -> bytes | None:
    """The report's chart as PNG bytes (None without alerts); loads matplotlib on first use."""
    from earshot.adapters.reports.chart import render_chart

    return render_chart(report)
