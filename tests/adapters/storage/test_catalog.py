"""Contract: topics and feeds can be listed, fetched, added and removed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import FeedState
from earshot.bot.errors import AlreadyExists
from tests.adapters.storage.helpers import T0, add_alerts, feed, topic


async def test_topics_round_trip_and_list_by_name(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_topic(topic("rust", query="rust AND async", channel="#rust", enabled=False))
        await unit.add_topic(topic("python"))
    async with store.unit() as unit:
        assert [t.name for t in await unit.list_topics()] == ["python", "rust"]
        assert await unit.get_topic("rust") == topic("rust", query="rust AND async", channel="#rust", enabled=False)
        assert await unit.get_topic("missing") is None


async def test_adding_a_topic_twice_is_refused_and_the_unit_stays_usable(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_topic(topic("python"))
    async with store.unit() as unit:
        with pytest.raises(AlreadyExists, match="topic 'python' exists already"):
            await unit.add_topic(topic("python", query="other"))
        # The refusal must not poison the transaction (as a failed INSERT would on PostgreSQL).
        await unit.add_topic(topic("go"))
    async with store.unit() as unit:
        assert (await unit.get_topic("python")) == topic("python")
        assert (await unit.get_topic("go")) is not None


async def test_removing_a_topic_keeps_its_alerts(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_topic(topic("python"))
    await add_alerts(store, 2)
    async with store.unit() as unit:
        assert await unit.remove_topic("python") is True
        assert await unit.remove_topic("python") is False
        assert await unit.get_topic("python") is None
        assert await unit.count_undelivered() == 2
        alert = await unit.get_alert(1)
        assert alert is not None
        assert alert.topic == "python"


async def test_feeds_are_added_due_now_and_unseeded(store: SqlStore) -> None:
    hn = feed("hn", url="http://127.0.0.1:1/api", query="python", options={"tags": ["story"]}, every=timedelta(hours=1))
    async with store.unit() as unit:
        await unit.add_feed(hn, T0)
        await unit.add_feed(feed("blog", kind="rss", url="https://example.com/feed.xml"), T0)
    async with store.unit() as unit:
        state = await unit.get_feed("hn")
        assert state == FeedState(feed=hn, cursor={}, seeded=False, next_poll_at=T0)
        assert [s.feed.name for s in await unit.list_feeds()] == ["blog", "hn"]
        assert await unit.get_feed("missing") is None


async def test_adding_a_feed_twice_is_refused(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_feed(feed("hn"), T0)
    async with store.unit() as unit:
        with pytest.raises(AlreadyExists, match="feed 'hn' exists already"):
            await unit.add_feed(feed("hn", kind="rss"), T0)


async def test_removing_a_feed_keeps_its_items(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_feed(feed("hn"), T0)
    await add_alerts(store, 1)
    async with store.unit() as unit:
        assert await unit.remove_feed("hn") is True
        assert await unit.remove_feed("hn") is False
        assert await unit.list_feeds() == []
        alert = await unit.get_alert(1)
        assert alert is not None
        assert alert.conversation.external_id == "0"


async def test_an_exception_rolls_the_unit_back(store: SqlStore) -> None:
    with pytest.raises(RuntimeError):
        async with store.unit() as unit:
            await unit.add_topic(topic("python"))
            raise RuntimeError("boom")
    async with store.unit() as unit:
        assert await unit.list_topics() == []


MEANING = {
    "about": "Teams running PostgreSQL in production: tuning, replication, upgrades",
    "examples": ("Our replica lags by minutes after a big migration, what should we check?", "Upgrading PG 12 to 16"),
    "counter_examples": ("Hiring: senior Postgres DBA",),
    "without_keyword": True,
    "accept": "Only questions from people running it themselves, not vendor news",
}


async def test_a_topics_meaning_round_trips(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_topic(topic("pg", query="postgres OR postgresql", languages=("en",), **MEANING))
        await unit.add_topic(topic("plain"))
    async with store.unit() as unit:
        assert await unit.get_topic("pg") == topic("pg", query="postgres OR postgresql", languages=("en",), **MEANING)
        plain = await unit.get_topic("plain")
    assert plain is not None and (plain.about, plain.examples, plain.without_keyword, plain.accept) == (
        "",
        (),
        False,
        "",
    )


async def test_updating_a_topic_replaces_it_and_keeps_its_alerts(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_topic(topic("python", **MEANING))
    await add_alerts(store, 1)
    edited = topic("python", query="python -snake", min_score=60, about="Python services", examples=("one",))
    async with store.unit() as unit:
        assert await unit.update_topic(edited) is True
        assert await unit.update_topic(topic("missing")) is False
    async with store.unit() as unit:
        assert await unit.get_topic("python") == edited
        assert await unit.get_topic("missing") is None
        alert = await unit.get_alert(1)
    assert alert is not None and alert.topic == "python"
