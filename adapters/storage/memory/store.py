"""The in-memory store: units of work over plain dicts, with the transaction semantics of the SQL one."""

from __future__ import annotations

import asyncio
import copy
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from earshot.adapters.storage.memory.actions import ActionsPart
from earshot.adapters.storage.memory.catalog import CatalogPart
from earshot.adapters.storage.memory.delivering import DeliveringPart
from earshot.adapters.storage.memory.finding import FindingPart
from earshot.adapters.storage.memory.followup import FollowUpPart
from earshot.adapters.storage.memory.retention import RetentionPart
from earshot.adapters.storage.memory.state import Tables, utc

if TYPE_CHECKING:
    from earshot.bot.ports import Store, Unit


class MemoryUnit(CatalogPart, FindingPart, DeliveringPart, ActionsPart, FollowUpPart, RetentionPart):
    """One transaction on a private copy of the tables; implements :class:`earshot.bot.ports.Unit`."""


def _times_in_utc(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def wrapper(self: MemoryUnit, *args: Any, **kwargs: Any) -> Any:
        return await method(self, *(utc(a) for a in args), **{k: utc(v) for k, v in kwargs.items()})

    return wrapper


# Every time a port method takes is stored as the SQL columns store it (see ``utc``).
for _name, _method in inspect.getmembers(MemoryUnit, inspect.iscoroutinefunction):
    if not _name.startswith("_"):
        setattr(MemoryUnit, _name, _times_in_utc(_method))


class MemoryDatabase:
    """The tables several stores share, as several processes share one database."""

    def __init__(self) -> None:
        self.tables = Tables()
        # One unit at a time, as SQLite's BEGIN IMMEDIATE: every race a port names (a claim, a lease, a budget)
        # has one winner, and the second sees what the first committed.
        self.lock = asyncio.Lock()
        self.holder: asyncio.Task[object] | None = None


class MemoryStore:
    """Opens units of work on a :class:`MemoryDatabase`; implements :class:`earshot.bot.ports.Store`.

    Changes are visible to other units only once the ``async with`` block ends; an exception inside it discards
    them all. Stores made on one database behave as processes sharing it.
    """

    def __init__(self, database: MemoryDatabase | None = None) -> None:
        self.database = database if database is not None else MemoryDatabase()

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[MemoryUnit]:
        """Begin a transaction: committed when the block ends, rolled back if it raises."""
        database = self.database
        task = asyncio.current_task()
        if task is not None and database.holder is task:
            # SQLite would wait on its own write lock until the busy timeout; fail at once and say why.
            raise RuntimeError("a unit of work was opened inside another one in the same task")
        async with database.lock:
            database.holder = task
            try:
                working = copy.deepcopy(database.tables)
                yield MemoryUnit(working)
                database.tables = working  # commit: only now do other units see the changes
            finally:
                database.holder = None

    async def close(self) -> None:
        """Nothing to release (as ``SqlStore.close``, for code that closes what it opened)."""


if TYPE_CHECKING:

    def _implements_the_ports(store: MemoryStore, unit: MemoryUnit) -> tuple[Store, Unit]:
        # mypy checks the structural match here, so a drift from earshot.bot.ports fails the type check.
        return store, unit
