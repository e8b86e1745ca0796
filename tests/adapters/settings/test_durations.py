"""Durations and sizes as people write them: good ones parse, bad ones say how to write them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.adapters.settings import format_duration, format_size, parse_duration, parse_size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("2m", timedelta(minutes=2)),
        ("15m", timedelta(minutes=15)),
        ("1h", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("250ms", timedelta(milliseconds=250)),
        ("2w", timedelta(days=14)),
        ("1w3d", timedelta(days=10)),
        ("1.5h", timedelta(minutes=90)),
        ("0s", timedelta(0)),
        (" 5m ", timedelta(minutes=5)),
    ],
)
def test_parse_duration_reads_good_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "90",
        "2 minutes",
        "2 m",
        "m",
        "1h 30m",
        "30m1h",
        "1h1h",
        "-5s",
        "5x",
        "1.h",
        "h1",
        "1,5h",
        "1e3s",
        "1H",
        "3d1w",
    ],
)
def test_parse_duration_refuses_bad_durations_with_a_hint(text: str) -> None:
    with pytest.raises(ValueError, match=r'not a duration; use a number and a unit, like "90s", "15m", "1h"'):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5MB", 5 * 1024 * 1024),
        ("512KB", 512 * 1024),
        ("1GB", 1024**3),
        ("800B", 800),
        ("800", 800),
        (800, 800),
        ("5mb", 5 * 1024 * 1024),
        ("5 MB", 5 * 1024 * 1024),
        ("1.5MB", 1536 * 1024),
        ("64KiB", 64 * 1024),
    ],
)
def test_parse_size_reads_good_sizes(text: str | int, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "5 potatoes", "5TB", "-5MB", "five MB", "5M B", -1])
def test_parse_size_refuses_bad_sizes_with_a_hint(text: str | int) -> None:
    with pytest.raises(ValueError, match=r'not a size; use a number and a unit, like "512KB", "5MB"'):
        parse_size(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(seconds=90), "1m30s"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(days=1), "1d"),
        (timedelta(milliseconds=250), "250ms"),
        (timedelta(0), "0s"),
    ],
)
def test_format_duration_writes_what_parse_reads(value: timedelta, text: str) -> None:
    assert format_duration(value) == text
    assert parse_duration(text) == value


@pytest.mark.parametrize(("value", "text"), [(5 * 1024**2, "5MB"), (512 * 1024, "512KB"), (1000, "1000B")])
def test_format_size_writes_what_parse_reads(value: int, text: str) -> None:
    assert format_size(value) == text
    assert parse_size(text) == value
