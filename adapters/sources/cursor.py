"""The cursor of a newest-first source: the newest creation time seen and the ids near it.

A poll keeps what was created at or after ``newest - overlap`` and not among the ids already returned, so an
item indexed late, or two items with the same timestamp, is neither skipped nor repeated. A cursor may also
carry ``not_before``: the source asked for a pause (a Stack Exchange ``backoff``, an exhausted quota).

No time counts as later than the poll's "now": one item dated in the year 9999 (an API bug, a hostile poster's
client) would otherwise become ``newest``, and every later poll would ask only for items newer than it and find
nothing, silently, forever. Capped at now, the next poll still looks from ``now - overlap``, so items a little
ahead of our clock (skew) stay inside the window, and the future-dated item stays among the ids already returned.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from earshot.bot.domain import Conversation
from earshot.bot.errors import FeedError

log = logging.getLogger(__name__)

MAX_RECENT_IDS = 1000
# No API asks for a longer pause (Stack Exchange backoffs are capped at a day, quotas reset daily or hourly); a
# longer one in a cursor (a reset header of the year 9999, written before waits were bounded) would stop the feed.
MAX_PAUSE_SECONDS = 86400
FUTURE_WARNING_SECONDS = 86400  # an item dated further ahead than this is not clock skew: it is said once
_MAX_TOLD = 10_000  # future-dated items remembered as already warned about, so a flood of them cannot grow memory
_told_future: set[tuple[str, str]] = set()
When = TypeVar("When", int, datetime)


@dataclass(frozen=True)
class Window:
    """What a stored cursor says: the newest time seen (epoch seconds) and the ids already returned near it."""

    newest: int | None
    seen: frozenset[str]
    overlap: int
    now: int  # the poll's "now" (epoch seconds): no time counts as later
    source: str  # who the items come from, for the future-date warning

    @classmethod
    def read(cls, cursor: dict[str, Any], overlap: int, *, now: int, source: str) -> Window:
        """Read a cursor written by :meth:`next`; anything malformed counts as no cursor, a future newest as now."""
        newest = cursor.get("newest")
        raw_ids = cursor.get("recent_ids")
        seen = (
            frozenset(str(i) for i in raw_ids if isinstance(i, str | int)) if isinstance(raw_ids, list) else frozenset()
        )
        if not isinstance(newest, int) or isinstance(newest, bool):
            return cls(None, frozenset(), overlap, now, source)
        # A newest past now was written before times were capped (or by a clock that ran ahead): read as now.
        return cls(min(newest, now), seen, overlap, now, source)

    @property
    def floor(self) -> int | None:
        """The oldest creation time still worth a look, or None on a first poll."""
        return None if self.newest is None else self.newest - self.overlap

    def wants(self, external_id: str, created: int) -> bool:
        """Whether an item is new: inside the window and not returned before."""
        floor = self.floor
        return external_id not in self.seen and (floor is None or created >= floor)

    def next(self, times: dict[str, int], *, fallback: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """The cursor after a poll that saw ``times`` (id -> creation time); ``fallback`` is "now" for an empty feed."""
        times = not_after(times, self.now, source=self.source, ahead=lambda t: t - self.now)
        newest = max([*times.values(), *([self.newest] if self.newest is not None else [])], default=fallback)
        floor = newest - self.overlap
        recent = sorted((i for i, t in times.items() if t >= floor), key=lambda i: (-times[i], i))
        # Ids seen before but not this time (deleted, or past the page cap) have no time; keep them while the
        # old window still overlaps the new one.
        if self.newest is not None and self.newest >= floor:
            recent.extend(sorted(self.seen - times.keys()))
        cursor: dict[str, Any] = {"newest": newest, "recent_ids": recent[:MAX_RECENT_IDS]}
        cursor.update(extra or {})
        return cursor


@dataclass
class Page:
    """One page of a newest-first listing: the items with their creation times, and whether more follow."""

    items: list[tuple[Conversation, int]] = field(default_factory=list)
    has_more: bool = False
    # Items that sort first whatever their age (Discourse's pinned topics) do not say where the page ends.
    pinned: set[str] = field(default_factory=set)


async def walk(
    fetch_page: Callable[[int], Awaitable[Page]], window: Window, *, max_pages: int, seeding: bool
) -> tuple[list[Conversation], dict[str, int], bool]:
    """Read pages (numbered from 1) until one reaches back past the window; return new items, all times, capped.

    A first poll or a seeding one reads one page. ``capped`` is true when ``max_pages`` stopped the walk
    before it reached the window, so the oldest new items were not read.
    """
    items: list[Conversation] = []
    times: dict[str, int] = {}
    page_number = 1
    while True:
        page = await fetch_page(page_number)
        for item, created in page.items:
            if item.external_id in times:
                continue
            times[item.external_id] = created
            if window.wants(item.external_id, created):
                items.append(item)
        ordinary = [created for item, created in page.items if item.external_id not in page.pinned]
        floor = window.floor
        reached = floor is None or seeding or (bool(ordinary) and min(ordinary) < floor)
        if reached or not page.has_more or not page.items:
            return items, times, False
        if page_number >= max_pages:
            return items, times, True
        page_number += 1


def start(cursor: dict[str, Any], now: datetime, *, service: str, overlap: int, lookback: int) -> tuple[Window, int]:
    """A poll's window, and the oldest creation time to ask for (epoch seconds): the window's floor, or ``lookback``
    seconds before ``now`` on a first poll. Raises the FeedError of a pause the cursor still asks for."""
    paused = pause_error(cursor, now, service)
    if paused is not None:
        raise paused
    window = Window.read(cursor, overlap, now=int(now.timestamp()), source=service)
    since = window.floor if window.floor is not None else int(now.timestamp()) - lookback
    return window, since


def stop_if_paused(page: Page, pause: dict[str, Any], now: datetime, what: str) -> None:
    """Raise a FeedError saying ``what`` when a page has more after it but the server asked for a pause.

    ``pause`` is the cursor's extra ``{"not_before": <epoch seconds>}``, empty without a pause. Reading on would
    only meet a refusal (or break the server's backoff): the poll takes nothing, so the next one starts from the
    same cursor.
    """
    if page.has_more and pause:
        wait = max(0.0, pause["not_before"] - now.timestamp())
        raise FeedError(f"{what}; trying again in {wait:.0f} s", retry_after=wait)


def pause_error(cursor: dict[str, Any], now: datetime, service: str) -> FeedError | None:
    """A FeedError with the seconds left when the cursor's ``not_before`` is still ahead, else None."""
    not_before = cursor.get("not_before")
    if not isinstance(not_before, int | float) or isinstance(not_before, bool):
        return None
    try:
        wait = not_before - now.timestamp()
    except OverflowError:  # an int no float holds (written before backoffs were bounded): no real pause
        return None
    if wait <= 0 or wait > MAX_PAUSE_SECONDS:
        return None
    return FeedError(f"{service} asked for a pause; the next request may go in {wait:.0f} s", retry_after=wait)


def not_after(times: dict[str, When], now: When, *, source: str, ahead: Callable[[When], float]) -> dict[str, When]:
    """``times`` (id -> creation time) with none later than ``now``; an item more than a day ahead is warned about
    once (``ahead`` gives a time's seconds past now)."""
    capped: dict[str, When] = {}
    for external_id, when in times.items():
        if when > now:
            _tell_future(source, external_id, ahead(when))
            when = now
        capped[external_id] = when
    return capped


def _tell_future(source: str, external_id: str, seconds: float) -> None:
    if seconds <= FUTURE_WARNING_SECONDS or (source, external_id) in _told_future:
        return
    if len(_told_future) >= _MAX_TOLD:
        _told_future.clear()
    _told_future.add((source, external_id))
    log.warning(
        "%s: item %s is dated %.0f days ahead of this machine's clock; it counts as posted now, so the items "
        "after it are still found (said once per item)",
        source,
        external_id[:200],
        seconds / 86400,
    )


def ids(items: Iterable[Conversation]) -> list[str]:
    """The external ids of ``items``, in order (for logs and tests)."""
    return [item.external_id for item in items]
