"""Leadership: one process at a time holds something (the Discord gateway connection for a token).

On PostgreSQL a session-level advisory lock on a dedicated connection decides: whoever holds it leads, and the
lock goes the moment that connection does (a crashed leader's lock is freed by the server), so a waiting
replica takes over within one retry interval. On SQLite one process is assumed and leadership is immediate.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(f"earshot:{name}".encode()).digest()[:8], "big", signed=True)


class AdvisoryLeader:
    """PostgreSQL: ``pg_try_advisory_lock`` on a connection kept open for as long as this process leads."""

    def __init__(self, engine: AsyncEngine, name: str, *, retry_every: float = 5.0) -> None:
        self.engine = engine
        self.name = name
        self.key = lock_key(name)
        self.retry_every = retry_every
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> None:
        """Try the lock, waiting ``retry_every`` seconds between tries, until it is ours."""
        waiting = False
        while True:
            if await self._try():
                if waiting:
                    log.info("leadership of %s taken over", self.name)
                return
            if not waiting:
                log.info("another process leads %s; waiting to take over", self.name)
                waiting = True
            await asyncio.sleep(self.retry_every)

    async def _try(self) -> bool:
        connection = await self.engine.connect()
        try:
            won = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})).scalar()
            await connection.commit()  # the lock is session-level: it outlives the transaction
        except Exception:
            await connection.close()
            raise
        if won:
            self._connection = connection
            return True
        await connection.close()
        return False

    async def held(self) -> bool:
        """Check that the lock's connection is alive and still holds it."""
        if self._connection is None:
            return False
        try:
            query = text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
            )
            count = (await self._connection.execute(query)).scalar()
            await self._connection.commit()
        except Exception:
            log.warning("lost the database connection that held leadership of %s", self.name)
            await self._drop()
            return False
        return bool(count)

    async def release(self) -> None:
        """Unlock and close the connection."""
        if self._connection is None:
            return
        try:
            await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            await self._connection.commit()
        except Exception:  # a dead connection has released the lock already
            log.debug("advisory unlock failed; the connection is gone, and the lock with it")
        await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                # Invalidate, not just close: a pooled connection must never go back to the pool holding the lock.
                await connection.invalidate()
                await connection.close()
            except Exception:
                log.debug("closing a broken connection failed", exc_info=True)


class SoleLeader:
    """SQLite: a single process is assumed, so it always leads."""

    def __init__(self) -> None:
        self._held = False

    async def acquire(self) -> None:
        """Lead at once."""
        self._held = True

    async def held(self) -> bool:
        """True between acquire and release."""
        return self._held

    async def release(self) -> None:
        """Stop leading."""
        self._held = False


# Both fit the Leadership protocol that the adapter needing one declares (earshot.adapters.chat.discord.config) without
# either importing the other: the composition root (earshot.adapters.cli.app) hands this to the Discord chat.
def leadership(engine: AsyncEngine, name: str, *, retry_every: float = 5.0) -> AdvisoryLeader | SoleLeader:
    """The leadership that fits the database: an advisory lock on PostgreSQL, sole leadership on SQLite."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLeader(engine, name, retry_every=retry_every)
    return SoleLeader()
