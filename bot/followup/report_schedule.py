"""When the weekly report is due: "mon 09:00" in a time zone, as pure functions of the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKLY_HINT = 'write a day and a time, like "mon 09:00"'


@dataclass(frozen=True, slots=True)
class Weekly:
    """A weekly moment: ``weekday`` 0 (Monday) to 6, a time of day, in the IANA time zone ``timezone``."""

    weekday: int
    at: time
    timezone: str = "UTC"

    def zone(self) -> ZoneInfo:
        """The time zone."""
        return ZoneInfo(self.timezone)


def parse_weekly(text: str, timezone: str = "UTC") -> Weekly:
    """Read "mon 09:00" (any case; full day names too); raise ValueError saying what would be right."""
    parts = text.strip().lower().split()
    if len(parts) != 2:
        raise ValueError(f"not a day and a time; {WEEKLY_HINT}")
    day, clock = parts
    names = {**{name: i for i, name in enumerate(DAYS)}, **{name: i for i, name in enumerate(FULL_DAYS)}}
    if day not in names:
        raise ValueError(f"{day!r} is not a day; use one of {', '.join(DAYS)}")
    try:
        hour, minute = (int(p) for p in clock.split(":"))
        at = time(hour, minute)
    except ValueError:
        raise ValueError(f"{clock!r} is not a time of day; {WEEKLY_HINT}") from None
    check_timezone(timezone)
    return Weekly(names[day], at, timezone)


def check_timezone(name: str) -> str:
    """An IANA time zone name ("UTC", "Europe/Paris"); raise ValueError otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'{name!r} is not a time zone; use an IANA name like "UTC" or "Europe/Paris"') from None
    return name


def last_slot(now: datetime, weekly: Weekly) -> datetime:
    """The latest weekly moment at or before ``now``, in UTC."""
    zone = weekly.zone()
    local = now.astimezone(zone)
    days_back = (local.weekday() - weekly.weekday) % 7
    day = (local - timedelta(days=days_back)).date()
    slot = datetime.combine(day, weekly.at, tzinfo=zone)
    if slot > local:
        slot = datetime.combine(day - timedelta(days=7), weekly.at, tzinfo=zone)
    return slot.astimezone(UTC)
