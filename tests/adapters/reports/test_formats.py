"""The report's text forms: the markdown holds the totals and one table per group, nothing stray."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.adapters.reports import render_markdown
from earshot.bot.followup.stats import Report, Stats, StatsRow
from tests.fakes.clock import T0


@pytest.mark.parametrize("outcomes", [{}, {"replied": 2}], ids=["without outcomes", "with outcomes"])
def test_markdown_has_no_plain_text_group_headers(outcomes: dict[str, int]) -> None:
    total = StatsRow("", 4, 2, 1, 0, 0, timedelta(minutes=30), outcomes)
    topics = (StatsRow("db", 4, 2, 1, 0, 0, timedelta(minutes=30)),)
    people = (StatsRow("U1", 2, 2, 1, 0, 0, timedelta(minutes=30)),)
    stats = Stats(T0, T0 + timedelta(days=30), total, topics=topics, people=people)
    markdown = render_markdown(Report("Earshot report, last 30d", stats, (), {"U1": "Alice"}))
    lines = markdown.splitlines()
    assert not [line for line in lines if line.startswith("By ")], markdown  # the tables have ## headings
    assert "## By topic" in lines and "## By person" in lines
    assert lines[2].startswith("Since ") and ("Recorded outcomes: " in markdown) == bool(outcomes)


def test_markdown_of_an_empty_period_says_so_once() -> None:
    stats = Stats(T0, T0 + timedelta(days=30), StatsRow("", 0, 0, 0, 0, 0, None))
    markdown = render_markdown(Report("Earshot report, last 30d", stats, (), {}))
    assert markdown.splitlines()[2].startswith("No alerts were posted since")
    assert markdown.count("No alerts") == 1
