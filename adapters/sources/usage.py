"""A paid or metered API's use per day, kept in a feed's cursor: what `earshot status` shows and what a daily
cap in the feed's options compares against.

The cursor is stored with every successful poll, so the counts survive restarts and are shared by every replica
that polls the feed (one at a time, under the feed's lease). A new day (UTC, or the service's own time zone, which
the cursor then names) starts from zero.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from earshot.bot.errors import FeedError

KEY = "usage"
"""The cursor key holding ``{"day": "YYYY-MM-DD", <counter>: <int>, ...}``, with ``zone`` (or
``utc_offset_minutes``) when the day is not counted in UTC."""


ZONE = "zone"
"""Beside ``day``: the IANA time zone the day is counted in, when not UTC (YouTube's quota day is Pacific Time)."""
OFFSET = "utc_offset_minutes"
"""Beside ``day``, when the zone has no name (no time zone database): its fixed offset from UTC."""


def today(cursor: dict[str, Any], now: datetime) -> dict[str, int]:
    """The counters the cursor holds for the day ``now`` falls on, in the time zone they were counted in (UTC
    unless they say otherwise); empty on another day or without any."""
    raw = cursor.get(KEY)
    if not isinstance(raw, dict):
        return {}
    if raw.get("day") != _in_zone_of(raw, now).date().isoformat():
        return {}
    return {
        k: v
        for k, v in raw.items()
        if k not in ("day", ZONE, OFFSET) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
    }


def stored(counts: dict[str, int], now: datetime) -> dict[str, Any]:
    """The cursor value for ``counts`` on ``now``'s day, in ``now``'s time zone (named when it is not UTC)."""
    value: dict[str, Any] = {"day": now.date().isoformat(), **counts}
    name = getattr(now.tzinfo, "key", None)
    offset = now.utcoffset()
    if isinstance(name, str) and name != "UTC":
        value[ZONE] = name
    elif name is None and offset:
        value[OFFSET] = int(offset.total_seconds() // 60)
    return value


def _in_zone_of(raw: dict[str, Any], now: datetime) -> datetime:
    zone, offset = raw.get(ZONE), raw.get(OFFSET)
    if isinstance(zone, str):
        try:
            return now.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            return now
    if isinstance(offset, int) and not isinstance(offset, bool) and abs(offset) < 24 * 60:
        return now.astimezone(timezone(timedelta(minutes=offset)))
    return now  # counted in UTC (the caller's clock is UTC), or stored before the zone was recorded


def seconds_to_midnight(now: datetime) -> float:
    """Seconds until the next midnight in ``now``'s time zone (UTC for most), when daily counters start again."""
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1.0, (midnight - now).total_seconds())


def cap_reached(
    service: str, what: str, used: int, cap: int, option: str, now: datetime, *, reset: str = "midnight UTC"
) -> FeedError:
    """The FeedError that pauses a feed until the day's end (``now``'s midnight, called ``reset``): the cap, how much
    was used, and what to change."""
    wait = seconds_to_midnight(now)
    return FeedError(
        f"{service} daily cap reached: {used} {what} today of the {cap} the feed allows (options.{option}); "
        f"the feed is paused until {reset}, in {wait / 3600:.1f} h (raise {option} to read more)",
        retry_after=wait,
    )


def charged(error: FeedError, spent: dict[str, int]) -> FeedError:
    """``error`` as raised midway by a metered request (a thread read, say), saying what was ``spent`` by then."""
    return FeedError(str(error), retry_after=error.retry_after, usage={k: v for k, v in spent.items() if v > 0})


def spent_before_failing(
    error: FeedError, cursor: dict[str, Any], before: dict[str, int], spent: dict[str, int], now: datetime
) -> FeedError:
    """``error`` as raised midway by a metered poll: what was ``spent`` by then, and the cursor to keep (the same,
    with the day's counts ``before`` the poll, on ``now``'s day, added to), so that a failing poll's requests still
    count against the daily cap."""
    failed = charged(error, spent)
    counts = {k: before.get(k, 0) + spent.get(k, 0) for k in {*before, *spent}}
    failed.cursor = {**cursor, KEY: stored(dict(sorted(counts.items())), now)}
    return failed
