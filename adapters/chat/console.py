"""The console chat: alerts printed to the terminal, readable at a glance. The default platform."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import TextIO

from earshot.bot.actions.alert_card import AlertCard, alert_card
from earshot.bot.domain import Alert, Digest, Notice, Progress
from earshot.bot.followup.stats import Report, report_text
from earshot.bot.guest.briefing import Briefing, plain_lines
from earshot.bot.ports import Clock
from earshot.bot.text import age, clean, excerpt


def flat(text: str) -> str:
    """Third-party text on one line: controls dropped and line breaks and tabs made spaces, so a feed cannot
    write a line of its own (a forged alert or notice) into the terminal."""
    return " ".join(clean(text).split())


def score_line(card: AlertCard) -> str:
    """The joinability and its reasons: "score 72 · asks for a recommendation · 40 min old · 3 replies"."""
    return " · ".join([f"score {card.score}", *(flat(r) for r in card.reasons)])


def render_alert(card: AlertCard, default_channel: str, now_text: str) -> str:
    """An alert's card as a few lines of plain text: the one drawing of an alert in the terminal."""
    channel = card.channel or default_channel
    place = " · ".join(p for p in (flat(card.source), flat(card.community or ""), now_text) if p)
    facts = [
        f"by {flat(card.author)}" if card.author else "",
        f"{card.points} points" if card.points is not None else "",
    ]
    if card.replies is not None:
        facts.append(f"{card.replies} replies")
    facts.append("matched: " + ", ".join(flat(m) for m in card.matched) if card.matched else "")
    lines = [
        f"── #{flat(channel)} · {flat(card.topic)} · {place} ".ljust(72, "─"),
        f"  {excerpt(card.title, 200)}",
        f"  {flat(card.url)}",
        "  " + score_line(card),
    ]
    if any(facts):
        lines.append("  " + " · ".join(f for f in facts if f))
    if card.link:
        lines.insert(3, f"  links to {flat(card.link)}")
    if card.summarised:
        lines.append(f"  > {excerpt(card.question, 240)}")  # the point: an ask, or what it is about
        lines.extend(f"  · {excerpt(said, 160)}" for said in card.said)
    elif card.question:
        lines.append(f"  > {excerpt(card.question, 280)}")
    for seen in card.also_seen:
        where = " · ".join(p for p in (flat(seen.source), flat(seen.community or "")) if p)
        numbers = [f"{seen.points} points" if seen.points is not None else ""]
        numbers.append(f"{seen.thread_size} replies" if seen.thread_size is not None else "")
        tail = " · ".join(n for n in numbers if n)
        lines.append(f"  also on {where}: {excerpt(seen.title, 120)} {flat(seen.url)}" + (f" ({tail})" if tail else ""))
    return "\n".join(lines)


def render_digest(digest: Digest, default_channel: str) -> str:
    """A digest as a header and one line per held alert: score, topic, title and address."""
    count = len(digest.alerts)
    noun = "alert" if count == 1 else "alerts"
    lines = [
        f"── #{flat(digest.channel or default_channel)} · digest · {count} more {noun} held by the hourly cap ".ljust(
            72, "─"
        )
    ]
    for alert in digest.alerts:
        c = alert.conversation
        lines.append(f"  [{alert.score}] {flat(alert.topic)} · {excerpt(c.title, 120)} (alert {alert.id})")
        lines.append(f"        {flat(c.url)}")
    return "\n".join(lines)


def update_line(alert: Alert, progress: Progress) -> str:
    """How a claimed alert is going, as one line under its id."""
    return f"[update] alert {alert.id} · {excerpt(alert.conversation.title, 80)}: {flat(progress.line)}"


def briefing_text(alert_id: int, member: str, briefing: Briefing) -> str:
    """The claimer's briefing: a ``[briefing]`` line, then one flattened line per part (a feed cannot forge a line)."""
    head, *rest = plain_lines(briefing)
    lines = [f"[briefing] alert {alert_id} for {flat(member)} · {flat(head)}"]
    return "\n".join(lines + [f"    {flat(line)}" for line in rest])


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
        text = render_alert(alert_card(alert), self.channel, age(alert.conversation.created_at, self.clock()))
        print(text + "\n", file=self.stream, flush=True)
        return f"console:{alert.id}"

    async def send_digest(self, digest: Digest) -> str:
        """Print the held alerts of one channel as one block."""
        print(render_digest(digest, self.channel) + "\n", file=self.stream, flush=True)
        return "console:digest:" + ",".join(str(a.id) for a in digest.alerts)

    async def send_notice(self, notice: Notice) -> None:
        """Print an operational notice."""
        print(f"[earshot {notice.level}] {clean(notice.text)}\n", file=self.stream, flush=True)

    async def refresh(self, alert: Alert, progress: Progress) -> None:
        """Print how a claimed alert is going, as an update line under its id."""
        print(update_line(alert, progress) + "\n", file=self.stream, flush=True)

    async def send_briefing(self, alert_id: int, member: str, briefing: Briefing) -> None:
        """Print the claimer's briefing under the alert's id."""
        print(briefing_text(alert_id, member, briefing) + "\n", file=self.stream, flush=True)

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
