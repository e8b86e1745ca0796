"""Running the Alembic migrations from code: no alembic.ini, works inside a running event loop.

Alembic is imported only by what migrates or walks the history (``upgrade``, ``downgrade``, ``revisions``): every
command checks that the schema is current (``current`` against ``head``), and that check reads the version table and
the migration files' ``revision`` lines itself, which saves each command start the import of Alembic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import inspect, text

from earshot.adapters.storage.engine import create_engine
from earshot.adapters.storage.tables import TABLE_NAMES

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

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
    from alembic.config import Config

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
    from alembic import command

    await _on_connection(url, lambda connection: command.upgrade(_config(connection), revision))


async def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` ("base" empties it)."""
    from alembic import command

    await _on_connection(url, lambda connection: command.downgrade(_config(connection), revision))


VERSION_TABLE = "alembic_version"
"""Where Alembic keeps the database's revision (its default, which env.py keeps)."""


def _version_of(connection: Connection) -> str | None:
    # What Alembic's MigrationContext.get_current_revision() reads, without importing Alembic.
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(found) > 1:
        raise RuntimeError(f"the table {VERSION_TABLE} holds more than one revision: {', '.join(found)}")
    return found[0] if found else None


async def current(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None when it has none."""
    return await _on_connection(url, _version_of)


_REVISION = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:"([^"]*)"|'([^']*)'|None)\s*$""", re.M)


def head() -> str:
    """The newest revision the code knows: the one no other migration file names as its ``down_revision``.

    Read from the files' ``revision = "..."`` and ``down_revision = "..."`` lines rather than through Alembic's
    ScriptDirectory (tests/adapters/storage/test_migrations.py checks both agree).
    """
    known: set[str] = set()
    below: set[str] = set()
    for path in files("earshot.migrations").joinpath("versions").iterdir():
        if not path.name.endswith(".py") or path.name.startswith("_"):
            continue
        for name, double, single in _REVISION.findall(path.read_text(encoding="utf-8")):
            value = double or single
            if value:
                (known if name == "revision" else below).add(value)
    heads = sorted(known - below)
    if len(heads) != 1:
        raise RuntimeError(f"expected one head revision in {script_location()}, found {heads or 'none'}")
    return heads[0]


def revisions() -> list[str]:
    """Every revision the code knows, oldest first."""
    from alembic.script import ScriptDirectory

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
