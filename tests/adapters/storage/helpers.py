"""Builders shared by the storage contract tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Conversation, Feed, Topic
from earshot.bot.ports import NewAlert, Store

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def conversation(n: int, *, source: str = "hackernews", url: str | None = None, **fields: Any) -> Conversation:
    """Conversation number ``n``, with a URL of its own unless told otherwise."""
    fields.setdefault("title", f"Item {n}")
    return Conversation(
        source=source,
        external_id=str(n),
        url=url if url is not None else f"https://news.example.com/item?id={n}",
        **fields,
    )


def feed(name: str = "hn", **fields: Any) -> Feed:
    """A feed polled every five minutes."""
    fields.setdefault("kind", "hackernews")
    fields.setdefault("every", timedelta(minutes=5))
    return Feed(name=name, **fields)


def topic(name: str = "python", **fields: Any) -> Topic:
    """A topic."""
    fields.setdefault("query", name)
    return Topic(name=name, **fields)


def is_postgres(store: SqlStore) -> bool:
    """Whether the store runs on PostgreSQL."""
    return store.engine.dialect.name == "postgresql"


async def add_feeds(store: Store, *names: str, now: datetime = T0) -> None:
    """Add feeds by name."""
    async with store.unit() as unit:
        for name in names:
            await unit.add_feed(feed(name), now)


async def add_alerts(store: Store, count: int, *, topic_name: str = "python", now: datetime = T0) -> list[int]:
    """Store ``count`` conversations and one alert each; return the conversation ids."""
    async with store.unit() as unit:
        stored = await unit.insert_conversations([conversation(n) for n in range(count)], "hn", now)
        ids = [conversation_id for conversation_id, _ in stored]
        await unit.insert_alerts([NewAlert(i, topic_name, None, ("python",), 3) for i in ids], now)
    return ids


async def alert_ids(store: Store) -> list[int]:
    """Ids of every alert, oldest first."""
    async with store.unit() as unit:
        return sorted(alert.id for alert in await unit.list_alerts(limit=1_000_000))
