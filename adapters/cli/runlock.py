"""One `earshot run` per SQLite file: an exclusive lock on a file beside the database, taken before anything else;
and one process at a time bringing that file's schema up to date.

SQLite serialises writers but two runs would both poll every feed and race each other's deliveries; PostgreSQL
replicas share the work through row leases and need no lock. The kernel drops the lock when its process ends
(even on `kill -9`), so a lock file left behind never blocks a later run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.engine import make_url

from earshot.bot.errors import EarshotError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; the README's one-process rule stands alone there
    fcntl = None  # type: ignore[assignment]


class AlreadyRunning(EarshotError):
    """Another `earshot run` holds this SQLite database."""


def lock_path(database_url: str) -> Path | None:
    """The lock file of a SQLite database file (``earshot.db.lock``); None for PostgreSQL or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(f"{url.database}.lock")


@contextlib.asynccontextmanager
async def only_run(command: str, database_url: str) -> AsyncIterator[None]:
    """For `run` on a SQLite file, hold its lock while inside, or raise AlreadyRunning naming the holder."""
    path = lock_path(database_url) if command == "run" else None
    if path is None or fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            database = path.name.removesuffix(".lock")
            raise AlreadyRunning(
                f"another `earshot run` is using {database}{who}; run one process per SQLite file, "
                "or use PostgreSQL for several replicas"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


MIGRATION_BYTE = 1 << 20
"""The byte of the lock file whose record lock (fcntl.lockf) guards migrating; `run` holds the whole file with
flock, and the two kinds of lock are independent, so a running `run` never blocks another command's migration."""


@contextlib.asynccontextmanager
async def migrating(database_url: str) -> AsyncIterator[None]:
    """While inside, no other Earshot process migrates this SQLite file: one that gets here second waits, then finds
    the schema current. Commands started together on a new or outdated file (a cron job beside `run` after an
    upgrade) would otherwise rebuild the same tables side by side; Alembic's batch mode fails on that halfway."""
    path = lock_path(database_url)
    if path is None or fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        # In a thread: the wait lasts as long as another process's migration, and the event loop goes on meanwhile.
        await asyncio.to_thread(fcntl.lockf, handle.fileno(), fcntl.LOCK_EX, 1, MIGRATION_BYTE)
        try:
            yield
        finally:
            fcntl.lockf(handle.fileno(), fcntl.LOCK_UN, 1, MIGRATION_BYTE)
