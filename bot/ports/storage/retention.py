"""The storage port for retention: what is old enough to go, and removing it a batch at a time."""

from __future__ import annotations

from typing import Protocol

from earshot.bot.records import Horizons


class Retention(Protocol):
    """Old records removed in small batches, so that polls and deliveries on other replicas never wait long.

    What goes is what :class:`earshot.bot.records.Horizons` says, never an alert still waiting to be posted or
    held for a digest, nor one claimed since the alerts horizon; a conversation goes only once nothing refers to
    it (an alert, a sighting, a link held for crossposts). Two replicas pruning at once remove each row once.
    """

    async def prunable(self, horizons: Horizons) -> dict[str, int]:
        """How many alerts, conversations and audit entries a prune would remove now (``PRUNED`` are the keys).
        Conversations counted are those that would go once the alerts counted are gone."""
        ...

    async def prune(self, horizons: Horizons, limit: int) -> dict[str, int]:
        """Remove up to ``limit`` alerts (with their outcomes, checks and sightings), then up to ``limit``
        conversations and audit entries, and the budgets of before the alerts horizon; say how many of each went.
        Call again until it removes nothing."""
        ...
