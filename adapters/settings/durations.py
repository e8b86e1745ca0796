"""Durations and sizes as people write them; the parsing lives in the core (:mod:`earshot.bot.durations`), shared
with chat."""

from __future__ import annotations

from earshot.bot.durations import (
    DURATION_HINT,
    SIZE_HINT,
    format_duration,
    format_size,
    parse_duration,
    parse_size,
)

__all__ = ["DURATION_HINT", "SIZE_HINT", "format_duration", "format_size", "parse_duration", "parse_size"]
