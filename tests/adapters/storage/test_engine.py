"""Engines: URLs people paste are accepted, passwords stay out of logs, SQLite is set up for several writers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from earshot.adapters.storage import create_engine, describe_url, normalize_url
from earshot.adapters.storage.engine import STATEMENT_CACHE
from earshot.bot.errors import ConfigError


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/earshot.db", "sqlite+aiosqlite:///data/earshot.db"),
        ("sqlite+aiosqlite:////abs/earshot.db", "sqlite+aiosqlite:////abs/earshot.db"),
        ("postgres://u:p@db/earshot", "postgresql+asyncpg://u:p@db/earshot"),
        ("postgresql://u:p@db:5433/earshot", "postgresql+asyncpg://u:p@db:5433/earshot"),
        ("postgresql+asyncpg://u@db/earshot", "postgresql+asyncpg://u@db/earshot"),
        ("postgresql://u@db/earshot?sslmode=require", "postgresql+asyncpg://u@db/earshot?ssl=require"),
    ],
)
def test_ordinary_urls_are_pointed_at_async_drivers(given: str, expected: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize("given", ["mysql://u@db/earshot", "postgresql+psycopg2://u@db/x", "not a url"])
def test_unsupported_urls_are_a_config_error(given: str) -> None:
    with pytest.raises(ConfigError):
        normalize_url(given)


def test_unsupported_url_errors_hide_the_password() -> None:
    with pytest.raises(ConfigError) as raised:
        normalize_url("mysql://user:s3cret@db/earshot")
    assert "s3cret" not in str(raised.value)


def test_describe_url_hides_the_password() -> None:
    described = describe_url("postgresql+asyncpg://earshot:s3cret@db.internal:5432/earshot")
    assert "s3cret" not in described
    assert described == "postgresql+asyncpg://earshot:***@db.internal:5432/earshot"
    assert describe_url("sqlite+aiosqlite:///earshot.db") == "sqlite+aiosqlite:///earshot.db"
    assert describe_url("::") == "<unreadable database URL>"


async def test_sqlite_gets_its_directory_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "earshot.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
            }
    finally:
        await engine.dispose()
    assert path.exists()
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1, "synchronous": 1}


async def test_sqlite_foreign_keys_can_be_left_off_for_migrations(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/earshot.db", foreign_keys=False)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one() == 0
    finally:
        await engine.dispose()


async def test_sqlite_keeps_a_bounded_number_of_prepared_statements(tmp_path: Path) -> None:
    # Every batch size of a multi-row INSERT is a statement of its own; the driver would keep 128 per connection.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/e.db")
    try:
        async with engine.connect() as connection:
            try:
                await connection.exec_driver_sql("SELECT count(*) FROM sqlite_stmt")
            except Exception:
                pytest.skip("this SQLite has no sqlite_stmt table to count prepared statements with")
            for n in range(STATEMENT_CACHE * 4):
                await connection.exec_driver_sql(f"SELECT {n} AS n")
            # Prepared and not finalized: the cached ones, this count and the BEGIN the unit started with.
            kept = (await connection.exec_driver_sql("SELECT count(*) FROM sqlite_stmt")).scalar_one()
    finally:
        await engine.dispose()
    assert STATEMENT_CACHE <= kept <= STATEMENT_CACHE + 3
