"""When to poll next and how long to wait after a failure: pure functions of time and counts."""

from __future__ import annotations

from datetime import datetime, timedelta

RETRY_BASE = timedelta(seconds=60)
"""The first retry of a failing feed comes after this, or after its interval if that is shorter."""

DELIVERY_RETRY_BASE = timedelta(seconds=5)


def next_poll_at(now: datetime, every: timedelta, jitter: float, rand: float) -> datetime:
    """The next regular poll: ``every`` from now, moved by up to ``jitter`` of it either way (``rand`` in [0, 1))."""
    spread = every * jitter * (2 * rand - 1)
    return now + every + spread


def feed_backoff(
    every: timedelta, failures: int, max_backoff: timedelta, retry_after: float | None = None
) -> timedelta:
    """How long a feed that failed ``failures`` times in a row waits: doubling from a base, capped.

    A source's own ``Retry-After`` is honoured even past the cap: asking sooner would only fail again.
    """
    base = min(every, RETRY_BASE)
    delay = min(max_backoff, base * _doubling(failures))
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def delivery_backoff(attempts: int, max_backoff: timedelta, retry_after: float | None = None) -> timedelta:
    """How long an alert that failed delivery ``attempts`` times waits before the next attempt."""
    delay = min(max_backoff, DELIVERY_RETRY_BASE * _doubling(attempts))
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def _doubling(count: int) -> int:
    """1, 2, 4, ... for the 1st, 2nd, 3rd failure; bounded so a long outage cannot overflow a timedelta."""
    return 1 << min(max(0, count - 1), 20)
