"""The claimer's briefing as Slack blocks: every quoted part of the thread escaped, links only from URLs we vetted."""

from __future__ import annotations

from typing import Any

from earshot.bot.guest.briefing import Briefing

from .render import escape, link, mrkdwn

Block = dict[str, Any]
LINE_LIMIT = 300


def briefing_text(b: Briefing) -> str:
    """The briefing as mrkdwn lines, built only from escaped parts (Slack shows it verbatim)."""
    lines = [f"*Your briefing* for {link(b.url, b.title, 150)}", f"*Asked:* {escape(b.asked)}"]
    lines.append(f"*Thread:* {escape(b.pace)}")
    for part, said in b.situation.parts():
        lines.append(f"*Their {part}:* " + " / ".join(f"_{escape(s)}_" for s in said))
    if b.said:
        lines.append("*Said so far:* " + " / ".join(escape(s) for s in b.said))
    if b.unanswered:
        lines.append("*Still open:* " + " / ".join(escape(s) for s in b.unanswered))
    for card in b.rules:
        quoted = f"“{escape(card.text)}”" if card.quoted else f"{escape(card.text)} (paraphrase)"
        lines.append(f"*Rule:* {link(card.url, card.title, 120)}: {quoted}")
    if b.earlier:
        lines.append("*Team replied here before:* " + ", ".join(link(e.url, e.title, 80) for e in b.earlier))
    if b.warning:
        lines.append(f":seedling: {escape(b.warning)}")
    lines.extend(f"_{escape(note)}_" for note in b.notes)
    return "\n".join(lines)


def briefing_blocks(b: Briefing) -> tuple[str, list[Block]]:
    """(fallback text, blocks) for an ephemeral briefing; the fallback is escaped plain text."""
    fallback = escape(f"Your briefing for alert {b.alert_id}: {b.asked}")
    return fallback, [{"type": "section", "text": mrkdwn(briefing_text(b))}]
