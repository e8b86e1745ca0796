"""What Reddit, Mastodon and Bluesky share: rate-limit quotas per host, error statuses, JSON bodies."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from earshot.adapters.http import HttpResponse, SafeHttp, parse_retry_after
from earshot.adapters.http.errors import redact_url
from earshot.bot.errors import FeedError

# When a server says the quota is used up but not when it comes back, wait this long.
DEFAULT_QUOTA_WAIT = 60.0
MAX_QUOTA_WAIT = 86400.0
_REMAINING = ("x-ratelimit-remaining", "ratelimit-remaining")
_RESET = ("x-ratelimit-reset", "ratelimit-reset")


def quota_wait(headers: httpx.Headers, now: datetime) -> float | None:
    """Seconds until the quota resets when the response says none is left (Reddit, Mastodon, Bluesky headers)."""
    remaining = _number(_first(headers, _REMAINING))
    if remaining is None or remaining >= 1:
        return None
    return reset_seconds(_first(headers, _RESET), now) or DEFAULT_QUOTA_WAIT


def reset_seconds(value: str | None, now: datetime) -> float | None:
    """A reset header as seconds from ``now``: seconds to wait (Reddit), a Unix time (Bluesky) or an ISO time
    (Mastodon); at least 1 s, at most a day; None when absent or unreadable."""
    if value is None:
        return None
    number = _number(value)
    if number is not None:
        wait = number - now.timestamp() if number > 1_000_000_000 else number
    else:
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        wait = (when - now).total_seconds()
    # No quota lasts longer than a day; a reset in the year 9999 (or past what a date holds) would stop the feed.
    return min(max(1.0, math.ceil(wait)), MAX_QUOTA_WAIT)


class Quota:
    """Remembers, per host, until when a server's rate-limit quota is used up, so no request is sent before."""

    def __init__(self, service: str, clock: Callable[[], datetime]) -> None:
        self._service = service
        self._clock = clock
        self._until: dict[str, datetime] = {}

    def check(self, url: str) -> None:
        """Raise FeedError with retry_after while the quota of ``url``'s host is used up."""
        until = self._until.get(_host(url))
        if until is None:
            return
        wait = (until - self._clock()).total_seconds()
        if wait <= 0:
            del self._until[_host(url)]
            return
        raise FeedError(
            f"the {self._service} rate limit is used up; it resets in {math.ceil(wait)} s",
            retry_after=math.ceil(wait),
        )

    def note(self, url: str, response: HttpResponse) -> None:
        """Record the quota a response reports."""
        wait = quota_wait(response.headers, self._clock())
        if wait is not None:
            self._until[_host(url)] = self._clock() + timedelta(seconds=wait)

    async def get(
        self, http: SafeHttp, url: str, *, headers: Mapping[str, str], params: Mapping[str, str] | None = None
    ) -> HttpResponse:
        """GET ``url`` with ``http`` unless its host's quota is used up (:meth:`check`); record what the answer says."""
        self.check(url)
        response = await http.get(url, params=params, headers=headers)
        self.note(url, response)
        return response


def raise_for_api(response: HttpResponse, service: str, *, denied: str, now: datetime) -> None:
    """Pass on 2xx; turn 429 (with Retry-After or the quota reset), 401/403 (with ``denied``, what to set or check)
    and other statuses into FeedErrors a person can act on."""
    if 200 <= response.status < 300:
        return
    shown = redact_url(response.url)
    if response.status == 429:
        wait = parse_retry_after(response.headers.get("retry-after"), now)
        if wait is None:
            wait = reset_seconds(_first(response.headers, _RESET), now) or DEFAULT_QUOTA_WAIT
        raise FeedError(
            f"{service} is rate limiting us (HTTP 429 from {shown}); retry after {wait:g} s", retry_after=wait
        )
    if response.status in (401, 403):
        detail = api_message(response)
        reason = f" ({detail})" if detail else ""
        raise FeedError(f"{service} refused the request (HTTP {response.status}{reason} from {shown}): {denied}")
    response.raise_for_status()


def api_message(response: HttpResponse) -> str:
    """The error text a JSON API put in its body ("error", "message", "error_description"), cut short; or ""."""
    try:
        body = response.json()
    except FeedError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [body.get(key) for key in ("error", "message", "error_description")]
    text = ": ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return text[:200]


def json_object(response: HttpResponse, service: str, what: str) -> Any:
    """The body as JSON, or FeedError saying that ``service`` sent something that is not ``what``."""
    try:
        return response.json()
    except FeedError as e:
        raise FeedError(f"{service} answered with something that is not {what}: {e}") from None


def _first(headers: httpx.Headers, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = headers.get(name)
        if isinstance(value, str):
            return value
    return None


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host
    except httpx.InvalidURL:
        return url


def iso_time(value: object) -> datetime | None:
    """An ISO 8601 time from JSON ("2025-05-19T17:10:09.561858Z"), in UTC; None when missing or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
