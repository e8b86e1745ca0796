"""The chat requests being handled right now, so that stopping lets them finish instead of cutting them off.

A chat library runs each incoming event or interaction in a task of its own and keeps no list of them, so
closing its connection mid-request loses the answer (Slack's ack, an interaction's follow-up) and logs the
library's traceback. Each handler runs under ``track``; ``finish`` refuses new requests and waits for those in
hand, up to a limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class InFlight:
    """A set of running handler tasks and whether new ones are still welcome."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self.closing = False

    @property
    def count(self) -> int:
        """How many requests are in hand now."""
        return len(self._tasks)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Count the current task as in flight for the duration of the block."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._tasks.discard(task)

    def track(self, handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        """``handler``, counted as in flight while it runs (its signature is kept, for libraries that read it)."""

        @functools.wraps(handler)
        async def tracked(*args: P.args, **kwargs: P.kwargs) -> R:
            async with self.running():
                return await handler(*args, **kwargs)

        return tracked

    async def finish(self, within: float) -> int:
        """Take no new requests, wait up to ``within`` seconds for those in hand; how many did not finish."""
        self.closing = True
        pending = self._tasks - {asyncio.current_task()}
        if not pending:
            return 0
        log.info("finishing %d chat request(s) in hand before disconnecting", len(pending))
        _, unfinished = await asyncio.wait(pending, timeout=within)
        if unfinished:
            log.warning("%d chat request(s) still running after %.0f s; stopping anyway", len(unfinished), within)
        return len(unfinished)


class HasInFlight(Protocol):
    """An object whose handler methods run under its ``inflight``."""

    inflight: InFlight


H = TypeVar("H", bound=HasInFlight)


def tracked(method: Callable[Concatenate[H, P], Awaitable[R]]) -> Callable[Concatenate[H, P], Awaitable[R]]:
    """A handler method, counted in its object's ``inflight`` while it runs."""

    @functools.wraps(method)
    async def run(self: H, /, *args: P.args, **kwargs: P.kwargs) -> R:
        async with self.inflight.running():
            return await method(self, *args, **kwargs)

    return run
