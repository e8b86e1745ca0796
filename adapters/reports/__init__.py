"""Reports for people: the weekly chart (matplotlib, Agg) and the text, Markdown and CSV forms."""

from adapters.reports.chart import render_chart
from adapters.reports.formats import render_csv, render_markdown

__all__ = ["render_chart", "render_csv", "render_markdown"]
