"""Errors of outbound HTTP, and the URL form that is safe to put in them."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from earshot.bot.errors import FeedError


class InvalidUrl(ValueError):
    """A URL Earshot will not fetch (malformed, not http or https, no usable host), said as the end of a sentence
    ("is not a valid URL (...)"); a ValueError, as check_url's callers expect."""


class FetchError(FeedError):
    """A request failed or was answered with an error; ``url`` is the request URL without credentials or query."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None, url: str = ""
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.status = status
        self.url = url


class FetchRefused(FetchError):
    """The URL's address is not allowed (not public and not in ``allow_private``), or its scheme is not http(s)."""


def redact_url(url: str | httpx.URL) -> str:
    """``scheme://host:port/path`` of ``url``: no userinfo, query or fragment, which may carry secrets."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(an invalid URL)"
    if ":" in host:
        host = f"[{host}]"
    shown_port = f":{port}" if port is not None else ""
    return f"{parts.scheme}://{host}{shown_port}{parts.path}"
