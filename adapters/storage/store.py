"""The SQL store: units of work over SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from earshot.adapters.storage.catalog import CatalogMixin
from earshot.adapters.storage.claims import ClaimsMixin
from earshot.adapters.storage.context import ContextMixin
from earshot.adapters.storage.delivery import DeliveryMixin
from earshot.adapters.storage.engine import create_engine
from earshot.adapters.storage.flood import FloodMixin
from earshot.adapters.storage.lookup import LookupMixin
from earshot.adapters.storage.people import PeopleMixin
from earshot.adapters.storage.polling import PollingMixin
from earshot.adapters.storage.retention import RetentionMixin
from earshot.adapters.storage.stats import StatsMixin
from earshot.adapters.storage.sync import SyncMixin
from earshot.adapters.storage.team import TeamMixin

if TYPE_CHECKING:
    from earshot.bot.ports import Store, Unit


class SqlUnit(
    CatalogMixin,
    SyncMixin,
    PollingMixin,
    DeliveryMixin,
    FloodMixin,
    LookupMixin,
    ClaimsMixin,
    PeopleMixin,
    ContextMixin,
    TeamMixin,
    StatsMixin,
    RetentionMixin,
):
    """One transaction on one connection; implements :class:`earshot.bot.ports.Unit`."""


class SqlStore:
    """Opens units of work on an engine; implements :class:`earshot.bot.ports.Store`.

    Keep units short and free of network calls: on SQLite a unit holds the database's write lock throughout.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> SqlStore:
        """A store on a new engine for ``url``."""
        return cls(create_engine(url))

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SqlUnit]:
        """Begin a transaction: committed when the block ends, rolled back if it raises."""
        async with self.engine.begin() as connection:
            yield SqlUnit(connection)

    async def close(self) -> None:
        """Close the engine's connections."""
        await self.engine.dispose()


if TYPE_CHECKING:

    def _implements_the_ports(store: SqlStore, unit: SqlUnit) -> tuple[Store, Unit]:
        # mypy checks the structural match here, so a drift from earshot.bot.ports fails the type check.
        return store, unit
