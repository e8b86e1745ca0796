"""What the JSON API sources share: one GET with rate limits and credential errors explained, and small readers."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from earshot.adapters.http import HttpResponse, SafeHttp, load_json, parse_retry_after
from earshot.adapters.http.errors import redact_url
from earshot.bot.errors import ConfigError, FeedError

MAX_QUOTA_WAIT = 86400.0

Explain = Callable[[HttpResponse, Any], FeedError | None]
"""A source's reading of an error answer (its status and parsed body, or None) into a FeedError, or None."""


def quota_wait(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds until the quota resets when ``X-RateLimit-Remaining`` says none is left; None otherwise."""
    remaining = headers.get("x-ratelimit-remaining")
    if remaining is None or remaining.strip() != "0":
        return None
    reset = headers.get("x-ratelimit-reset", "").strip()
    try:
        value = float(reset)
    except ValueError:
        return 60.0  # out of quota, reset unknown: a minute is the shortest window these APIs use
    if not math.isfinite(value):
        return 60.0
    # An epoch (GitHub) or a delay in seconds (some servers); epochs are far larger than any sane delay.
    wait = value - now.timestamp() if value > 1_000_000_000 else value
    # A reset beyond a day (the year 9999 from a broken proxy) would pause the feed for good: no quota lasts that long.
    return min(max(1.0, wait), MAX_QUOTA_WAIT)


async def get_json(
    http: SafeHttp,
    url: str,
    *,
    service: str,
    now: datetime,
    auth_hint: str,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
    explain: Explain | None = None,
    gone: str | None = None,
) -> tuple[HttpResponse, Any]:
    """GET ``url`` and parse its JSON body; every failure is a FeedError a person can act on.

    ``auth_hint`` says which environment variable to set or check on a 401 or 403; ``explain`` lets a source
    turn its own error bodies into messages first; ``gone`` is the message for a 404 or 410 (a deleted item).
    """
    response = await http.get(url, headers=headers, params=params)
    if gone is not None and response.status in (404, 410):
        raise FeedError(f"{gone} (HTTP {response.status})")
    check_status(response, service=service, now=now, auth_hint=auth_hint, explain=explain)
    return response, parse_json(response, service)


def check_status(
    response: HttpResponse, *, service: str, now: datetime, auth_hint: str, explain: Explain | None = None
) -> None:
    """Pass a 2xx answer; raise the FeedError that explains any other (rate limit, credentials, gone, ...)."""
    if not 200 <= response.status < 300:
        raise _error(response, service=service, now=now, auth_hint=auth_hint, explain=explain)


def parse_json(response: HttpResponse, service: str) -> Any:
    """The body as JSON, or a FeedError saying the answer was not JSON."""
    try:
        return load_json(response.content)
    except (ValueError, RecursionError) as e:  # bad JSON, bad UTF-8, or nesting deeper than the parser goes
        raise FeedError(f"{service} answered {redact_url(response.url)} with a body that is not JSON ({e})") from e


def _error(
    response: HttpResponse, *, service: str, now: datetime, auth_hint: str, explain: Explain | None
) -> FeedError:
    status = response.status
    try:
        body: Any = load_json(response.content)
    except (ValueError, RecursionError):
        body = None
    if explain is not None:
        explained = explain(response, body)
        if explained is not None:
            return explained
    shown = redact_url(response.url)
    retry_after = parse_retry_after(response.headers.get("retry-after"), now)
    out_of_quota = quota_wait(response.headers, now)
    if status == 429 or (status == 403 and (retry_after is not None or out_of_quota is not None)):
        wait = retry_after if retry_after is not None else out_of_quota
        if wait is None:
            wait = 60.0
        return FeedError(
            f"{service} rate limit reached (HTTP {status} from {shown}); retrying in {wait:g} s", retry_after=wait
        )
    if status == 401:
        return FeedError(f"{service} refused the credentials (HTTP 401 from {shown}): {auth_hint}")
    if status == 403:
        return FeedError(f"{service} refused access (HTTP 403 from {shown}): {auth_hint}")
    if status == 404:
        return FeedError(f"{service} has nothing at {shown} (HTTP 404); check the feed's url and options")
    detail = _message(body)
    text = f"{service} answered HTTP {status} from {shown}"
    if detail:
        text += f": {detail}"
    return FeedError(text, retry_after=retry_after)


def _message(body: Any) -> str:
    """The ``message`` most JSON APIs put in an error body, shortened."""
    if isinstance(body, dict):
        for key in ("message", "error_message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())[:300]
    return ""


def as_int(value: object) -> int | None:
    """An int from a JSON number (not a bool, not a fraction), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_str(value: object) -> str:
    """A JSON string stripped, or "" for anything else."""
    return value.strip() if isinstance(value, str) else ""


def as_dict(value: object) -> dict[str, Any]:
    """A JSON object, or an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """A JSON array, or an empty one."""
    return value if isinstance(value, list) else []


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 timestamp ("Z" or an offset) or epoch seconds as UTC, or None when unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, ValueError, OSError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def option_list(value: object, what: str, example: str) -> list[str]:
    """An option given as a list of strings or one string separated by commas or semicolons; ValueError else."""
    if isinstance(value, str):
        items = [part.strip() for part in value.replace(";", ",").split(",")]
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        raise ValueError(f"{what} must be a list of words, like {example}; got {value!r}")
    return [i for i in dict.fromkeys(items) if i]


def include_option(raw: object, allowed: tuple[str, ...], where: str, example: str) -> tuple[str, ...]:
    """What a feed's ``include`` option names: one of ``allowed`` or a list of them (repeats dropped); a
    ConfigError saying what to write otherwise."""
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list | tuple) or not values or any(v not in allowed for v in values):
        names = " and/or ".join(f'"{name}"' for name in allowed)
        raise ConfigError(f"{where}: include must list {names}, like include = {example}; got {raw!r}")
    return tuple(dict.fromkeys(values))


def option_flag(value: object, what: str) -> bool:
    """A true/false option (the CLI passes text)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    raise ValueError(f"{what} must be true or false; got {value!r}")
