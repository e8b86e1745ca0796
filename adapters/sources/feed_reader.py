"""The one way Earshot hands a feed body to feedparser: as data, with the DOCTYPE stripped."""

from __future__ import annotations

import io
import re
from typing import Any

import feedparser

# A DOCTYPE with its internal subset. Entities declared there are how "billion laughs" feeds blow up memory, and
# feedparser's fallback parser expands the ones it deems safe; a feed needs none of them.
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\][^>]*)?>", re.IGNORECASE | re.DOTALL)
_DOCTYPE_LEFTOVER = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def read_feed(data: bytes, *, content_type: str | None = None) -> Any:
    """feedparser's result for a feed body (a FeedParserDict): the body is only ever parsed, never opened."""
    headers = {"content-type": content_type} if content_type else {}
    # A file-like object: given bytes or a str, feedparser first tries to open it as a file name (a body of
    # "/dev/zero" would read until memory runs out) or to fetch it as a URL.
    return feedparser.parse(io.BytesIO(strip_doctype(bytes(data))), response_headers=headers)


def strip_doctype(data: bytes) -> bytes:
    """Remove any DOCTYPE declaration, internal subset included, so no entity is ever defined or expanded."""
    data = _DOCTYPE.sub(b"", data)
    # An unterminated or odd DOCTYPE the pattern missed must not survive either: feedparser keeps entities only
    # when it finds a DOCTYPE, so removing the keyword is enough to make them inert.
    return _DOCTYPE_LEFTOVER.sub(b"", data)
