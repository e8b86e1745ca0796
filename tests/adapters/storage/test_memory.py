"""The in-memory twin's own guarantees, beyond the contract it shares with the SQL store: how its units isolate."""

from __future__ import annotations

import asyncio

import pytest

from earshot.adapters.storage.memory import MemoryDatabase, MemoryStore
from tests.adapters.storage.helpers import T0, feed, topic


async def test_a_units_changes_reach_the_database_only_when_its_block_ends() -> None:
    database = MemoryDatabase()
    store = MemoryStore(database)
    async with store.unit() as unit:
        await unit.add_topic(topic("python"))
        assert await unit.get_topic("python") is not None  # the unit sees its own change
        assert database.tables.topics == {}  # nobody else does yet
    assert list(database.tables.topics) == ["python"]


async def test_an_exception_leaves_the_database_as_it_was() -> None:
    database = MemoryDatabase()
    store = MemoryStore(database)
    async with store.unit() as unit:
        await unit.add_feed(feed("hn"), T0)
    before = database.tables
    with pytest.raises(RuntimeError, match="boom"):
        async with store.unit() as unit:
            await unit.remove_feed("hn")
            await unit.add_topic(topic("python"))
            raise RuntimeError("boom")
    assert database.tables is before
    async with store.unit() as unit:
        assert [state.feed.name for state in await unit.list_feeds()] == ["hn"]
        assert await unit.list_topics() == []


async def test_units_on_one_database_take_turns_and_each_sees_what_the_one_before_committed() -> None:
    database = MemoryDatabase()
    first, second = MemoryStore(database), MemoryStore(database)
    inside = asyncio.Event()
    seen: list[list[str]] = []

    async def writer() -> None:
        async with first.unit() as unit:
            await unit.add_topic(topic("python"))
            inside.set()
            await asyncio.sleep(0)  # let the reader try to begin while this unit is open

    async def reader() -> None:
        await inside.wait()
        async with second.unit() as unit:  # waits for the writer's unit to end
            seen.append([t.name for t in await unit.list_topics()])

    await asyncio.gather(writer(), reader())
    assert seen == [["python"]]


async def test_a_unit_opened_inside_another_in_the_same_task_fails_at_once_instead_of_waiting_forever() -> None:
    store = MemoryStore()
    async with store.unit():
        with pytest.raises(RuntimeError, match="inside another one"):
            async with store.unit():
                pass
