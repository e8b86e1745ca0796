"""Value checks for the config file: each turns a raw TOML value into a typed one or says what would be right.

Every check raises ``ValueError`` whose text is the part of the message after ``key = value:``.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from earshot.adapters.storage.engine import ASYNC_DRIVERS
from earshot.bot.errors import InvalidQuery
from earshot.bot.finding.query import MAX_LENGTH, parse_query

from .durations import DURATION_HINT, SIZE_HINT, format_duration, format_size, parse_duration, parse_size

NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_HOSTNAME = re.compile(r"(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?")
_DB_SCHEME = re.compile(r"([a-z][a-z0-9]*)(\+[a-z0-9_]+)?://", re.IGNORECASE)


def one_of(options: Iterable[str]) -> str:
    """Join choices for a hint: "a", "a or b", "a, b or c"."""
    items = list(options)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def suggest(word: str, options: Iterable[str]) -> str | None:
    """The closest option to a misspelt word, if one is close enough."""
    close = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def _text(value: object, what: str, example: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected {what} in quotes, like {example}")
    return value.strip()


def choice(
    what: str, options: tuple[str, ...], *, later: Iterable[str] = (), aliases: Mapping[str, str] | None = None
) -> Callable[[object], str]:
    """A check for one of a few words (case-insensitive); ``later`` are known words not available yet."""
    later_set = set(later)

    def check(value: object) -> str:
        word = _text(value, what, f'"{options[0]}"').lower()
        if word in options:
            return word
        if word in later_set:
            raise ValueError(f"not available in this version yet; use {one_of(options)}")
        hint = f"not a {what}; use {one_of(options)}"
        if aliases and word in aliases:
            raise ValueError(hint + f" ({aliases[word]})")
        close = suggest(word, options)
        raise ValueError(hint + (f' (did you mean "{close}"?)' if close else ""))

    return check


SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")


def slack_user_id(value: object) -> str:
    """A Slack member id, like "U024BE7LH" (a profile's "Copy member ID")."""
    raw = _text(value, "a Slack member id", '"U024BE7LH"')
    if not SLACK_USER_ID.fullmatch(raw):
        raise ValueError(
            'not a Slack member id; use the id from the person\'s profile (⋮ > "Copy member ID"), like "U024BE7LH"'
        )
    return raw


def flag(value: object) -> bool:
    """A true/false switch."""
    if not isinstance(value, bool):
        raise ValueError("not true or false; write true or false, without quotes")
    return value


def name(value: object) -> str:
    """A feed or topic name: 1..64 letters, digits, "-" or "_"."""
    text = _text(value, "a name", '"vector-db"')
    if not NAME_PATTERN.fullmatch(text):
        raise ValueError('not a valid name; use 1 to 64 letters, digits, "-" or "_", like "vector-db"')
    return text


def text(what: str, example: str, *, max_length: int = 200) -> Callable[[object], str]:
    """A check for free text that must not be empty."""

    def check(value: object) -> str:
        result = _text(value, what, example)
        if not result:
            raise ValueError(f"empty; give {what}, like {example}, or leave the key out")
        if len(result) > max_length or "\n" in result:
            raise ValueError(f"too long; use one line of at most {max_length} characters")
        return result

    return check


def http_url(value: object) -> str:
    """An absolute http(s) URL with a host."""
    raw = _text(value, "a URL", '"https://example.com/feed.xml"')
    hint = 'use a full http(s) address, like "https://example.com/feed.xml"'
    if not raw or any(ch.isspace() for ch in raw):
        raise ValueError(f"not a URL; {hint}")
    try:
        parts = urlsplit(raw)
        _ = parts.port
    except ValueError:
        raise ValueError(f"not a URL; {hint}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"not an http(s) URL; {hint}")
    if not parts.hostname:
        raise ValueError(f"has no host; {hint}")
    return raw


def feed_options(value: object) -> dict[str, Any]:
    """A feed's kind-specific options: a table of names to text, numbers, true/false or lists of text."""
    hint = 'write a table, like options = { subreddit = "rust" }'
    if not isinstance(value, dict):
        raise ValueError(f"not a table; {hint}")
    for key, item in value.items():
        if not NAME_PATTERN.fullmatch(str(key)):
            raise ValueError(f"{key!r} is not an option name; {hint}")
        scalar = (str, int, float, bool)
        if not isinstance(item, scalar) and not (isinstance(item, list) and all(isinstance(i, scalar) for i in item)):
            raise ValueError(f"option {key} must be text, a number, true/false or a list of those; {hint}")
    return dict(value)


def ws_url(value: object) -> str:
    """An absolute ws(s) URL with a host (a gateway address)."""
    raw = _text(value, "a URL", '"wss://gateway.discord.gg/"')
    hint = 'use a full ws(s) address, like "wss://gateway.discord.gg/"'
    parts = urlsplit(raw) if raw and not any(ch.isspace() for ch in raw) else None
    if parts is None or parts.scheme.lower() not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"not a ws(s) URL; {hint}")
    return raw


def host(value: object) -> str:
    """An allow_private entry: a hostname, an IP address or a CIDR network, normalised."""
    raw = _text(value, "a host or network", '"127.0.0.1"').lower()
    hint = 'use a hostname, an IP address or a network, like "localhost", "127.0.0.1" or "10.0.0.0/8"'
    if "://" in raw or "@" in raw:
        raise ValueError(f"not a host; {hint}, without scheme, user or path")
    if "/" in raw:
        try:
            return str(ipaddress.ip_network(raw))
        except ValueError:
            try:
                loose = ipaddress.ip_network(raw, strict=False)
            except ValueError:
                raise ValueError(f"not a network; {hint}") from None
            raise ValueError(f'has host bits set; did you mean "{loose}"?') from None
    try:
        return str(ipaddress.ip_address(raw.strip("[]")))
    except ValueError:
        pass
    if ":" in raw:
        raise ValueError(f"not a host; {hint}, without a port")
    if not _HOSTNAME.fullmatch(raw):
        raise ValueError(f"not a host; {hint}")
    return raw.rstrip(".")


def duration(minimum: timedelta, maximum: timedelta | None = None) -> Callable[[object], timedelta]:
    """A check for a duration string within bounds."""

    def check(value: object) -> timedelta:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(f'not a duration; add a unit in quotes, like "{value}s" or "{value}m"')
        if not isinstance(value, str):
            raise ValueError(f"not a duration; {DURATION_HINT}")
        result = parse_duration(value)
        if result < minimum:
            raise ValueError(f'too short; use at least "{format_duration(minimum)}"')
        if maximum is not None and result > maximum:
            raise ValueError(f'too long; use at most "{format_duration(maximum)}"')
        return result

    return check


def size(minimum: int, maximum: int) -> Callable[[object], int]:
    """A check for a size ("5MB") within bounds."""

    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"not a size; {SIZE_HINT}")
        result = parse_size(value)
        if not minimum <= result <= maximum:
            raise ValueError(f'out of range; use from "{format_size(minimum)}" to "{format_size(maximum)}"')
        return result

    return check


