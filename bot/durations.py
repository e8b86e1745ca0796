"""Durations ("90s", "15m", "1h30m") and sizes ("512KB", "5MB") as people write them in the config file and chat."""

from __future__ import annotations

import re
from datetime import timedelta

DURATION_HINT = 'use a number and a unit, like "90s", "15m", "1h"'
SIZE_HINT = 'use a number and a unit, like "512KB", "5MB"'

_DURATION_UNITS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_PARSE_ORDER = ("w", "d", "h", "m", "s", "ms")
_DURATION_ORDER = ("d", "h", "m", "s", "ms")  # written back in days at most: "14d" reads plainer than "2w"
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|w|d|h|m|s)")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def parse_duration(text: str) -> timedelta:
    """Parse "90s", "2m", "1h30m", "1d", "2w", "250ms" or "1.5h"; raise ValueError with a hint otherwise.

    Parts go from the largest unit to the smallest, each unit once; there are no spaces inside.
    """
    if not isinstance(text, str):
        raise ValueError(f"not a duration; {DURATION_HINT}")
    compact = text.strip()
    position = 0
    seconds = 0.0
    last_rank = -1
    for match in _DURATION_PART.finditer(compact):
        rank = _PARSE_ORDER.index(match.group(2))
        if match.start() != position or rank <= last_rank:
            break
        seconds += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        position = match.end()
        last_rank = rank
    if not compact or position != len(compact):
        raise ValueError(f"not a duration; {DURATION_HINT}")
    return timedelta(seconds=seconds)


def parse_size(text: str | int) -> int:
    """Parse "5MB", "512KB", "1GB" or "800B" (1KB = 1024 bytes) into bytes; a bare whole number is bytes."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(f"not a size; {SIZE_HINT}")
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"not a size; {SIZE_HINT}")
        return text
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a size; {SIZE_HINT}")
    unit = (match.group(2) or "b").lower().replace("i", "")
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


def format_duration(value: timedelta) -> str:
    """Write a duration the way the config file does: 5400 s -> "1h30m", 0.25 s -> "250ms"."""
    total_ms = round(value.total_seconds() * 1000)
    if total_ms == 0:
        return "0s"
    parts: list[str] = []
    for unit in _DURATION_ORDER:
        size = round(_DURATION_UNITS[unit] * 1000)
        count, total_ms = divmod(total_ms, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def format_size(value: int) -> str:
    """Write a byte count the way the config file does: 5242880 -> "5MB", 1000 -> "1000B"."""
    for unit in ("GB", "MB", "KB"):
        size = _SIZE_UNITS[unit.lower()]
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}B"
