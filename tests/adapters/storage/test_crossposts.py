"""Contract: one alert per discussed link and topic (crossposts become sightings), summaries and shared budgets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta

from earshot.adapters.storage import SqlStore
from earshot.adapters.storage.crossposts import group_crossposts
from earshot.bot.domain import Alert, Conversation, DeliveryState, Sighting, Summary
from earshot.bot.finding.polling import discussed_links
from earshot.bot.ports import DayUsage, NewAlert
from tests.adapters.storage.helpers import T0

WEEK = timedelta(days=7)
ARTICLE = "https://blog.example.com/postgres-17?utm_source=hn"
HN = Conversation(
    "hackernews", "1", "https://news.ycombinator.com/item?id=1", "Postgres 17", link=ARTICLE, points=40, thread_size=9
)
RSS = Conversation("rss", "p17", "https://blog.example.com/postgres-17", "Postgres 17 is out")
REDDIT = Conversation(
    "reddit", "t3_x", "https://reddit.example/r/pg/x", "Postgres 17", link=ARTICLE, community="r/PostgreSQL"
)


async def write(
    store: SqlStore,
    item: Conversation,
    *,
    topic: str = "databases",
    at: timedelta = timedelta(0),
    state: DeliveryState = DeliveryState.PENDING,
    window: timedelta | None = WEEK,
) -> int:
    """Store ``item`` and its alert in one transaction, as a poll does; return how many alerts were written."""
    now = T0 + at
    async with store.unit() as unit:
        [(cid, _)] = await unit.insert_conversations([item], "feed", now)
        alert = NewAlert(cid, topic, None, ("postgres",), 60, state=state, links=discussed_links(item))
        return await unit.insert_alerts([alert], now, crosspost_since=now - window if window else None)


async def alerts(store: SqlStore) -> list[Alert]:
    async with store.unit() as unit:
        leased = await unit.lease_alerts(T0 + timedelta(days=30), "reader", timedelta(minutes=1), 100)
        await unit.release_alerts([a.id for a in leased], "reader", next_attempt_at=T0)
    return leased


async def count(store: SqlStore, table: str) -> int:
    """How many alerts, or sightings on them, the store holds."""
    async with store.unit() as unit:
        every = await unit.list_alerts(limit=1_000_000)
        if table == "alerts":
            return len(every)
        assert table == "sightings"
        found = [await unit.get_alert(a.id) for a in every]
        return sum(len(a.also_seen) for a in found if a is not None)


async def test_a_second_discussion_of_the_same_link_is_a_sighting_not_an_alert(store: SqlStore) -> None:
    assert await write(store, HN) == 1
    assert await write(store, RSS, at=timedelta(hours=1)) == 0
    assert await write(store, REDDIT, at=timedelta(hours=2)) == 0

    [alert] = await alerts(store)
    assert alert.conversation.source == "hackernews"
    assert alert.also_seen == (
        Sighting("rss", RSS.url, RSS.title),
        Sighting("reddit", REDDIT.url, REDDIT.title, "r/PostgreSQL"),
    )


async def test_other_topics_and_old_alerts_get_alerts_of_their_own(store: SqlStore) -> None:
    await write(store, HN)
    assert await write(store, RSS, topic="releases") == 1  # another topic
    assert await write(store, REDDIT, at=WEEK + timedelta(seconds=1)) == 1  # past the window: a new discussion
    later = Conversation("lobsters", "z", "https://lobste.rs/s/z", "Postgres 17", link=ARTICLE)
    assert await write(store, later, at=WEEK + timedelta(hours=1)) == 0  # ... which now holds the link
    by_source = {a.conversation.source: a for a in await alerts(store)}
    assert set(by_source) == {"hackernews", "rss", "reddit"}
    assert [s.source for s in by_source["reddit"].also_seen] == ["lobsters"]
    assert by_source["hackernews"].also_seen == ()


async def test_without_a_window_every_conversation_is_alerted(store: SqlStore) -> None:
    await write(store, HN, window=None)
    assert await write(store, RSS, window=None) == 1
    assert await count(store, "sightings") == 0


async def test_links_a_repeat_brings_join_the_group(store: SqlStore) -> None:
    await write(store, HN)
    # Points at the same article and lives at a URL of its own; a third item linking to that URL joins too.
    mirror = Conversation("rss", "m", "https://mirror.example/pg17", "Postgres 17 (mirror)", link=ARTICLE)
    assert await write(store, mirror) == 0
    echo = Conversation("reddit", "e", "https://reddit.example/r/db/e", "PG 17", link="https://mirror.example/pg17")
    assert await write(store, echo) == 0
    [alert] = await alerts(store)
    assert [s.source for s in alert.also_seen] == ["rss", "reddit"]


async def test_an_alert_held_below_its_minimum_takes_no_sightings(store: SqlStore) -> None:
    await write(store, HN, state=DeliveryState.BELOW_MIN)
    assert await write(store, RSS) == 1
    assert await count(store, "sightings") == 0


async def test_a_sighting_after_delivery_flags_the_alert_for_refresh(store: SqlStore) -> None:
    await write(store, HN)
    [alert] = await alerts(store)
    async with store.unit() as unit:
        assert await unit.alerts_to_refresh(10) == []
        await unit.lease_alerts(T0, "sender", timedelta(minutes=1), 10)
        await unit.mark_delivered(alert.id, "sender", T0, "msg-1")

    await write(store, RSS, at=timedelta(hours=1))
    async with store.unit() as unit:  # the same alert written again (a repeated poll) adds nothing
        stored = await unit.find_conversation(url=RSS.url)
        assert stored is not None and stored.conversation.source == "rss"
        cid = stored.id
        again = NewAlert(cid, "databases", None, ("postgres",), 60, links=discussed_links(RSS))
        assert await unit.insert_alerts([again], T0, crosspost_since=T0 - WEEK) == 0

    async with store.unit() as unit:
        [stale] = await unit.alerts_to_refresh(10)
        assert stale.id == alert.id and stale.message_ref == "msg-1"
        assert [s.source for s in stale.also_seen] == ["rss"]
        await unit.mark_refreshed(alert.id)
        assert await unit.alerts_to_refresh(10) == []
    assert await count(store, "sightings") == 1


async def test_two_replicas_writing_two_discussions_at_once_make_one_alert(
    make_store: Callable[[], SqlStore],
) -> None:
    for round_ in range(5):
        stores = [make_store(), make_store()]
        hn = Conversation(
            "hackernews", f"h{round_}", f"https://hn.example/{round_}", "PG", link=f"{ARTICLE}&r={round_}"
        )
        rss = Conversation("rss", f"r{round_}", f"https://blog.example.com/postgres-17?r={round_}", "PG")
        written = await asyncio.gather(write(stores[0], hn), write(stores[1], rss))
        assert sorted(written) == [0, 1], round_
    assert await count(stores[0], "alerts") == 5
    assert await count(stores[0], "sightings") == 5


async def test_a_summary_is_stored_with_fresh_numbers(store: SqlStore) -> None:
    await write(store, HN)
    [alert] = await alerts(store)
    summary = Summary("Is Postgres 17 worth the upgrade?", ("Incremental backups are the headline.",), "llm")
    async with store.unit() as unit:
        await unit.save_summary(alert.id, summary, Conversation(**{**_fields(HN), "points": 99, "thread_size": 30}))
        again = await unit.get_alert(alert.id)
    assert again is not None and again.summary == summary
    assert (again.conversation.points, again.conversation.thread_size) == (99, 30)


async def test_a_daily_budget_is_counted_per_name_and_day(store: SqlStore) -> None:
    day, next_day = date(2025, 3, 1), date(2025, 3, 2)
    async with store.unit() as unit:
        spent = [await unit.spend_budget("llm", day, 2) for _ in range(3)]
        assert spent == [True, True, False]
        assert await unit.spend_budget("llm", next_day, 2)
        assert await unit.spend_budget("other", day, 1)
        assert not await unit.spend_budget("none", day, 0)


async def test_concurrent_spenders_never_overshoot_the_budget(make_store: Callable[[], SqlStore]) -> None:
    stores = [make_store() for _ in range(4)]

    async def spend(store: SqlStore) -> list[bool]:
        results = []
        for _ in range(5):
            async with store.unit() as unit:
                results.append(await unit.spend_budget("llm", date(2025, 3, 1), 7))
        return results

    results = await asyncio.gather(*(spend(s) for s in stores))
    assert sum(r.count(True) for r in results) == 7


async def test_usage_is_added_up_per_kind_and_day_beside_the_budgets(store: SqlStore) -> None:
    day, next_day = date(2025, 3, 1), date(2025, 3, 2)
    async with store.unit() as unit:
        await unit.count_usage("x", day, {"requests": 2, "posts": 5})
        await unit.count_usage("x", day, {"requests": 2, "posts": 0})  # nothing read is nothing counted
        await unit.count_usage("youtube", next_day, {"quota_units": 1})
        await unit.count_usage("x", next_day, {"requests": 1})
        await unit.count_usage("k" * 40, day, {"requests": 1})  # too long a name to keep: not counted
        assert await unit.spend_budget("llm", day, 1)  # a budget is not usage
    async with store.unit() as unit:
        assert await unit.usage_since(day) == [
            DayUsage("x", day, {"posts": 5, "requests": 4}),
            DayUsage("x", next_day, {"requests": 1}),
            DayUsage("youtube", next_day, {"quota_units": 1}),
        ]
        assert await unit.usage_since(next_day) == [
            DayUsage("x", next_day, {"requests": 1}),
            DayUsage("youtube", next_day, {"quota_units": 1}),
        ]


async def test_concurrent_usage_counts_lose_nothing(make_store: Callable[[], SqlStore]) -> None:
    stores = [make_store() for _ in range(4)]

    async def count(store: SqlStore) -> None:
        for _ in range(5):
            async with store.unit() as unit:
                await unit.count_usage("x", date(2025, 3, 1), {"requests": 2, "posts": 1})

    await asyncio.gather(*(count(s) for s in stores))
    async with stores[0].unit() as unit:
        counted = await unit.usage_since(date(2025, 3, 1))
    assert counted == [DayUsage("x", date(2025, 3, 1), {"posts": 20, "requests": 40})]


def _fields(item: Conversation) -> dict[str, object]:
    return {name: getattr(item, name) for name in Conversation.__slots__}  # type: ignore[attr-defined]


async def test_discussions_of_one_link_in_the_same_poll_make_one_alert(store: SqlStore) -> None:
    items = [RSS, Conversation("rss", "p2", "https://blog.example.com/other", "Other post"), HN, REDDIT]
    async with store.unit() as unit:
        stored = await unit.insert_conversations(items, "feed", T0)
        held = [DeliveryState.BELOW_MIN, DeliveryState.PENDING, DeliveryState.PENDING, DeliveryState.PENDING]
        new = [
            NewAlert(cid, "databases", None, ("postgres",), 60, state=state, links=discussed_links(item))
            for (cid, item), state in zip(stored, held, strict=True)
        ]
        assert await unit.insert_alerts(new, T0, crosspost_since=T0 - WEEK) == 2

    found = sorted(await alerts(store), key=lambda a: a.conversation.source)
    assert [a.conversation.source for a in found] == ["hackernews", "rss"]
    # The first discussion that clears its minimum leads; the RSS post, held below it, is listed with it.
    assert [s.source for s in found[0].also_seen] == ["rss", "reddit"]
    assert found[1].conversation.external_id == "p2" and found[1].also_seen == ()


def test_grouping_is_by_topic_and_shared_links_transitively() -> None:
    def alert(cid: int, topic: str, *links: str) -> NewAlert:
        return NewAlert(cid, topic, None, (), 60, links=links)

    a, b, c = alert(1, "t", "x", "y"), alert(2, "t", "y", "z"), alert(3, "t", "z")
    other_topic, alone = alert(4, "u", "x"), alert(5, "t", "w")
    assert group_crossposts([a, other_topic, b, alone, c]) == [[a, b, c], [other_topic], [alone]]
