"""The report chart is a valid PNG that shows each topic's alerts, claims and replies per day; the text forms."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import numpy as np
from matplotlib import image
from PIL import Image

from earshot.adapters.reports import render_csv, render_markdown
from earshot.adapters.reports.chart import SERIES, _panels, render_chart
from earshot.bot.followup.stats import DayCount, Report, Stats, StatsRow
from tests.fakes.clock import T0

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DAYS = [date(2025, 3, 1) + timedelta(days=n) for n in range(7)]


def report(series: list[DayCount]) -> Report:
    total = StatsRow("", 12, 6, 3, 1, 2, timedelta(hours=1), {"replied": 3, "lead": 1})
    stats = Stats(T0, T0 + timedelta(days=6), total, topics=(StatsRow("db", 9, 5, 3, 1, 1, timedelta(hours=1)),))
    return Report("Earshot weekly report, 2025-03-01 to 2025-03-07", stats, tuple(series), {"U1": "Alice"})


SERIES_DB = [DayCount(d, "db", 1 + n % 3, n % 2, 1 if n in (1, 3, 5) else 0) for n, d in enumerate(DAYS)]
SERIES_RUST = [DayCount(DAYS[2], "rust", 2, 1, 0), DayCount(DAYS[4], "rust", 1, 0, 0)]


def pixels_like(rgb: np.ndarray, colour: str, tolerance: float = 0.02) -> int:
    """How many pixels have (about) this colour."""
    want = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(rgb[:, :, :3] - want).max(axis=2) < tolerance).sum())


def test_the_chart_is_a_png_with_one_panel_per_topic_and_the_three_series(tmp_path) -> None:  # type: ignore[no-untyped-def]
    png = render_chart(report(SERIES_DB + SERIES_RUST))
    assert png is not None and png.startswith(PNG_SIGNATURE)
    picture = Image.open(io.BytesIO(png))
    picture.verify()
    assert picture.format == "PNG" and picture.size == (1000, 580)  # 10 x (1 + 2.4 per topic) inches at 100 dpi
    rgb = image.imread(io.BytesIO(png))
    top, bottom = rgb[: rgb.shape[0] // 2], rgb[rgb.shape[0] // 2 :]
    alerts, claimed, replied = (colour for _, _, colour in SERIES)
    # db (the busier topic) is drawn first, with all three series; rust below it never got a reply.
    for colour in (alerts, claimed, replied):
        assert pixels_like(top, colour) > 200, colour
    assert pixels_like(bottom, alerts) > 200 and pixels_like(bottom, claimed) > 100
    assert pixels_like(bottom, replied) == 0
    (tmp_path / "chart.png").write_bytes(png)


def test_panels_put_the_busiest_topics_first_and_sum_the_rest() -> None:
    series = tuple(DayCount(DAYS[0], f"t{n}", n + 1, 0, 0) for n in range(8))
    panels = _panels(series)
    assert [name for name, _ in panels] == ["t7", "t6", "t5", "t4", "t3", "3 other topics"]
    assert panels[-1][1][DAYS[0]].alerts == 1 + 2 + 3
    assert render_chart(report([])) is None


def test_csv_and_markdown_list_every_group() -> None:
    built = report(SERIES_DB)
    rows = list(csv.DictReader(io.StringIO(render_csv(built))))
    assert [(r["group"], r["key"], r["alerts"], r["claim_rate"], r["claim_median_seconds"]) for r in rows] == [
        ("total", "", "12", "0.500", "3600"),
        ("topic", "db", "9", "0.556", "3600"),
    ]
    assert rows[0]["outcomes"] == "lead=1;replied=3"
    markdown = render_markdown(built)
    assert markdown.startswith("# Earshot weekly report, 2025-03-01 to 2025-03-07\n")
    assert "| db | 9 | 5 (56%) | 1 h | 3 (60%) | 1 | 1 |  |" in markdown
