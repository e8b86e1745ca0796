"""The console chat: alerts printed to the terminal, readable at a glance. The default platform."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import TextIO

from bot.domain import Alert, Notice, Progress
from bot.ports import Clock
from bot.stats import Report, report_text
from bot.text import age, clean, excerpt


def score_line(alert: Alert) -> str:
    """The joinability and its reasons: "score 72 · asks for a recommendation · 40 min old · 3 replies"."""
    return " · ".join([f"score {alert.score}", *(clean(r) for r in alert.reasons)])


def render_alert(alert: Alert, default_channel: str, now_text: str) -> str:
    """An alert as a few lines of plain text."""
    c = alert.conversation
    channel = alert.channel or default_channel
    place = " · ".join(p for p in (c.source, clean(c.community or ""), now_text) if p)
    facts = [f"by {clean(c.author)}" if c.author else "", f"{c.points} points" if c.points is not None else ""]
    if c.thread_size is not None:
        facts.append(f"{c.thread_size} replies")
    facts.append("matched: " + ", ".join(alert.matched) if alert.matched else "")
    lines = [
        f"── #{channel} · {alert.topic} · {place} ".ljust(72, "─"),
        f"  {excerpt(c.title, 200)}",
        f"  {clean(c.url)}",
        "  " + score_line(alert),
    ]
    if any(facts):
        lines.append("  " + " · ".join(f for f in facts if f))
    if c.link and c.link != c.url:
        lines.insert(3, f"  links to {clean(c.link)}")
    if c.text:
        lines.append(f"  > {excerpt(c.text, 280)}")
    return "\n".join(lines)


class ConsoleChat:
    """Prints alerts and notices to a text stream (standard output by default)."""

    def __init__(
        self, clock: Clock, channel: str, stream: TextIO | None = None, report_dir: Path | None = None
    ) -> None:
        self.clock = clock
        self.channel = channel
        self.stream = stream or sys.stdout
        self.report_dir = report_dir or Path("earshot-reports")

    async def send_alert(self, alert: Alert) -> str:
        """Print one alert."""
        text = render_alert(alert, self.channel, age(alert.conversation.created_at, self.clock()))
        print(text + "\n", file=self.stream, flush=True)
        return f"console:{alert.id}"

    async def send_notice(self, notice: Notice) -> None:
        """Print an operational notice."""
        print(f"[earshot {notice.level}] {clean(notice.text)}\n", file=self.stream, flush=True)

    async def refresh(self, alert: Alert, progress: Progress) -> None:
        """Print how a claimed alert is going, as an update line under its id."""
        title = excerpt(alert.conversation.title, 80)
        print(f"[update] alert {alert.id} · {title}: {clean(progress.line)}\n", file=self.stream, flush=True)

    async def send_report(self, report: Report, chart_png: bytes | None) -> str:
        """Print a report; save its chart as a PNG in ``report_dir`` and print the file's path."""
        lines = [f"══ {clean(report.title)} ".ljust(72, "═"), report_text(report)]
        ref = "console:report:" + _slug(report.title)
        if chart_png:
            path = self.report_dir / f"{_slug(report.title)}.png"
            await asyncio.to_thread(_save, path, chart_png)
            lines.append(f"chart: {path}")
        print("\n".join(lines) + "\n", file=self.stream, flush=True)
        return ref


def _save(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"
