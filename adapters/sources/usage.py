"""A paid or metered API's use per UTC day, kept in a feed's cursor: what `earshot status` shows and what a daily
cap in the feed's options compares against.

The cursor is stored with every successful poll, so the counts survive restarts and are shared by every replica
that polls the feed (one at a time, under the feed's lease). A new UTC day starts from zero.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from earshot.bot.errors import FeedError

KEY = "usage"
"""The cursor key holding ``{"day": "YYYY-MM-DD", <counter>: <int>, ...}``."""


def today(cursor: dict[str, Any], now: datetime) -> dict[str, int]:
    """The counters the cursor holds for ``now``'s UTC day; empty on another day or without any."""
    raw = cursor.get(KEY)
    if not isinstance(raw, dict) or raw.get("day") != now.date().isoformat():
        return {}
    return {k: v for k, v in raw.items() if k != "day" and isinstance(v, int) and not isinstance(v, bool) and v >= 0}


def stored(counts: dict[str, int], now: datetime) -> dict[str, Any]:
    """The cursor value for ``counts`` on ``now``'s UTC day."""
    return {"day": now.date().isoformat(), **counts}


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
