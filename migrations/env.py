"""Alembic environment: async engines, batch mode on SQLite, and only Earshot's own tables.

The database URL comes from ``config.attributes["url"]``, then ``-x url=...``, then ``sqlalchemy.url``. A caller
that already holds a (sync-facing) connection passes it as ``config.attributes["connection"]``; that is how
``earshot.adapters.storage.migrate`` runs migrations inside a running event loop.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from earshot.adapters.storage.engine import create_engine, normalize_url
from earshot.adapters.storage.migrate import include_name, include_object
from earshot.adapters.storage.tables import metadata

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
    )
    if not url:
        raise RuntimeError("no database URL: pass -x url=... or set sqlalchemy.url")
    return str(url)


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=metadata,
        compare_type=True,
        include_name=include_name,
        include_object=include_object,
        **options,
    )


def run_with_connection(connection: Connection) -> None:
    """Run the migrations on an open connection."""
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    """Run the migrations on an engine of their own."""
    # Foreign keys off on SQLite: batch mode rebuilds tables by dropping them, which must not cascade.
    engine = create_engine(_url(), foreign_keys=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with_connection)
            await connection.commit()
    finally:
        await engine.dispose()


def run_offline() -> None:
    """Print the SQL instead of running it."""
    url = normalize_url(_url())
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif (given := config.attributes.get("connection")) is not None:
    run_with_connection(given)
else:
    asyncio.run(run_async())
