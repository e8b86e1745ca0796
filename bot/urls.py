"""URL canonicalisation: one spelling per conversation, so the same link seen twice is recognised."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from earshot.bot.text import clean

# Click and campaign identifiers that say how someone arrived, not what they arrived at.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid"}
)
TRACKING_PREFIXES = ("utm_",)
DEFAULT_PORTS = {"http": 80, "https": 443}
WEB_URL_MAX = 2000
# What may stay as written in a link we show; everything else (spaces, quotes, <, >, |, {, }, ^, `) is %-encoded,
# so a URL can neither close the markup it sits in nor be read as markup itself.
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~-._"
_ASCII_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The canonical form of ``url``: lowercase scheme and host, no default port, fragment or tracking params.

    The remaining query parameters are sorted. Anything that is not an absolute URL comes back stripped of
    surrounding whitespace and otherwise unchanged.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a malformed port or IPv6 literal: keep it as written rather than guess
        return text
    host = parts.hostname
    if not parts.scheme or not host:
        return text
    scheme = parts.scheme.lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    if "@" in parts.netloc:
        netloc = f"{parts.netloc.rpartition('@')[0]}@{netloc}"
    path = parts.path or ("/" if scheme in DEFAULT_PORTS else "")
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(params))
    return urlunsplit((scheme, netloc, path, query, ""))


def web_url(url: str | None, limit: int = WEB_URL_MAX) -> str | None:
    """``url`` fit to be shown as a link by a chat platform, or None: an absolute http(s) URL with a well-formed
    host (an IP literal, or a name IDNA can encode), no user part, %-encoded where it would be markup, and at most
    ``limit`` characters.

    Third-party URLs reach storage as written (``http://[::1``, ``http://a]b[/``); a platform refuses a malformed
    one, and a refused alert would be retried for ever, so renderers show the text without the link instead.
    """
    if not url:
        return None
    text = clean(url).strip()
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname
    except ValueError:  # a malformed IPv6 literal or port
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if "[" in parts.netloc:
        if ":" not in host:  # an IPvFuture literal ([v1.x]): no platform takes one
            return None
        netloc = f"[{host}]"  # urlsplit checked the IPv6 literal
    else:
        try:
            ascii_host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:  # an empty or over-long label, or characters IDNA refuses
            return None
        if not _ASCII_HOST.fullmatch(ascii_host):
            return None
        netloc = ascii_host
    if port is not None:
        netloc = f"{netloc}:{port}"
    rebuilt = urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))
    quoted = _STRAY_PERCENT.sub("%25", quote(rebuilt, safe=_URL_SAFE))
    return quoted if len(quoted) <= limit else None
