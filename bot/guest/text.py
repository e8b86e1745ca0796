"""The checklist as plain text: each flag with the principle or rule behind it, reminders and notes.

The same words for the CLI and every chat (each chat escapes them its own way); nothing here posts anything.
"""

from __future__ import annotations

import textwrap

from earshot.bot.guest.checker import Checked

WIDTH = 100


def checklist_text(checked: Checked, width: int | None = WIDTH) -> str:
    """The checklist as lines, wrapped at ``width`` (None: not wrapped, for chats that wrap themselves)."""
    alert = checked.alert
    c = alert.conversation
    where = f"{c.source} {c.community}" if c.community else c.source
    lines = [f'Reply check for alert {alert.id} ({where}): "{c.title}"', f"  {c.url}", ""]
    flags = checked.checklist.flags
    if flags:
        lines.append(f"{len(flags)} thing{'s' if len(flags) != 1 else ''} to look at again:")
        for flag in flags:
            lines += _wrapped(f"✗ {flag.code}: {flag.message}", "  ", "      ", width)
            lines += _wrapped(f"why: {flag.because}", "      ", "        ", width)
    else:
        lines.append("✓ Nothing to flag: it answers the asker and keeps what is ours in its place.")
    sections = (("Suggestions:", checked.suggestions), ("Reminders:", checked.checklist.reminders))
    for title, items in (*sections, ("Notes:", checked.notes)):
        if items:
            lines += ["", title]
            for item in items:
                lines += _wrapped(f"• {item}", "  ", "    ", width)
    cards = ", ".join(card.id for card in checked.checklist.cards) or "none for this community"
    lines += ["", *_wrapped(f"Rules read: {cards}", "", "  ", width), "Nothing was posted."]
    return "\n".join(lines)


def _wrapped(text: str, first: str, rest: str, width: int | None) -> list[str]:
    if width is None:
        return [first + text]
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False) or [first]
