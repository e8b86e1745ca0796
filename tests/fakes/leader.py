"""Leadership among the processes of one test: the in-memory twin of the advisory lock."""

from __future__ import annotations

import asyncio


class Seat:
    """The one seat several LocalLeaders compete for."""

    def __init__(self) -> None:
        self.holder: LocalLeader | None = None


class LocalLeader:
    """Takes the seat when free (retrying every ``retry_every`` s); ``lose()`` plays a dropped DB connection."""

    def __init__(self, seat: Seat, retry_every: float = 0.02) -> None:
        self.seat = seat
        self.retry_every = retry_every

    async def acquire(self) -> None:
        """Wait for the seat."""
        while self.seat.holder is not None and self.seat.holder is not self:
            await asyncio.sleep(self.retry_every)
        self.seat.holder = self

    async def held(self) -> bool:
        """Whether this one holds the seat."""
        return self.seat.holder is self

    async def release(self) -> None:
        """Free the seat if held."""
        if self.seat.holder is self:
            self.seat.holder = None

    def lose(self) -> None:
        """The server freed the lock (the leader's connection died)."""
        if self.seat.holder is self:
            self.seat.holder = None
