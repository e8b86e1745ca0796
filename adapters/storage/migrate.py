"""Running the Alembic migrations from code: no alembic.ini, works inside a running event loop."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from earshot.adapters.storage.engine import create_engine
from earshot.adapters.storage.tables import TABLE_NAMES

_T = TypeVar("_T")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Consider only Earshot's tables, so tables other programs keep in the same database are left alone."""
    if type_ == "table":
        return name in TABLE_NAMES
    return True


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Consider only Earshot's tables and what belongs to them (a second guard, after ``include_name``)."""
    if type_ == "table":
        return name in TABLE_NAMES
    table = getattr(obj, "table", None)
    return table is None or table.name in TABLE_NAMES


def script_location() -> str:
    """The directory of the installed ``migrations`` package."""
    return str(files("earshot.migrations"))


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location())
    # env.py uses this connection rather than starting an event loop of its own, which it could not do here.
    config.attributes["connection"] = connection
    return config


async def _on_connection(url: str, work: Callable[[Connection], _T]) -> _T:
    # Foreign keys off on SQLite: batch mode rebuilds tables by dropping them, which must not cascade.
    engine = create_engine(url, foreign_keys=False)
    try:
        async with engine.connect() as connection:
            result = await connection.run_sync(work)
            await connection.commit()
            return result
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    await _on_connection(url, lambda connection: command.upgrade(_config(connection), revision))


async def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` ("base" empties it)."""
    await _on_connection(url, lambda connection: command.downgrade(_config(connection), revision))


async def current(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None when it has none."""
    return await _on_connection(url, lambda connection: MigrationContext.configure(connection).get_current_revision())


def head() -> str:
    """The newest revision the code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    if revision is None:
        raise RuntimeError(f"no migrations found in {script_location()}")
    return revision


def revisions() -> list[str]:
    """Every revision the code knows, oldest first."""
    script = ScriptDirectory.from_config(_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def resolve(revision: str) -> str | None:
    """The full revision id ``revision`` names ("head", "base", an id or a unique prefix of one); None for "base";
    ValueError naming the known ones when it names none."""
    known = revisions()
    if revision == "base":
        return None
    if revision == "head":
        return known[-1]
    found = [r for r in known if r == revision] or [r for r in known if r.startswith(revision)]
    if len(found) != 1:
        raise ValueError(f"there is no schema revision {revision!r}; the revisions are base, {', '.join(known)}")
    return found[0]
