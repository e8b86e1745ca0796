"""How thread reads' usage counters are named in the ``budgets`` table, shared by the SQL store and its twin."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from earshot.bot.records import DayUsage

USAGE_PREFIX = "usage:"
"""Budget rows named ``usage:<kind>:<what>`` are usage counters (the language-model budget has another name)."""
_MAX = 50  # the width of budgets.name


def usage_name(kind: str, what: str) -> str | None:
    """The row name of one counter, or None when it would not fit or could not be read back."""
    name = f"{USAGE_PREFIX}{kind}:{what}"
    return name if len(name) <= _MAX and kind and what and ":" not in kind else None


def day_usages(rows: Iterable[tuple[str, date, int]]) -> list[DayUsage]:
    """(name, day, used) rows as DayUsage records, by kind and then day."""
    grouped: dict[tuple[str, date], dict[str, int]] = {}
    for name, day, used in rows:
        kind, _, what = name.removeprefix(USAGE_PREFIX).partition(":")
        grouped.setdefault((kind, day), {})[what] = int(used)
    return [DayUsage(kind, day, dict(sorted(counts.items()))) for (kind, day), counts in sorted(grouped.items())]
