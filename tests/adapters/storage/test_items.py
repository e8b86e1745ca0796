"""Contract: conversations are stored once (by source id and by URL), alerts once per topic and conversation."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from earshot.adapters.storage import SqlStore, tables
from earshot.bot.domain import Conversation, Summary
from earshot.bot.ports import NewAlert
from tests.adapters.storage.helpers import T0, conversation, topic


async def test_new_items_are_stored_and_returned_in_input_order(store: SqlStore) -> None:
    items = [conversation(n) for n in (3, 1, 2)]
    async with store.unit() as unit:
        stored = await unit.insert_conversations(items, "hn", T0)
    assert [item for _, item in stored] == items
    assert len({conversation_id for conversation_id, _ in stored}) == 3


async def test_items_seen_before_are_skipped(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.insert_conversations([conversation(1), conversation(2)], "hn", T0)
    async with store.unit() as unit:
        stored = await unit.insert_conversations([conversation(2, title="edited"), conversation(3)], "hn-2", T0)
    assert [item.external_id for _, item in stored] == ["3"]


async def test_the_same_conversation_url_through_another_feed_is_skipped(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.insert_conversations([conversation(1, url="https://Blog.Example.com:443/post?b=2&a=1")], "hn", T0)
    same_place = conversation(
        99, source="rss", url="https://blog.example.com/post?a=1&utm_source=hn&b=2&fbclid=x#comments"
    )
    async with store.unit() as unit:
        assert await unit.insert_conversations([same_place], "blog", T0) == []
        stored = await unit.insert_conversations(
            [conversation(100, source="rss", url="https://blog.example.com/other")], "blog", T0
        )
    assert len(stored) == 1


async def test_duplicates_within_one_batch_are_stored_once(store: SqlStore) -> None:
    items = [
        conversation(1),
        conversation(1, title="again"),  # same source id
        conversation(2, source="rss", url="https://news.example.com/item?id=1"),  # same URL as the first
        conversation(3),
    ]
    async with store.unit() as unit:
        stored = await unit.insert_conversations(items, "hn", T0)
    assert [item for _, item in stored] == [items[0], items[3]]


async def test_items_without_a_url_do_not_collide(store: SqlStore) -> None:
    async with store.unit() as unit:
        stored = await unit.insert_conversations([conversation(1, url=""), conversation(2, url="")], "hn", T0)
    assert len(stored) == 2


async def test_large_batches_and_long_keys(store: SqlStore) -> None:
    items = [conversation(n) for n in range(1_234)]
    long_id = "x" * 5_000
    long_url = "https://example.com/" + "y" * 5_000
    items.append(Conversation(source="rss", external_id=long_id, url=long_url, title="long", text="z" * 30_000))
    async with store.unit() as unit:
        stored = await unit.insert_conversations(items, "hn", T0)
    assert [item for _, item in stored] == items
    assert stored[-1][1].text == "z" * 30_000  # the caller gets the item as given
    async with store.unit() as unit:
        again = await unit.insert_conversations([items[-1], items[0]], "hn", T0)
        assert again == []
        await unit.insert_alerts([NewAlert(stored[-1][0], "python", None, (), 1)], T0)
        alert = await unit.get_alert(1)
    assert alert is not None
    assert len(alert.conversation.text) == tables.TEXT_LIMIT


async def test_fields_round_trip_through_an_alert(store: SqlStore) -> None:
    item = conversation(
        7,
        text="body",
        author="pg",
        created_at=T0,
        thread_size=12,
        points=99,
        link="https://article.example.com/",
        community="programming",
        kind="comment",
    )
    async with store.unit() as unit:
        [(conversation_id, _)] = await unit.insert_conversations([item], "hn", T0)
        await unit.insert_alerts([NewAlert(conversation_id, "python", "#py", ("python", "async"), 5)], T0)
        alert = await unit.get_alert(1)
    assert alert is not None
    assert alert.conversation == item
    assert (alert.topic, alert.channel, alert.matched, alert.score, alert.created_at) == (
        "python",
        "#py",
        ("python", "async"),
        5,
        T0,
    )


async def test_alerts_are_unique_per_topic_and_conversation(store: SqlStore) -> None:
    async with store.unit() as unit:
        stored = await unit.insert_conversations([conversation(1), conversation(2)], "hn", T0)
        first, second = (conversation_id for conversation_id, _ in stored)
        alerts = [
            NewAlert(first, "python", None, ("python",), 1),
            NewAlert(first, "python", None, ("python",), 1),  # twice in one batch
            NewAlert(first, "rust", None, ("rust",), 1),
            NewAlert(second, "python", None, ("python",), 1),
        ]
        assert await unit.insert_alerts(alerts, T0) == 3
    async with store.unit() as unit:
        assert await unit.insert_alerts(alerts, T0) == 0
        assert await unit.insert_alerts([], T0) == 0
        assert await unit.count_undelivered() == 3


@pytest.mark.sql_only  # topic_id is a column of the SQL schema the port does not show
async def test_alerts_link_to_their_topic_while_it_exists(store: SqlStore) -> None:
    async with store.unit() as unit:
        await unit.add_topic(topic("python"))
        stored = await unit.insert_conversations([conversation(1)], "hn", T0)
        alerts = [NewAlert(stored[0][0], name, None, (), 1) for name in ("python", "gone")]
        await unit.insert_alerts(alerts, T0)
    query = select(tables.alerts.c.topic, tables.alerts.c.topic_id).order_by(tables.alerts.c.id)
    async with store.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    assert [(row.topic, row.topic_id is not None) for row in rows] == [("python", True), ("gone", False)]
    async with store.unit() as unit:
        await unit.remove_topic("python")
    async with store.engine.connect() as connection:
        assert [row.topic_id for row in await connection.execute(query)] == [None, None]


async def test_thread_state_language_and_untitled_survive_storage(store: SqlStore) -> None:
    toot = conversation(8, source="mastodon", title="First line", text="First line\nmore", language="pt", untitled=True)
    closed = conversation(9, source="github", state="closed")
    odd = conversation(10, source="rss", state="", language="x" * 40)  # a source's odd values, kept as stored
    async with store.unit() as unit:
        stored = await unit.insert_conversations([toot, closed, odd], "feed", T0)
        await unit.insert_alerts([NewAlert(cid, "pg", None, ("pg",), 5) for cid, _ in stored], T0)
        alerts = {a.conversation.external_id: a.conversation for a in await unit.list_alerts()}
        found = await unit.find_conversation(url=closed.url)
        summary = Summary("Still broken?", ("Closed as fixed.",), "llm")
        [alert_id] = [a.id for a in await unit.list_alerts() if a.conversation.external_id == "8"]
        await unit.save_summary(alert_id, summary, replace(toot, state="locked", thread_size=4))
        refreshed = await unit.get_alert(alert_id)
    assert alerts["8"] == toot
    assert (alerts["8"].language, alerts["8"].untitled, alerts["8"].state) == ("pt", True, None)
    assert alerts["9"] == closed and not alerts["9"].untitled
    assert (alerts["10"].state, alerts["10"].language) == (None, "x" * 20)
    assert found is not None and found.conversation == closed
    # A thread read again for its summary brings its state up to date with its numbers.
    assert refreshed is not None
    assert (refreshed.conversation.state, refreshed.conversation.thread_size) == ("locked", 4)
    assert (refreshed.conversation.language, refreshed.conversation.untitled) == ("pt", True)