def whole(minimum: int, maximum: int) -> Callable[[object], int]:
    """A check for a whole number within bounds."""

    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"not a whole number; use one from {minimum} to {maximum}, without quotes")
        if not minimum <= value <= maximum:
            raise ValueError(f"out of range; use a whole number from {minimum} to {maximum}")
        return value

    return check


def fraction(minimum: float, maximum: float) -> Callable[[object], float]:
    """A check for a number (int or float) within bounds."""

    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"not a number; use one from {minimum} to {maximum}, without quotes")
        if not minimum <= value <= maximum:
            raise ValueError(f"out of range; use a number from {minimum} to {maximum}")
        return float(value)

    return check


def topic_query(value: object) -> str:
    """A topic query, checked with the core's parser."""
    raw = text("a query", "'\"vector database\" OR pgvector'", max_length=MAX_LENGTH)(value)
    try:
        parse_query(raw)
    except InvalidQuery as error:
        raise ValueError(str(error)) from None
    return raw


def database_url(value: object) -> str:
    """A SQLite or PostgreSQL URL, pointed at its async driver (the storage adapter's choices: aiosqlite, asyncpg)."""
    raw = _text(value, "a database URL", '"sqlite+aiosqlite:///earshot.db"')
    hint = 'use "sqlite+aiosqlite:///earshot.db" or "postgresql+asyncpg://user:password@host/earshot"'
    match = _DB_SCHEME.match(raw)
    if match is None:
        raise ValueError(f"not a database URL; {hint}")
    scheme = (match.group(1) + (match.group(2) or "")).lower()
    driver = ASYNC_DRIVERS.get(scheme)
    if driver is None:
        raise ValueError(f'"{scheme}" is not supported; Earshot runs on SQLite or PostgreSQL: {hint}')
    return f"{driver}://{raw[match.end() :]}"


def language(value: object) -> str:
    """A check for an ISO 639-1 language code ("en", "de"), as the language detector names languages."""
    result = _text(value, "a language code", '"en"').lower()
    if len(result) != 2 or not result.isascii() or not result.isalpha():
        raise ValueError('not a two-letter ISO 639-1 language code; use one like "en", "de" or "fr"')
    return result
