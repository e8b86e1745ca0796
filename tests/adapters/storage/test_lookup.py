"""Contract: a stored conversation is found by any URL form of it or its link, or by an alert; alerts are listed."""

from __future__ import annotations

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import DeliveryState
from earshot.bot.ports import NewAlert
from tests.adapters.storage.helpers import T0, conversation


async def test_conversations_are_found_by_any_form_of_their_url_or_link_and_by_alert(store: SqlStore) -> None:
    item = conversation(1, url="https://news.example.com/item?id=1", link="https://blog.example.com/post")
    async with store.unit() as unit:
        [(cid, _)] = await unit.insert_conversations([item], "hn", T0)
        await unit.insert_alerts([NewAlert(cid, "python", None, ("python",), 3)], T0)
        [alert] = await unit.list_alerts()
        for url in (
            "https://news.example.com/item?id=1",
            "HTTPS://NEWS.example.com/item?id=1&utm_source=x#top",
            "https://blog.example.com/post",
        ):
            found = await unit.find_conversation(url=url)
            assert found is not None, url
            assert (found.id, found.conversation, found.feed, found.first_seen_at) == (cid, item, "hn", T0)
        by_alert = await unit.find_conversation(alert_id=alert.id)
        assert by_alert is not None and by_alert.id == cid
        assert await unit.find_conversation(url="https://news.example.com/item?id=2") is None
        assert await unit.find_conversation(alert_id=alert.id + 1) is None


async def test_alerts_are_listed_newest_first_by_state_topic_and_conversation(store: SqlStore) -> None:
    async with store.unit() as unit:
        stored = await unit.insert_conversations([conversation(n) for n in range(3)], "hn", T0)
        ids = [cid for cid, _ in stored]
        await unit.insert_alerts(
            [
                NewAlert(ids[0], "python", None, ("python",), 60),
                NewAlert(ids[1], "python", None, ("python",), 10, state=DeliveryState.BELOW_MIN),
                NewAlert(ids[2], "rust", "rust", ("rust",), 70),
                NewAlert(ids[2], "python", None, ("python",), 55),
            ],
            T0,
        )
        everything = await unit.list_alerts()
        assert [a.score for a in everything] == [55, 70, 10, 60]
        assert [a.score for a in await unit.list_alerts(state=DeliveryState.BELOW_MIN)] == [10]
        assert [a.score for a in await unit.list_alerts(topic="python", limit=2)] == [55, 10]
        assert [a.topic for a in await unit.list_alerts(conversation_id=ids[2])] == ["python", "rust"]


async def test_recent_conversations_are_those_first_seen_since_newest_first(store: SqlStore) -> None:
    from datetime import timedelta

    async with store.unit() as unit:
        old = await unit.insert_conversations([conversation(1)], "hn", T0)
        mid = await unit.insert_conversations([conversation(2), conversation(3)], "blog", T0 + timedelta(days=3))
        new = await unit.insert_conversations([conversation(4)], "hn", T0 + timedelta(days=5))
    async with store.unit() as unit:
        recent = await unit.recent_conversations(T0 + timedelta(days=1), 10)
        assert [s.id for s in recent] == [new[0][0], mid[1][0], mid[0][0]]
        assert [s.feed for s in recent] == ["hn", "blog", "blog"]
        assert recent[0].conversation == conversation(4)
        assert [s.id for s in await unit.recent_conversations(T0, 2)] == [new[0][0], mid[1][0]]
        assert old[0][0] in [s.id for s in await unit.recent_conversations(T0, 10)]
        assert await unit.recent_conversations(T0 + timedelta(days=6), 10) == []
