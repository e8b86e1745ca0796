"""The migrations build exactly the schema in ``adapters.storage.tables``, and undo it."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect
from sqlalchemy.engine import Connection

from adapters.storage import create_engine, migrate, tables


async def _on_connection(url: str, work: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "include_name": migrate.include_name,
            "include_object": migrate.include_object,
        },
    )
    return list(compare_metadata(context, tables.metadata))


def test_head_is_the_newest_revision() -> None:
    assert migrate.head() == "0002"


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    assert await migrate.current(database_url) is None
    await migrate.upgrade(database_url)
    assert await migrate.current(database_url) == migrate.head()
    assert _table_names_expected() <= await _on_connection(database_url, _table_names)
    await migrate.downgrade(database_url, "base")
    assert await migrate.current(database_url) is None
    assert await _on_connection(database_url, _table_names) <= {"alembic_version"}
    await migrate.upgrade(database_url, "head")
    assert await migrate.current(database_url) == migrate.head()


async def test_upgrading_an_up_to_date_database_changes_nothing(database_url: str) -> None:
    await migrate.upgrade(database_url)
    await migrate.upgrade(database_url)
    assert await migrate.current(database_url) == migrate.head()


async def test_the_migrated_schema_matches_the_tables_exactly(database_url: str) -> None:
    await migrate.upgrade(database_url)
    assert await _on_connection(database_url, _drift) == []


async def test_tables_of_other_programs_are_left_alone(database_url: str) -> None:
    other = MetaData()
    Table("someone_elses", other, Column("id", Integer, primary_key=True))
    await _on_connection(database_url, other.create_all)
    await migrate.upgrade(database_url)
    assert await _on_connection(database_url, _drift) == []
    await migrate.downgrade(database_url, "base")
    assert "someone_elses" in await _on_connection(database_url, _table_names)


def _table_names_expected() -> set[str]:
    return set(tables.metadata.tables)
