"""Small text helpers for presenting third-party text: excerpts and relative ages."""

from __future__ import annotations

import re
from datetime import datetime

_SPACE = re.compile(r"\s+")
# C0/C1 controls (ESC starts terminal escape sequences), bidi overrides and zero-width characters: text from
# feeds must not rewrite a terminal, reorder a line or hide a word.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean(text: str) -> str:
    """Drop terminal escape sequences and control, bidi and zero-width characters; keep newlines and tabs.

    A lone surrogate (half an emoji, cut by some API) becomes U+FFFD: it cannot be written as UTF-8, so it would
    fail every post, print or JSON body it reached; two halves written separately become the character.
    """
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", without_surrogates(text)))


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (half an emoji, cut by some API) as U+FFFD, and two halves written
    separately joined into their character; no UTF-8 encoder, database or JSON body accepts a lone one."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def excerpt(text: str, limit: int = 280) -> str:
    """The start of ``text`` on one line, cut at a word boundary within ``limit`` characters, with an ellipsis."""
    flat = _SPACE.sub(" ", clean(text)).strip()
    if len(flat) <= limit:
        return flat
    if limit <= 1:
        return "…"[:limit]
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    # Cut at a word boundary unless that would throw away most of the room (one very long word).
    if flat[limit - 1] != " " and space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def age(then: datetime | None, now: datetime) -> str:
    """A short relative age: "just now", "40 min ago", "5 h ago", "3 days ago"; "" when unknown."""
    if then is None:
        return ""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"
