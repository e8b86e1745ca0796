"""The console chat: alerts printed to the terminal, readable at a glance. The default platform."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.domain import Alert, Notice
from bot.ports import Clock
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
    if alert.summary is not None:
        lines.append(f"  Q: {excerpt(alert.summary.question, 240)}")
        lines.extend(f"  · {excerpt(said, 160)}" for said in alert.summary.said)
    elif c.text:
        lines.append(f"  > {excerpt(c.text, 280)}")
    for seen in alert.also_seen:
        where = " · ".join(p for p in (seen.source, clean(seen.community or "")) if p)
        numbers = [f"{seen.points} points" if seen.points is not None else ""]
        numbers.append(f"{seen.thread_size} replies" if seen.thread_size is not None else "")
        tail = " · ".join(n for n in numbers if n)
        lines.append(
            f"  also on {where}: {excerpt(seen.title, 120)} {clean(seen.url)}" + (f" ({tail})" if tail else "")
        )
    return "\n".join(lines)


class ConsoleChat:
    """Prints alerts and notices to a text stream (standard output by default)."""

    def __init__(self, clock: Clock, channel: str, stream: TextIO | None = None) -> None:
        self.clock = clock
        self.channel = channel
        self.stream = stream or sys.stdout

    async def send_alert(self, alert: Alert) -> str:
        """Print one alert."""
        text = render_alert(alert, self.channel, age(alert.conversation.created_at, self.clock()))
        print(text + "\n", file=self.stream, flush=True)
        return f"console:{alert.id}"

    async def send_notice(self, notice: Notice) -> None:
        """Print an operational notice."""
        print(f"[earshot {notice.level}] {clean(notice.text)}\n", file=self.stream, flush=True)
