"""The storage contract runs against every store: SQL (SQLite, or PostgreSQL with ``EARSHOT_TEST_DATABASE_URL``)
and the in-memory twin.

Each test here that uses ``store`` or ``make_store`` runs once per backend (ids ``[sql]`` and ``[memory]``), except
the modules and tests about SQL itself (migrations, the engine, column types, the leader's advisory lock, or
reading tables directly), marked ``sql_only`` or listed in ``SQL_ONLY_MODULES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from earshot.adapters.storage.memory import MemoryDatabase, MemoryStore

if TYPE_CHECKING:
    from earshot.adapters.storage import SqlStore

# Modules about SQL itself: the schema and its migrations, the engine's settings, what the column types store,
# the leader's PostgreSQL advisory lock and the query plans. The twin has none of these.
SQL_ONLY_MODULES = frozenset({"test_migrations", "test_engine", "test_storable", "test_leader", "test_plans"})


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (the suite runs with --strict-markers)."""
    config.addinivalue_line("markers", "sql_only: a storage test about SQL itself, not run against the twin")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each contract test once per backend."""
    if "backend" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    sql_only = module in SQL_ONLY_MODULES or metafunc.definition.get_closest_marker("sql_only") is not None
    metafunc.parametrize("backend", ["sql"] if sql_only else ["sql", "memory"])


@pytest.fixture
def make_store(backend: str, request: pytest.FixtureRequest) -> Callable[[], Any]:
    """Makes stores on one database: the SQL one (the fixture this overrides), or one :class:`MemoryDatabase`."""
    if backend == "sql":
        # Asked for only here, so the twin's runs create no SQL database (on PostgreSQL, one per test). The template
        # first: database_url starts as a copy of it only when the test has asked for it by then.
        request.getfixturevalue("migrated_template")
        sql: Callable[[], SqlStore] = request.getfixturevalue("make_store")
        return sql
    database = MemoryDatabase()
    return lambda: MemoryStore(database)
