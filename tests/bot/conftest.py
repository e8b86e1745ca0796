"""The core's service tests run on the in-memory twin of the store: no database to migrate or copy per test.

The twin passes the same storage contract tests as SQLite and PostgreSQL (``tests/adapters/storage``); the SQL
path of these services is covered end to end (``tests/e2e``, and the adapters' tests that run the real store).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from earshot.adapters.storage.memory import MemoryDatabase, MemoryStore


@pytest.fixture
def make_store() -> Callable[[], MemoryStore]:
    """Makes stores on one in-memory database, as processes sharing one database."""
    database = MemoryDatabase()
    return lambda: MemoryStore(database)


@pytest.fixture
def store(make_store: Callable[[], MemoryStore]) -> MemoryStore:
    """A store on a fresh, empty in-memory database."""
    return make_store()
