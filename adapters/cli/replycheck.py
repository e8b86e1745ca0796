"""`earshot check-reply ALERT_ID FILE`: a checklist for a draft reply, read from a file or standard input.

Thin: read the draft, call the core's ReplyChecker, print. It never posts anything.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from earshot.adapters.cli.app import App
from earshot.bot.errors import ConfigError
from earshot.bot.guest.checker import MAX_DRAFT, Checked

WIDTH = 100


def alert_number(text: str) -> int:
    """ALERT_ID as a number, or a usage error saying what it takes."""
    if not text.strip().isdigit():
        raise ConfigError(f"ALERT_ID {text!r}: give an alert's number, as `earshot alerts list` shows")
    return int(text)


def read_text(name: str, what: str) -> str:
    """A file's text, or standard input's for ``-``; a clear error when it cannot be read."""
    if name == "-":
        return sys.stdin.read(MAX_DRAFT + 1)
    path = Path(name)
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.read(MAX_DRAFT + 1)
    except FileNotFoundError:
        raise ConfigError(f"{what} {name}: no such file (give a path, or - to read standard input)") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} {name}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} {name}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{what} {name}: cannot be read ({exc.strerror or exc})") from None


async def check_reply(app: App, args: argparse.Namespace) -> int:
    """Print the checklist for the draft in ``args.file`` as a reply to alert ``args.alert_id``."""
    alert_id = alert_number(args.alert_id)
    draft = read_text(args.file, "FILE")
    earlier = [read_text(name, "--earlier") for name in args.earlier]
    checked = await app.reply_checker.check(alert_id, draft, member=args.member, earlier=earlier)
    print(checklist_text(checked))
    return 0


def checklist_text(checked: Checked) -> str:
    """The checklist as terminal lines: each flag with the principle or rule behind it, reminders, notes."""
    alert = checked.alert
    c = alert.conversation
    where = f"{c.source} {c.community}" if c.community else c.source
    lines = [f'Reply check for alert {alert.id} ({where}): "{c.title}"', f"  {c.url}", ""]
    flags = checked.checklist.flags
    if flags:
        lines.append(f"{len(flags)} thing{'s' if len(flags) != 1 else ''} to look at again:")
        for flag in flags:
            lines += _wrapped(f"✗ {flag.code}: {flag.message}", "  ", "      ")
            lines += _wrapped(f"why: {flag.because}", "      ", "        ")
    else:
        lines.append("✓ Nothing to flag: it answers the asker and keeps what is ours in its place.")
    for title, items in (("Reminders:", checked.checklist.reminders), ("Notes:", checked.notes)):
        if items:
            lines += ["", title]
            for item in items:
                lines += _wrapped(f"• {item}", "  ", "    ")
    cards = ", ".join(card.id for card in checked.checklist.cards) or "none for this community"
    lines += ["", *_wrapped(f"Rules read: {cards}", "", "  "), "Nothing was posted."]
    return "\n".join(lines)


def _wrapped(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False) or [first]
