"""Poll spacing, jitter and backoff are pure functions of their inputs."""

from datetime import UTC, datetime, timedelta

import pytest

from earshot.bot.timing import delivery_backoff, feed_backoff, next_poll_at

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("rand", "expected"), [(0.0, 108), (0.5, 120), (0.99999, 132)])
def test_next_poll_spreads_by_jitter(rand: float, expected: int) -> None:
    got = next_poll_at(NOW, timedelta(minutes=2), 0.1, rand)
    assert round((got - NOW).total_seconds()) == expected


@pytest.mark.parametrize(
    ("every", "failures", "seconds"),
    [
        (timedelta(minutes=15), 1, 60),
        (timedelta(minutes=15), 2, 120),
        (timedelta(minutes=15), 5, 960),
        (timedelta(seconds=30), 1, 30),
        (timedelta(seconds=30), 3, 120),
        (timedelta(minutes=15), 20, 6 * 3600),  # capped
    ],
)
def test_feed_backoff_doubles_up_to_the_cap(every: timedelta, failures: int, seconds: int) -> None:
    assert feed_backoff(every, failures, timedelta(hours=6)).total_seconds() == seconds


def test_feed_backoff_honours_retry_after_even_past_the_cap() -> None:
    assert feed_backoff(timedelta(minutes=2), 1, timedelta(minutes=1), retry_after=600).total_seconds() == 600
    assert feed_backoff(timedelta(minutes=2), 3, timedelta(hours=1), retry_after=5).total_seconds() == 240


def test_delivery_backoff() -> None:
    assert [delivery_backoff(n, timedelta(hours=1)).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]
    assert delivery_backoff(30, timedelta(hours=1)).total_seconds() == 3600
    assert delivery_backoff(1, timedelta(hours=1), retry_after=30).total_seconds() == 30


def test_a_long_outage_does_not_overflow() -> None:
    assert feed_backoff(timedelta(days=7), 10_000, timedelta(days=7)) == timedelta(days=7)
    assert delivery_backoff(10_000, timedelta(days=1)) == timedelta(days=1)
