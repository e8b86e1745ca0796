"""Storage ports: small Protocols, one per capability, and the unit of work that composes them.

A unit of work is one transaction: everything a block of ``async with store.unit() as unit`` does is visible to others
only once the block ends, and an exception rolls all of it back. Each capability below is a Protocol of a few methods
with its contract in its docstrings; a core service asks for the ones it uses (``StoreOf[SomeUnit]``, where
``SomeUnit`` inherits those capabilities), so its signature says what it touches. :class:`Unit` is all of them, what a
store implements. Two implementations pass the same contract tests: ``earshot.adapters.storage.SqlStore`` (SQLite,
PostgreSQL) and ``earshot.adapters.storage.memory.MemoryStore`` (plain dicts).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeVar

from earshot.bot.ports.storage.actions import Claiming, Lookup, People, Team
from earshot.bot.ports.storage.catalog import Audit, ConfigSync, Feeds, Topics
from earshot.bot.ports.storage.delivering import FloodGuard, Metering, Outbox, Refreshes, Summaries
from earshot.bot.ports.storage.finding import Feedback, Polling
from earshot.bot.ports.storage.followup import Checks, FollowUps, Reporting
from earshot.bot.ports.storage.retention import Retention
from earshot.bot.records import Backlog, DayUsage, DeliveryProblem, DueCheck, NewAlert, StoredConversation, SyncReport

__all__ = [
    "CAPABILITIES",
    "Audit",
    "Backlog",
    "Checks",
    "Claiming",
    "ConfigSync",
    "DayUsage",
    "DeliveryProblem",
    "DueCheck",
    "Feedback",
    "Feeds",
    "FloodGuard",
    "FollowUps",
    "Lookup",
    "Metering",
    "NewAlert",
    "Outbox",
    "People",
    "Polling",
    "Refreshes",
    "Reporting",
    "Retention",
    "Store",
    "StoreOf",
    "StoredConversation",
    "Summaries",
    "SyncReport",
    "Team",
    "Topics",
    "Unit",
]


class Unit(
    Topics,
    Feeds,
    ConfigSync,
    Audit,
    Polling,
    Feedback,
    Outbox,
    FloodGuard,
    Summaries,
    Metering,
    Refreshes,
    Claiming,
    People,
    Team,
    Lookup,
    FollowUps,
    Checks,
    Reporting,
    Retention,
    Protocol,
):
    """One transaction with every capability: leaving the ``async with`` commits; an exception rolls back.

    Of two units changing the same rows at once, the second sees the first's changes or waits for them: the
    races the capabilities name (a claim, a lease, a budget, a report slot) each have one winner.
    """


CAPABILITIES: tuple[type, ...] = tuple(base for base in Unit.__bases__ if base is not Protocol)
"""The capability Protocols a :class:`Unit` is made of, in order."""

U_co = TypeVar("U_co", covariant=True)


class StoreOf(Protocol[U_co]):
    """Opens units of work that have (at least) the capabilities ``U_co``."""

    def unit(self) -> AbstractAsyncContextManager[U_co]:
        """Begin a transaction: committed when the block ends, rolled back if it raises."""
        ...


Store = StoreOf[Unit]
"""A store whose units have every capability."""
