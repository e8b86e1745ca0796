"""Reading a page one item at a time: an item a source cannot read is skipped and said once, not the whole poll.

Every source reads each raw item (a search hit, a question, a status, a reply in a thread) through
:func:`read_items` or :func:`read_one`. A field no reader expected (an epoch past the year 9999, a malformed URL,
an id of a million digits) raises in that item's reader; the item is dropped, and the page's other items, the
poll and its cursor go on. What is wrong with the page as a whole (a body that is not JSON, a listing without
its list) is not an item's fault: sources raise FeedError for it outside these readers, and it still fails the
poll with its message.

The first skip of each kind (source, what, error type) in a process is a warning; the same again is logged at
debug level, so a bad item that stays in a feed for days does not log a warning every poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

log = logging.getLogger(__name__)

R = TypeVar("R")
T = TypeVar("T")

# What reading an unexpected value raises: wrong types (TypeError, AttributeError), missing keys and indexes
# (LookupError), bad values and text (ValueError, UnicodeError), numbers out of range (ArithmeticError: an epoch
# datetime cannot hold), and nesting deeper than a recursive reader goes.
UNREADABLE: tuple[type[Exception], ...] = (
    ArithmeticError,
    AttributeError,
    LookupError,
    RecursionError,
    TypeError,
    ValueError,
)
_SHOWN = 200  # characters of the error shown: it may quote the bad value, which may be megabytes long
_told: set[tuple[str, str, str]] = set()


def read_items(raws: Iterable[R], read: Callable[[R], T | None], *, source: str, what: str = "item") -> list[T]:
    """``read`` of each raw item, in order, leaving out the ones it returns None for and the ones it cannot read."""
    out: list[T] = []
    for raw in raws:
        item = read_one(read, raw, source=source, what=what)
        if item is not None:
            out.append(item)
    return out


def read_one(read: Callable[[R], T | None], raw: R, *, source: str, what: str = "item") -> T | None:
    """``read(raw)``, or None (logged, see the module) when the raw item holds something ``read`` cannot read."""
    try:
        return read(raw)
    except UNREADABLE as exc:
        skipped(source, what, exc)
        return None


def skipped(source: str, what: str, exc: BaseException) -> None:
    """Log that one ``what`` of ``source`` was skipped for ``exc``: a warning the first time, debug after."""
    kind = type(exc).__name__
    key = (source, what, kind)
    detail = str(exc)
    if len(detail) > _SHOWN:
        detail = detail[:_SHOWN] + "…"
    if key in _told:
        log.debug("%s: skipped an unreadable %s (%s: %s)", source, what, kind, detail)
        return
    _told.add(key)
    log.warning(
        "%s: skipped an unreadable %s (%s: %s); the rest of the page is kept (skips of this kind are logged at "
        "debug level from now on)",
        source,
        what,
        kind,
        detail,
    )
