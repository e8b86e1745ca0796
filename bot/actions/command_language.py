"""The chat command language: ``topic add vector-db "vector database" OR pgvector #search`` and the rest.

A topic's query is kept exactly as written (its quotes are part of the query language); only the words around
it are split off. Curly quotes, which chat apps like to put in, are made straight first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from earshot.bot.durations import parse_duration
from earshot.bot.errors import EarshotError

USAGE = {
    "topic add": 'topic add <name> <query> [#channel], e.g. topic add vector-db "vector database" OR pgvector #search',
    "topic remove": "topic remove <name>, e.g. topic remove vector-db",
    "feed add": 'feed add <kind> <url or query> [every], e.g. feed add hackernews "vector database" 5m',
    "feed remove": "feed remove <name>, e.g. feed remove hackernews-vector-database",
    "stats": "stats [period], e.g. stats 30d",
    "me": "me [source=handle ...], e.g. me hackernews=alice reddit=alice_b mastodon=@alice@hachyderm.io",
}
SIMPLE = ("topic list", "feed list", "mine", "unclaimed", "help")
# Curly double and single quotes, by code point (chat apps' "smart quotes").
_QUOTES = str.maketrans({0x201C: '"', 0x201D: '"', 0x201E: '"', 0x2018: "'", 0x2019: "'"})


class CommandError(EarshotError):
    """A command that cannot be read; the message says why and shows how it is written."""


@dataclass(frozen=True, slots=True)
class Command:
    """A command read from chat: its verb ("topic add", "mine", ...) and its arguments by name."""

    verb: str
    args: dict[str, str] = field(default_factory=dict)


def _split_first(text: str) -> tuple[str, str]:
    """The first word and the rest, both stripped."""
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def _split_last(text: str) -> tuple[str, str]:
    """All but the last word, and the last word."""
    parts = text.rsplit(None, 1)
    return (parts[0].strip(), parts[1]) if len(parts) == 2 else ("", parts[0] if parts else "")


def _usage(verb: str, problem: str) -> CommandError:
    return CommandError(f"{problem}. Write it as: {USAGE[verb]}")


def parse_command(text: str) -> Command:
    """Read a command; an empty one asks for help. Raise CommandError with the usage on a mistake."""
    text = text.translate(_QUOTES).strip()
    first, rest = _split_first(text)
    first = first.lower()
    if first in ("", "help", "?"):
        return Command("help")
    if first in ("topic", "topics", "feed", "feeds"):
        noun = first.rstrip("s")
        action, rest = _split_first(rest)
        verb = f"{noun} {action.lower() or 'list'}"
        if verb == "topic add":
            return _topic_add(rest)
        if verb == "feed add":
            return _feed_add(rest)
        if verb in ("topic remove", "feed remove"):
            name, extra = _split_first(rest)
            if not name or extra:
                raise _usage(verb, "give exactly one name" if extra else "which one? give its name")
            return Command(verb, {"name": name})
        if verb in SIMPLE:
            return Command(verb)
        raise CommandError(f"unknown command {noun!r} {action!r}: use {noun} add, {noun} list or {noun} remove")
    if first in ("mine", "unclaimed"):
        return Command(first)
    if first == "me":
        # Handles are read by ChatActions (earshot.bot.team_handles), which knows what a good one looks like.
        return Command("me", {"handles": rest} if rest else {})
    if first == "stats":
        period, extra = _split_first(rest)
        if extra:
            raise _usage("stats", "give at most one period")
        return Command("stats", {"period": period} if period else {})
    raise CommandError(f"unknown command {first!r}: try topic, feed, mine, unclaimed, stats, me or help")


def _topic_add(rest: str) -> Command:
    name, query = _split_first(rest)
    if not name:
        raise _usage("topic add", "the topic needs a name and a query")
    args = {"name": name}
    head, last = _split_last(query)
    if last.startswith("#") and len(last) > 1:
        args["channel"] = last[1:]
        query = head
    if not query:
        raise _usage("topic add", f"topic {name!r} needs a query")
    args["query"] = query
    return Command("topic add", args)


def _feed_add(rest: str) -> Command:
    kind, target = _split_first(rest)
    if not kind or not target:
        raise _usage("feed add", "the feed needs a kind and a URL or query")
    args = {"kind": kind.lower()}
    head, last = _split_last(target)
    if head:
        try:
            parse_duration(last)
        except ValueError:
            pass
        else:
            args["every"] = last
            target = head
    args["target"] = target
    return Command("feed add", args)
