"""A fully read HTTP response, and the Retry-After header a server may send with it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

import httpx

from earshot.adapters.http.errors import FetchError, redact_url
from earshot.adapters.http.json_body import load_json

_SECONDS = re.compile(r"\d+(\.\d+)?")
# The longest wait a server's Retry-After is taken at its word for: a hostile or broken server naming a year
# would otherwise stop its feed (or a chat channel) until someone noticed. Quota resets are capped alike.
MAX_RETRY_AFTER = 86_400.0


@dataclass(frozen=True)
class HttpResponse:
    """A response whose body has been read (decompressed, within the size cap); non-2xx statuses included."""

    status: int
    url: str
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        """The body parsed as JSON; FetchError when it is not JSON."""
        try:
            return load_json(self.content)
        except (ValueError, RecursionError) as exc:
            shown = redact_url(self.url)
            raise FetchError(f"the response from {shown} is not valid JSON: {exc}", url=shown) from None

    def text(self) -> str:
        """The body decoded with the charset the server declared, else UTF-8; undecodable bytes replaced."""
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        charset = message.get_content_charset() or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def raise_for_status(self) -> None:
        """Pass on 2xx and 304; otherwise raise FetchError with the status and any Retry-After the server asked."""
        if 200 <= self.status < 300 or self.status == 304:
            return
        shown = redact_url(self.url)
        retry_after = parse_retry_after(self.headers.get("retry-after"), datetime.now(UTC))
        message = " ".join(filter(None, [f"HTTP {self.status}", _phrase(self.status), f"from {shown}"]))
        if retry_after is not None:
            message += f" (retry after {retry_after:g} s)"
        raise FetchError(message, status=self.status, retry_after=retry_after, url=shown)


def _phrase(status: int) -> str:
    """The standard reason phrase of ``status``, or "" for one without."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delay seconds or an HTTP date), a day at most; None when absent or
    unreadable."""
    if value is None:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return min(float(value), MAX_RETRY_AFTER)  # digits only: at worst inf, never NaN
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT; "-0000" parses as naive
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)
