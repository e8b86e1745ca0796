"""`earshot check-reply ALERT_ID FILE`: a checklist for a draft reply, read from a file or standard input.

Thin: read the draft, call the core's ReplyChecker, print. It never posts anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from earshot.adapters.cli.app import App
from earshot.bot.errors import ConfigError
from earshot.bot.guest.checker import MAX_DRAFT
from earshot.bot.guest.text import checklist_text as checklist_text  # the CLI's words, kept importable here


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
