"""The report as Markdown (for wikis and PRs) and CSV (for spreadsheets): one row per group."""

from __future__ import annotations

import csv
import io

from earshot.bot.followup.stats import Report, StatsRow, headline, outcome_words, percent, report_period, span

GROUPS = (("topic", "topics"), ("person", "people"), ("source", "sources"), ("community", "communities"))
CSV_HEADER = (
    "group",
    "key",
    "alerts",
    "claimed",
    "claim_rate",
    "claim_median_seconds",
    "replied",
    "reply_rate",
    "responded",
    "response_rate",
    "stale",
    "outcomes",
)


def _rows(report: Report) -> list[tuple[str, StatsRow]]:
    rows: list[tuple[str, StatsRow]] = [("total", report.stats.total)]
    for group, attribute in GROUPS:
        rows.extend((group, row) for row in getattr(report.stats, attribute))
    return rows


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def render_csv(report: Report) -> str:
    """One line per group (total, each topic, person, source, community); rates as fractions."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for group, row in _rows(report):
        median = row.claim_median
        writer.writerow(
            (
                group,
                row.key if group != "person" else report.names.get(row.key, row.key),
                row.alerts,
                row.claimed,
                _rate(row.claim_rate),
                "" if median is None else round(median.total_seconds()),
                row.replied,
                _rate(row.reply_rate),
                row.responded,
                _rate(row.response_rate),
                row.stale,
                ";".join(f"{k}={n}" for k, n in sorted(row.outcomes.items())),
            )
        )
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    """A heading, the summary lines, and one table per kind of group."""
    lines = [f"# {_cell(report.title)}", "", *headline(report.stats, report_period(report)), ""]
    for group, attribute in GROUPS:
        rows: tuple[StatsRow, ...] = getattr(report.stats, attribute)
        if not rows:
            continue
        lines += [
            f"## By {group}",
            "",
            f"| {group} | alerts | claimed | median to claim | replied | answered | stale | outcomes |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for row in sorted(rows, key=lambda r: (-r.alerts, r.key)):
            key = report.names.get(row.key, row.key) if group == "person" else row.key
            lines.append(
                f"| {_cell(key)} | {row.alerts} | {row.claimed} ({percent(row.claim_rate)}) | {span(row.claim_median)} "
                f"| {row.replied} ({percent(row.reply_rate)}) | {row.responded} | {row.stale} "
                f"| {_cell(outcome_words(row.outcomes))} |"
            )
        lines.append("")
    return "\n".join(lines)
