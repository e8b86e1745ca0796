"""The chat command language: ``topic add vector-db "vector database" OR pgvector #search`` and the rest.

A topic's query is kept exactly as written (its quotes are part of the query language); only the words around
it are split off: the ``#channel`` and, after the query, what the topic means as ``key:"value"`` options
(``about:"..."``, ``example:"..."`` and ``counter_example:"..."`` as often as needed, ``without_keyword:yes``,
``accept:"..."``; ``topic edit`` also takes ``query:'...'`` and ``min_score:N``). A value is in double quotes (a
``\"`` inside), single quotes, or one word. Curly quotes, which chat apps like to put in, are made straight first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from earshot.bot.durations import parse_duration
from earshot.bot.errors import EarshotError

MEANING_USAGE = '[about:"..."] [example:"..."] [counter_example:"..."] [without_keyword:yes|no] [accept:"..."]'
USAGE = {
    "topic add": f"topic add <name> <query> [#channel] {MEANING_USAGE}, e.g. topic add vector-db "
    '"vector database" OR pgvector #search about:"Choosing and running vector search" example:"Which vector DB?"',
    "topic edit": f"topic edit <name> [query:'...'] [#channel] [min_score:N] {MEANING_USAGE}, e.g. topic edit "
    'vector-db about:"Vector search for teams storing embeddings" example:"pgvector or Qdrant?"',
    "topic show": "topic show <name>, e.g. topic show vector-db",
    "topic preview": f"topic preview <name> <query> [{MEANING_USAGE[1:-1]}] [days:N], e.g. topic preview vector-db "
    'pgvector about:"Vector search" days:7',
    "topic remove": "topic remove <name>, e.g. topic remove vector-db",
    "feed add": 'feed add <kind> <url or query> [every], e.g. feed add hackernews "vector database" 5m',
    "feed remove": "feed remove <name>, e.g. feed remove hackernews-vector-database",
    "stats": "stats [period], e.g. stats 30d",
    "me": "me [source=handle ...], e.g. me hackernews=alice reddit=alice_b mastodon=@alice@hachyderm.io",
    "check": "check [ALERT_ID], e.g. check 42 (without an id: your latest claimed alert); opens a form for the draft",
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
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)  # options given more than once: examples


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
        if verb in ("topic add", "topic preview"):
            return _topic_add(rest, verb)
        if verb == "topic edit":
            return _topic_edit(rest)
        if verb == "topic show":
            name, extra = _split_first(rest)
            if not name or extra:
                raise _usage(verb, "give exactly one name" if extra else "which one? give its name")
            return Command(verb, {"name": name})
        if verb == "feed add":
            return _feed_add(rest)
        if verb in ("topic remove", "feed remove"):
            name, extra = _split_first(rest)
            if not name or extra:
                raise _usage(verb, "give exactly one name" if extra else "which one? give its name")
            return Command(verb, {"name": name})
        if verb in SIMPLE:
            return Command(verb)
        verbs = ("add", "edit", "show", "preview", "list", "remove") if noun == "topic" else ("add", "list", "remove")
        known = ", ".join(f"{noun} {v}" for v in verbs[:-1]) + f" or {noun} {verbs[-1]}"
        raise CommandError(f"unknown command {noun!r} {action!r}: use {known}")
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
    if first == "check":
        alert, extra = _split_first(rest)
        if extra or (alert and not alert.isdigit()):
            raise _usage("check", "give at most one alert id, a number")
        return Command("check", {"alert": alert} if alert else {})
    raise CommandError(f"unknown command {first!r}: try topic, feed, mine, unclaimed, stats, me, check or help")


# The options a topic command takes after its query, with the names people may write for them.
_KEYS = {
    "about": "about",
    "example": "examples",
    "examples": "examples",
    "counter_example": "counter_examples",
    "counter-example": "counter_examples",
    "counter": "counter_examples",
    "without_keyword": "without_keyword",
    "without-keyword": "without_keyword",
    "accept": "accept",
    "query": "query",
    "min_score": "min_score",
    "min-score": "min_score",
    "days": "days",
}
_LISTS = ("examples", "counter_examples")
_OPTION = re.compile(
    r"""(?:^|\s)(?P<key>[a-z_-]+):(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^\s"']\S*|""|'')\s*$""",
    re.DOTALL | re.IGNORECASE,
)
_TAKES = {
    "topic add": {"about", "examples", "counter_examples", "without_keyword", "accept"},
    "topic preview": {"about", "examples", "counter_examples", "without_keyword", "accept", "days", "min_score"},
    "topic edit": {"about", "examples", "counter_examples", "without_keyword", "accept", "query", "min_score"},
}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1]).strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].strip()
    return value


def _trailing_options(text: str, verb: str) -> tuple[str, dict[str, str], dict[str, tuple[str, ...]]]:
    """Split the options and the #channel off the end of ``text``: what is left (the name and query), the single
    options, and the repeated ones (in the order written)."""
    args: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    while True:
        found = _OPTION.search(text)
        key = _KEYS.get(found.group("key").lower()) if found else None
        if found is not None and key is not None:
            if key not in _TAKES[verb]:
                raise _usage(verb, f"{verb} takes no {found.group('key')}:")
            value = _unquote(found.group("value"))
            if key in _LISTS:
                lists.setdefault(key, []).insert(0, value)
            elif key in args:
                raise _usage(verb, f"{found.group('key')}: is given twice; give it once")
            else:
                args[key] = value
            text = text[: found.start()].rstrip()
            continue
        head, last = _split_last(text)
        if head and last.startswith("#") and len(last) > 1 and "channel" not in args:
            args["channel"] = last[1:]
            text = head
            continue
        return text, args, {key: tuple(values) for key, values in lists.items()}


def _topic_add(rest: str, verb: str = "topic add") -> Command:
    rest, args, lists = _trailing_options(rest, verb)
    name, query = _split_first(rest)
    if not name:
        raise _usage(verb, "the topic needs a name and a query")
    if not query:
        raise _usage(verb, f"topic {name!r} needs a query")
    return Command(verb, {"name": name, **args, "query": query}, lists)


def _topic_edit(rest: str) -> Command:
    rest, args, lists = _trailing_options(rest, "topic edit")
    name, extra = _split_first(rest)
    if not name:
        raise _usage("topic edit", "which one? give its name")
    if extra:
        raise _usage("topic edit", f"{extra!r} is not an option; write the new query as query:'...'")
    if not args and not lists:
        raise _usage("topic edit", "nothing to change: give at least one option")
    return Command("topic edit", {"name": name, **args}, lists)


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
