"""Topics and feeds: list, get, add and remove."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import UnitBase, feed_state_from_row, feed_values, topic_from_row, topic_values
from earshot.bot.domain import Feed, FeedState, Topic
from earshot.bot.errors import AlreadyExists


class CatalogMixin(UnitBase):
    """The Unit methods for topics and feeds."""

    async def list_topics(self) -> list[Topic]:
        """Every topic, by name."""
        result = await self._conn.execute(select(t.topics).order_by(t.topics.c.name))
        return [topic_from_row(row) for row in result]

    async def get_topic(self, name: str) -> Topic | None:
        """One topic, or None."""
        row = (await self._conn.execute(select(t.topics).where(t.topics.c.name == name))).first()
        return topic_from_row(row) if row is not None else None

    async def add_topic(self, topic: Topic) -> None:
        """Add a topic; AlreadyExists if the name is taken."""
        # The port gives no time here, so the row is stamped with the wall clock.
        now = datetime.now(UTC)
        statement = (
            self._insert(t.topics)
            .values(**topic_values(topic), created_at=now, updated_at=now)
            .on_conflict_do_nothing()
            .returning(t.topics.c.id)
        )
        # ON CONFLICT rather than catching IntegrityError: on PostgreSQL an error would poison the transaction.
        if (await self._conn.execute(statement)).first() is None:
            raise AlreadyExists(f"topic {topic.name!r} exists already")

    async def update_topic(self, topic: Topic) -> bool:
        """Replace the topic of that name with ``topic`` (it keeps its id, so its alerts stay linked); False if there
        was none."""
        values = topic_values(topic)
        del values["name"]
        result = await self._conn.execute(
            update(t.topics).where(t.topics.c.name == topic.name).values(**values, updated_at=datetime.now(UTC))
        )
        return result.rowcount > 0

    async def remove_topic(self, name: str) -> bool:
        """Remove a topic (its alerts stay, unlinked); False if there was none."""
        result = await self._conn.execute(delete(t.topics).where(t.topics.c.name == name))
        return result.rowcount > 0

    async def list_feeds(self) -> list[FeedState]:
        """Every feed with its polling state, by name."""
        result = await self._conn.execute(select(t.feeds).order_by(t.feeds.c.name))
        return [feed_state_from_row(row) for row in result]

    async def get_feed(self, name: str) -> FeedState | None:
        """One feed with its state, or None."""
        row = (await self._conn.execute(select(t.feeds).where(t.feeds.c.name == name))).first()
        return feed_state_from_row(row) if row is not None else None

    async def add_feed(self, feed: Feed, now: datetime) -> None:
        """Add a feed, due now and unseeded; AlreadyExists if the name is taken."""
        statement = (
            self._insert(t.feeds)
            .values(**feed_values(feed), created_at=now, updated_at=now, **fresh_feed_state(now))
            .on_conflict_do_nothing()
            .returning(t.feeds.c.id)
        )
        if (await self._conn.execute(statement)).first() is None:
            raise AlreadyExists(f"feed {feed.name!r} exists already")

    async def remove_feed(self, name: str) -> bool:
        """Remove a feed (its items and alerts stay); False if there was none."""
        result = await self._conn.execute(delete(t.feeds).where(t.feeds.c.name == name))
        return result.rowcount > 0


def fresh_feed_state(now: datetime) -> dict[str, object]:
    """The polling state of a feed never polled: due now, to be seeded, held by nobody."""
    return {
        "cursor": {},
        "seeded": False,
        "next_poll_at": now,
        "last_polled_at": None,
        "last_success_at": None,
        "last_error": None,
        "consecutive_failures": 0,
        "lease_owner": None,
        "lease_until": None,
    }
