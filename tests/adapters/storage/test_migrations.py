"""The migrations build exactly the schema in ``earshot.adapters.storage.tables``, and undo it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table, insert, inspect, select, text, update
from sqlalchemy.engine import Connection

from earshot.adapters.storage import create_engine, migrate, tables


async def _on_connection(url: str, work: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _alembic_current(connection: Connection) -> str | None:
    # What migrate.current() reads without Alembic, as Alembic reads it.
    return MigrationContext.configure(connection).get_current_revision()


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


def test_the_revisions_form_one_line_ending_at_head() -> None:
    # Every revision file is on the one path from head down to the first: no second head, no orphan.
    scripts = ScriptDirectory.from_config(migrate._config())
    chain = [script.revision for script in scripts.walk_revisions("base", "heads")]
    files = {path.stem.split("_")[0] for path in Path(migrate.script_location(), "versions").glob("0*.py")}
    assert scripts.get_heads() == [migrate.head()]
    assert chain[0] == migrate.head() and chain[-1] == "0001"
    assert len(chain) == len(files)


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    assert await migrate.current(database_url) is None
    await migrate.upgrade(database_url, "0002")
    assert await migrate.current(database_url) == "0002" == await _on_connection(database_url, _alembic_current)
    await migrate.upgrade(database_url)
    assert await migrate.current(database_url) == migrate.head() == await _on_connection(database_url, _alembic_current)
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


def _seed_at_0001(connection: Connection) -> None:
    at = datetime(2025, 3, 1, 12, tzinfo=UTC)
    connection.execute(
        insert(tables.topics).values(
            id=1, name="t", query="postgres", enabled=True, origin="cli", created_at=at, updated_at=at
        )
    )
    connection.execute(
        insert(tables.conversations).values(
            id=1,
            source="rss",
            external_id="1",
            url="https://x.example/1",
            title="T",
            text="",
            kind="post",
            feed="f",
            first_seen_at=at,
        )
    )
    for alert_id in (1, 2):
        connection.execute(
            insert(tables.alerts).values(
                id=alert_id,
                topic=f"t{alert_id}",
                topic_id=1,
                conversation_id=1,
                channel=None,
                matched=["postgres"],
                score=60,
                created_at=at,
                state="pending",
                attempts=0,
            )
        )


def _scores(connection: Connection) -> tuple[list[int], list[Any]]:
    topics = connection.execute(select(tables.topics.c.min_score)).scalars().all()
    reasons = connection.execute(select(tables.alerts.c.reasons).order_by(tables.alerts.c.id)).scalars().all()
    return list(topics), list(reasons)


def _hold_one(connection: Connection) -> None:
    connection.execute(update(tables.alerts).where(tables.alerts.c.id == 2).values(state="below_min"))


def _states(connection: Connection) -> list[str]:
    return list(connection.execute(text("SELECT state FROM alerts ORDER BY id")).scalars().all())


async def test_0002_keeps_existing_rows_and_its_downgrade_sends_nothing_held_back(database_url: str) -> None:
    await migrate.upgrade(database_url, "0001")
    await _on_connection(database_url, _seed_at_0001)
    await migrate.upgrade(database_url, "0002")
    assert await _on_connection(database_url, _scores) == ([50], [[], []])  # existing topics get the default
    await _on_connection(database_url, _hold_one)
    await migrate.downgrade(database_url, "0001")
    # A held-back alert must not become pending under a schema that cannot hold it back: it counts as done.
    assert await _on_connection(database_url, _states) == ["pending", "delivered"]
    await migrate.upgrade(database_url)
    assert await _on_connection(database_url, _drift) == []
