"""Contract: syncing the config file makes config-origin rows equal the file, and leaves run-time rows alone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Feed
from earshot.bot.errors import ConfigError, LeaseLost
from earshot.bot.ports import SyncReport
from tests.adapters.storage.helpers import MINUTE, T0, feed, topic

LATER = T0 + timedelta(hours=1)
LEASE = timedelta(minutes=5)


async def test_first_sync_adds_everything_as_config(store: SqlStore) -> None:
    async with store.unit() as unit:
        report = await unit.sync_config([topic("python"), topic("go")], [feed("hn")], T0)
    assert report == SyncReport(added=("topic:go", "topic:python", "feed:hn"))
    async with store.unit() as unit:
        assert {t.origin for t in await unit.list_topics()} == {"config"}
        state = await unit.get_feed("hn")
        assert state is not None
        assert state.feed.origin == "config"
        assert (state.seeded, state.cursor, state.next_poll_at) == (False, {}, T0)


async def test_syncing_the_same_file_again_changes_nothing(store: SqlStore) -> None:
    config = ([topic("python")], [feed("hn", options={"tags": ("story", "comment")})])
    async with store.unit() as unit:
        await unit.sync_config(*config, T0)
    async with store.unit() as unit:
        assert await unit.sync_config(*config, LATER) == SyncReport()


async def test_sync_updates_changed_rows_and_removes_missing_config_rows(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.sync_config([topic("python"), topic("go")], [feed("hn"), feed("lobsters", kind="rss", url="u")], T0)
    async with store.unit() as unit:
        report = await unit.sync_config([topic("python", channel="#py")], [feed("hn", enabled=False)], LATER)
    assert report == SyncReport(updated=("topic:python", "feed:hn"), removed=("topic:go", "feed:lobsters"))
    async with store.unit() as unit:
        assert await unit.list_topics() == [topic("python", channel="#py", origin="config")]
        assert [s.feed for s in await unit.list_feeds()] == [feed("hn", enabled=False, origin="config")]


async def test_run_time_rows_stay_and_a_file_row_of_the_same_name_takes_over(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_topic(topic("cli-only"))
        await unit.add_topic(topic("shared", query="old"))
        await unit.add_feed(feed("cli-feed"), T0)
        await unit.add_feed(feed("shared-feed"), T0)
    async with store.unit() as unit:
        report = await unit.sync_config([topic("shared", query="new")], [feed("shared-feed")], LATER)
    assert report == SyncReport(updated=("topic:shared", "feed:shared-feed"))
    async with store.unit() as unit:
        assert await unit.list_topics() == [topic("cli-only"), topic("shared", query="new", origin="config")]
        assert [s.feed.origin for s in await unit.list_feeds()] == ["cli", "config"]
    # Once taken over, a row leaves with the file.
    async with store.unit() as unit:
        report = await unit.sync_config([], [], LATER)
    assert report == SyncReport(removed=("topic:shared", "feed:shared-feed"))
    async with store.unit() as unit:
        assert [t.name for t in await unit.list_topics()] == ["cli-only"]
        assert [s.feed.name for s in await unit.list_feeds()] == ["cli-feed"]


async def _poll_once(store: SqlStore) -> None:
    async with store.unit() as unit:
        assert [s.feed.name for s in await unit.lease_feeds(T0, "w", LEASE)] == ["hn"]
        await unit.fail_poll("hn", "w", T0, error="timeout", next_poll_at=T0 + MINUTE)
    async with store.unit() as unit:
        assert await unit.lease_feeds(T0 + MINUTE, "w", LEASE)
        await unit.finish_poll("hn", "w", T0 + MINUTE, cursor={"since": 42}, next_poll_at=T0 + 6 * MINUTE)


async def test_feed_state_survives_a_change_that_keeps_the_feed_the_same_place(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.sync_config([], [feed("hn", query="python")], T0)
    await _poll_once(store)
    async with store.unit() as unit:
        await unit.sync_config([], [feed("hn", query="python", options={"tags": ["story"]})], LATER)
        state = await unit.get_feed("hn")
    assert state is not None
    assert (state.seeded, state.cursor, state.next_poll_at) == (True, {"since": 42}, T0 + 6 * MINUTE)


@pytest.mark.parametrize(
    "changed",
    [
        feed("hn", query="rust"),
        feed("hn", query="python", url="http://127.0.0.1:1/api"),
        feed("hn", query="python", kind="rss"),
    ],
    ids=["query", "url", "kind"],
)
async def test_feed_state_resets_when_kind_url_or_query_change(store: SqlStore, changed: Feed) -> None:
    async with store.unit() as unit:
        await unit.sync_config([], [feed("hn", query="python")], T0)
    await _poll_once(store)
    async with store.unit() as unit:
        await unit.lease_feeds(T0 + timedelta(hours=2), "poller", LEASE)  # a poll of the old feed in flight
        await unit.sync_config([], [changed], LATER)
        state = await unit.get_feed("hn")
    assert state is not None
    assert (state.seeded, state.cursor, state.next_poll_at, state.consecutive_failures) == (False, {}, LATER, 0)
    # The in-flight poll belongs to the old feed: its results must not be recorded against the new one.
    async with store.unit() as unit:
        with pytest.raises(LeaseLost):
            await unit.finish_poll("hn", "poller", LATER, cursor={"old": 1}, next_poll_at=LATER)


async def test_a_shorter_interval_applies_from_the_last_poll(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.sync_config([], [feed("hn", every=timedelta(hours=1))], T0)
    async with store.unit() as unit:
        await unit.lease_feeds(T0, "w", LEASE)
        await unit.finish_poll("hn", "w", T0, cursor={}, next_poll_at=T0 + timedelta(hours=1))
    async with store.unit() as unit:
        await unit.sync_config([], [feed("hn", every=timedelta(minutes=10))], T0 + MINUTE)
        state = await unit.get_feed("hn")
    assert state is not None
    assert state.feed.every == timedelta(minutes=10)
    assert state.next_poll_at == T0 + timedelta(minutes=10)


async def test_duplicate_names_in_the_file_are_refused(store: SqlStore) -> None:
    async with store.unit() as unit:
        with pytest.raises(ConfigError, match="'python' is used twice"):
            await unit.sync_config([topic("python"), topic("python", query="x")], [], T0)


async def test_a_changed_min_score_in_the_file_updates_the_topic(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.sync_config([topic("python")], [], T0)
    async with store.unit() as unit:
        report = await unit.sync_config([replace(topic("python"), min_score=70)], [], LATER)
    assert report == SyncReport(updated=("topic:python",))
    async with store.unit() as unit:
        assert [t.min_score for t in await unit.list_topics()] == [70]


async def test_processes_starting_together_sync_the_same_file_without_colliding(
    make_store: Callable[[], SqlStore],
) -> None:
    stores = [make_store() for _ in range(4)]
    topics, feeds = [topic("rust"), topic("pg")], [feed("hn"), feed("blog")]

    async def sync(store: SqlStore) -> SyncReport:
        async with store.unit() as unit:
            return await unit.sync_config(topics, feeds, T0)

    reports = await asyncio.gather(*(sync(store) for store in stores))
    assert sorted(len(report.added) for report in reports) == [0, 0, 0, 4]
    async with stores[0].unit() as unit:
        assert [t.name for t in await unit.list_topics()] == ["pg", "rust"]
        assert [s.feed.name for s in await unit.list_feeds()] == ["blog", "hn"]


async def test_topic_filters_round_trip_and_a_changed_filter_in_the_file_updates_the_topic(store: SqlStore) -> None:
    filtered = replace(topic("python"), languages=("en", "de"), exclude_authors=("bot",), exclude_sources=("reddit",))
    async with store.unit() as unit:
        await unit.sync_config([filtered], [], T0)
    async with store.unit() as unit:
        assert await unit.sync_config([filtered], [], LATER) == SyncReport()
        assert await unit.get_topic("python") == replace(filtered, origin="config")
    async with store.unit() as unit:
        report = await unit.sync_config([replace(filtered, exclude_sources=())], [], LATER)
    assert report == SyncReport(updated=("topic:python",))
    async with store.unit() as unit:
        stored = await unit.get_topic("python")
    assert stored is not None and stored.exclude_sources == () and stored.languages == ("en", "de")


async def test_a_topics_meaning_syncs_from_the_file_and_a_change_updates_it(store: SqlStore) -> None:
    meant = replace(
        topic("pg"),
        about="PostgreSQL in production",
        examples=("Replica lag after a migration?",),
        counter_examples=("Hiring a DBA",),
        without_keyword=True,
        accept="Questions only",
    )
    async with store.unit() as unit:
        await unit.sync_config([meant], [], T0)
    async with store.unit() as unit:
        assert await unit.sync_config([meant], [], LATER) == SyncReport()
        assert await unit.get_topic("pg") == replace(meant, origin="config")
    for changed in (replace(meant, examples=()), replace(meant, without_keyword=False), replace(meant, accept="")):
        async with store.unit() as unit:
            assert await unit.sync_config([changed], [], LATER) == SyncReport(updated=("topic:pg",))
            assert await unit.get_topic("pg") == replace(changed, origin="config")
