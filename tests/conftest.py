"""Shared fixtures: a fresh database per test, and a migrated store on it.

``database_url`` is a new SQLite file by default. With ``EARSHOT_TEST_DATABASE_URL`` set to a PostgreSQL URL,
each test gets a database of its own on that server, created at the start and dropped at the end::

    EARSHOT_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test pytest tests/adapters/storage

``store`` is an ``SqlStore`` on that database, migrated to head. ``make_store()`` makes more stores on the same
database, each with its own engine (and so its own connections), for tests of what several processes do at once.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from adapters.storage import SqlStore

DATABASE_ENV = "EARSHOT_TEST_DATABASE_URL"


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database for this test alone."""
    server = os.environ.get(DATABASE_ENV)
    if not server:
        yield f"sqlite+aiosqlite:///{tmp_path}/earshot.db"
        return
    # Imported here so that tests which never touch a database do not depend on the storage adapter.
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from adapters.storage import normalize_url

    base = normalize_url(server)
    name = f"earshot_t_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            # FORCE: a test that failed midway may leave connections open; they must not keep the database alive.
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture
async def make_store(database_url: str) -> AsyncIterator[Callable[[], SqlStore]]:
    """Makes stores on the (migrated) test database, each with an engine of its own; all closed at the end."""
    from adapters.storage import SqlStore, create_engine, migrate

    await migrate.upgrade(database_url)
    made: list[SqlStore] = []

    def make() -> SqlStore:
        made.append(SqlStore(create_engine(database_url)))
        return made[-1]

    try:
        yield make
    finally:
        for store in made:
            await store.close()


@pytest.fixture
async def store(make_store: Callable[[], SqlStore]) -> SqlStore:
    """A store on a freshly migrated database."""
    return make_store()
