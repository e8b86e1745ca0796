"""Masks for values that may carry secrets, so summaries and error messages never print them."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SECRET_PARAM = re.compile(r"pass|secret|token|key|auth|sig", re.IGNORECASE)


def _netloc(host: str | None, port: int | None, user: str | None = None, masked_password: bool = False) -> str:
    where = host or ""
    if ":" in where:  # an IPv6 literal
        where = f"[{where}]"
    if port is not None:
        where += f":{port}"
    if user is not None:
        where = f"{user}{':' + MASK if masked_password else ''}@{where}"
    return where


def mask_webhook_url(value: str) -> str:
    """Keep a webhook URL's scheme and host; hide its path and query, which usually hold the token."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return MASK
    if not parts.scheme or not parts.hostname:
        return MASK
    hidden = "/" + MASK if (parts.path.strip("/") or parts.query or parts.fragment) else ""
    return f"{parts.scheme}://{_netloc(parts.hostname, port)}{hidden}"


def mask_url(value: str) -> str:
    """Hide a URL's password and the values of secret-looking query parameters; keep the rest readable."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return MASK
    netloc = parts.netloc
    if parts.password is not None or parts.username is not None:
        netloc = _netloc(parts.hostname, port, parts.username or "", parts.password is not None)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*")
    if not netloc and value[len(parts.scheme) :].startswith("://"):
        # urlunsplit drops an empty authority, turning sqlite:///earshot.db (relative) into sqlite:/earshot.db
        return f"{parts.scheme}://{urlunsplit(('', '', parts.path, query, parts.fragment))}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def mask_database_url(value: str) -> str:
    """Hide a database URL's password (user:***@host) and secret query parameters."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        return MASK
    credentials, at, location = rest.rpartition("@")
    if at and ":" in credentials:
        rest = f"{credentials.split(':', 1)[0]}:{MASK}@{location}"
    path, qmark, query = rest.partition("?")
    if qmark:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*")
    return f"{scheme}://{path}{qmark}{query}"
