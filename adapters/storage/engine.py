"""Database engines: URL normalisation, SQLite pragmas and transactions, PostgreSQL pooling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from earshot.bot.errors import ConfigError

STATEMENT_CACHE = 16
"""Prepared statements SQLite keeps per connection (the driver's default is 128). A multi-row INSERT of each batch
size is a statement of its own, some hundreds of kilobytes once prepared: 128 of them per pooled connection held
about 60 MB in the soak. The statements a poll and a delivery round repeat are fewer than this, and preparing
one again costs microseconds."""

# The URL schemes Earshot accepts, and the async driver each one runs on.
ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL and point it at an async driver (``postgres://`` and ``sqlite:///`` are accepted)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database URL {describe_url(str(url))!r} cannot be read: {exc}") from None
    driver = ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ConfigError(
            f"database URL scheme {parsed.drivername!r} is not supported: use sqlite+aiosqlite:///path/to/earshot.db "
            "or postgresql+asyncpg://user:password@host/database"
        )
    parsed = parsed.set(drivername=driver)
    if driver == "postgresql+asyncpg" and "sslmode" in parsed.query:
        # libpq spells it sslmode; asyncpg takes the same values as ``ssl``, and rejects an unknown keyword.
        query = dict(parsed.query)
        query.setdefault("ssl", query["sslmode"])
        del query["sslmode"]
        parsed = parsed.set(query=query)
    return parsed


def describe_url(url: str | URL) -> str:
    """The URL with its password hidden, fit for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable database URL>"


def create_engine(url: str | URL, *, foreign_keys: bool = True) -> AsyncEngine:
    """An async engine for ``url``: SQLite with WAL and immediate transactions, or a pre-pinged PostgreSQL pool.

    ``foreign_keys=False`` leaves SQLite's foreign key enforcement off, which migrations need: batch mode rebuilds
    a table by dropping it, and with enforcement on that drop would cascade into the rows that reference it.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, foreign_keys=foreign_keys)
    return create_async_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_recycle=1800)


def _sqlite_engine(url: URL, *, foreign_keys: bool) -> AsyncEngine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"cached_statements": STATEMENT_CACHE})
    pragmas = (
        "PRAGMA journal_mode=WAL",
        "PRAGMA busy_timeout=5000",
        f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}",
        "PRAGMA synchronous=NORMAL",
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that each unit can begin with BEGIN IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        # IMMEDIATE takes the write lock up front (waiting up to busy_timeout). A deferred transaction that reads
        # and then writes fails at once with SQLITE_BUSY when another connection wrote in between, and the
        # busy timeout cannot help it.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
