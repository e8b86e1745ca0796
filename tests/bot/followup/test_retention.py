"""Retention's pruner on the in-memory twin: what the policy lets go goes a batch at a time, and stops when asked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.domain import Conversation
from earshot.bot.followup.retention import Pruner, RetentionPolicy
from earshot.bot.records import Horizons
from tests.fakes.clock import T0, Clock

DAY = timedelta(days=1)


async def store_old_items(store: MemoryStore, count: int) -> None:
    """``count`` conversations that never became an alert, published and seen 60 days before T0."""
    items = [
        Conversation(
            "hackernews", str(n), f"https://news.example.com/item?id={n}", f"Item {n}", created_at=T0 - 60 * DAY
        )
        for n in range(count)
    ]
    async with store.unit() as unit:
        await unit.insert_conversations(items, "hn", T0 - 60 * DAY)
        await unit.record_change("ana", "topic.add", "databases", {}, T0 - 400 * DAY)


def test_the_policy_gives_the_times_before_which_things_go() -> None:
    policy = RetentionPolicy(conversations=30 * DAY, alerts=None, audit=365 * DAY)
    assert policy.horizons(T0) == Horizons(T0 - 30 * DAY, None, T0 - 365 * DAY)
    assert not policy.keeps_everything
    assert RetentionPolicy(None, None, None).keeps_everything


async def test_a_prune_counts_first_then_removes_everything_due_in_batches(store: MemoryStore) -> None:
    await store_old_items(store, 7)
    pruner = Pruner(store, Clock(), RetentionPolicy(batch=3, pause=timedelta(0)))
    assert await pruner.prunable() == {"alerts": 0, "conversations": 7, "audit": 1}
    assert await pruner.prunable() == {"alerts": 0, "conversations": 7, "audit": 1}  # counting removes nothing
    assert await pruner.prune() == {"alerts": 0, "conversations": 7, "audit": 1}
    assert await pruner.prunable() == {"alerts": 0, "conversations": 0, "audit": 0}


async def test_a_stop_ends_a_prune_between_batches_and_keeping_everything_removes_nothing(store: MemoryStore) -> None:
    await store_old_items(store, 7)
    stopping = asyncio.Event()
    stopping.set()
    pruner = Pruner(store, Clock(), RetentionPolicy(batch=3))
    assert await pruner.prune(stopping=stopping) == {"alerts": 0, "conversations": 0, "audit": 0}
    forever = Pruner(store, Clock(), RetentionPolicy(None, None, None))
    assert await forever.prune() == {"alerts": 0, "conversations": 0, "audit": 0}
    assert (await pruner.prunable())["conversations"] == 7
