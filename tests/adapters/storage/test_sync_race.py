"""Replicas starting together each sync the same config file: all succeed, and each name exists once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from earshot.adapters.storage import SqlStore
from earshot.bot.ports import SyncReport
from tests.adapters.storage.helpers import T0, feed, topic


async def test_three_stores_syncing_the_same_file_at_once_all_succeed(make_store: Callable[[], SqlStore]) -> None:
    stores = [make_store() for _ in range(3)]
    topics = [topic(f"t{n}") for n in range(20)]
    feeds = [feed(f"f{n}") for n in range(20)]

    async def sync(store: SqlStore) -> SyncReport:
        async with store.unit() as unit:
            return await unit.sync_config(topics, feeds, T0)

    reports = await asyncio.gather(*(sync(store) for store in stores))
    added = [name for report in reports for name in report.added]
    assert sorted(added) == sorted([f"topic:t{n}" for n in range(20)] + [f"feed:f{n}" for n in range(20)])
    async with stores[0].unit() as unit:
        assert [t.name for t in await unit.list_topics()] == sorted(t.name for t in topics)
        assert len(await unit.list_feeds()) == 20
