"""Team handles: which account on each source belongs to which teammate, as people write them."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

from earshot.bot.domain import Handle
from earshot.bot.errors import EarshotError

HANDLE_EXAMPLE = "me hackernews=alice reddit=alice_b mastodon=@alice@hachyderm.io"
_SOURCE = re.compile(r"[a-z][a-z0-9_-]{0,49}")
_HANDLE = re.compile(r"[\w.@:+-]{1,200}")  # usernames, Mastodon addresses, Bluesky domains


class HandleError(EarshotError):
    """A handle that cannot be read; the message says why and shows how it is written."""


def fold_handle(source: str, handle: str) -> str:
    """The form handles are stored and compared in: lower case, without "@" or "u/" in front."""
    text = handle.strip().lower()
    if source == "reddit" and text.startswith(("u/", "/u/")):
        text = text.split("u/", 1)[1]
    return text.lstrip("@")


def unknown_source(source: str, sources: Collection[str]) -> str | None:
    """Why ``source`` cannot hold a handle (it is none of ``sources``, listed), or None when it can."""
    if source in sources:
        return None
    return f"{source!r} is not a source; handles are for {', '.join(sorted(sources))}"


def parse_handles(
    words: Iterable[str], member: str, name: str | None = None, sources: Collection[str] | None = None
) -> list[Handle]:
    """Handles from ``source=handle`` words, on one of ``sources`` when given; raise HandleError naming the word
    that is wrong."""
    found: dict[str, Handle] = {}
    for word in words:
        source, sep, handle = word.partition("=")
        source = source.strip().lower()
        if not sep or not _SOURCE.fullmatch(source) or not handle.strip():
            raise HandleError(f"{word!r} is not source=handle. Example: {HANDLE_EXAMPLE}")
        if sources is not None and (why := unknown_source(source, sources)) is not None:
            raise HandleError(why)
        folded = fold_handle(source, handle)
        if not _HANDLE.fullmatch(folded):
            raise HandleError(f"{handle!r} is not a handle on {source} (letters, digits, . _ - @ only)")
        found[source] = Handle(member, source, folded, name)
    return list(found.values())


def handles_text(handles: Iterable[Handle]) -> str:
    """``hackernews=alice · reddit=alice_b``, by source."""
    return " · ".join(f"{h.source}={h.handle}" for h in sorted(handles, key=lambda h: h.source))


def team_index(handles: Iterable[Handle], source: str) -> dict[str, str]:
    """Folded handle on ``source`` -> member id, for reading a thread from that source."""
    return {h.handle: h.member for h in handles if h.source == source}


def member_names(handles: Iterable[Handle]) -> Mapping[str, str]:
    """Member id -> display name, where one is known."""
    return {h.member: h.name for h in handles if h.name}
