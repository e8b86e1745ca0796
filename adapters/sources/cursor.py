"""The cursor of a newest-first source: the newest creation time seen and the ids near it.

A poll keeps what was created at or after ``newest - overlap`` and not among the ids already returned, so an
item indexed late, or two items with the same timestamp, is neither skipped nor repeated. A cursor may also
carry ``not_before``: the source asked for a pause (a Stack Exchange ``backoff``, an exhausted quota).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain import Conversation
from bot.errors import FeedError

MAX_RECENT_IDS = 1000


@dataclass(frozen=True)
class Window:
    """What a stored cursor says: the newest time seen (epoch seconds) and the ids already returned near it."""

    newest: int | None
    seen: frozenset[str]
    overlap: int

    @classmethod
    def read(cls, cursor: dict[str, Any], overlap: int) -> Window:
        """Read a cursor written by :meth:`next`; anything malformed counts as no cursor."""
        newest = cursor.get("newest")
        raw_ids = cursor.get("recent_ids")
        seen = (
            frozenset(str(i) for i in raw_ids if isinstance(i, str | int)) if isinstance(raw_ids, list) else frozenset()
        )
        ok = isinstance(newest, int) and not isinstance(newest, bool)
        return cls(newest if ok else None, seen if ok else frozenset(), overlap)  # type: ignore[arg-type]

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
    window = Window.read(cursor, overlap)
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
    if wait <= 0:
        return None
    return FeedError(f"{service} asked for a pause; the next request may go in {wait:.0f} s", retry_after=wait)


def ids(items: Iterable[Conversation]) -> list[str]:
    """The external ids of ``items``, in order (for logs and tests)."""
    return [item.external_id for item in items]
