"""Retention: old alerts (with their records), conversations nothing refers to any more, and old audit entries are
removed a batch at a time, so that a year of running stays a bounded database.

What goes is decided by the store (:class:`earshot.bot.ports.storage.retention.Retention`): never an alert still
waiting to be posted or held for a digest, nor one claimed within the alerts' period; stats, reports and `explain`
then cover the periods kept. Batches are small transactions with a pause between them, so that polls and
deliveries (on SQLite, which writes one transaction at a time) wait a batch at most.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from earshot.bot.ports import Clock, StoreOf
from earshot.bot.ports.storage import Retention
from earshot.bot.records import PRUNED, Horizons

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of record is kept (None: for ever), and how a prune goes about it."""

    conversations: timedelta | None = timedelta(days=30)  # conversations that never became an alert
    alerts: timedelta | None = timedelta(days=365)  # alerts and their outcomes, checks and sightings
    audit: timedelta | None = timedelta(days=365)  # who changed topics and feeds
    batch: int = 500
    pause: timedelta = timedelta(milliseconds=50)

    @property
    def keeps_everything(self) -> bool:
        """Whether nothing is ever removed."""
        return self.conversations is None and self.alerts is None and self.audit is None

    def horizons(self, now: datetime) -> Horizons:
        """What goes at ``now``: the records from before each time."""

        def before(kept: timedelta | None) -> datetime | None:
            return now - kept if kept is not None else None

        return Horizons(before(self.conversations), before(self.alerts), before(self.audit))


class Pruner:
    """Removes what retention says may go, in batches; several replicas may prune at once."""

    def __init__(self, store: StoreOf[Retention], clock: Clock, policy: RetentionPolicy = RetentionPolicy()) -> None:
        self.store = store
        self.clock = clock
        self.policy = policy

    async def prunable(self) -> dict[str, int]:
        """What a prune would remove now, by kind (``PRUNED``), removing nothing."""
        async with self.store.unit() as unit:
            return await unit.prunable(self.policy.horizons(self.clock()))

    async def prune(self, *, stopping: asyncio.Event | None = None) -> dict[str, int]:
        """Remove what may go, a batch at a time, until nothing is left (or ``stopping`` is set); say what went."""
        removed = dict.fromkeys(PRUNED, 0)
        if self.policy.keeps_everything:
            return removed
        horizons = self.policy.horizons(self.clock())
        while stopping is None or not stopping.is_set():
            async with self.store.unit() as unit:
                batch = await unit.prune(horizons, self.policy.batch)
            for kind, count in batch.items():
                removed[kind] = removed.get(kind, 0) + count
            if not any(batch.values()):
                break
            await asyncio.sleep(self.policy.pause.total_seconds())
        if any(removed.values()):
            log.info("retention: removed %s", ", ".join(f"{n} {kind}" for kind, n in removed.items() if n))
        return removed
