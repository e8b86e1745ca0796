"""Syncing the config file's topics and feeds into the store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.catalog import fresh_feed_state
from earshot.adapters.storage.rows import UnitBase, feed_values, topic_values
from earshot.bot.domain import Feed, Topic
from earshot.bot.errors import ConfigError
from earshot.bot.ports import SyncReport

# Processes starting together on one PostgreSQL database each sync the file; this lock, held until the
# transaction ends, makes them take turns (SQLite units already begin with the write lock).
SYNC_LOCK = 4990360379937345091  # a fixed key of our own among the database's advisory locks

# Changing any of these makes it another feed: its cursor means nothing for the new one, so it seeds again.
IDENTITY_COLUMNS = ("kind", "url", "query")


class SyncMixin(UnitBase):
    """The Unit's ``sync_config``."""

    async def sync_config(self, topics: Sequence[Topic], feeds: Sequence[Feed], now: datetime) -> SyncReport:
        """Make the store's config-origin topics and feeds equal the file's; rows added at run time stay.

        A run-time row whose name the file uses is taken over by the file. Names in the report are prefixed
        ``topic:`` or ``feed:``, since a topic and a feed may share a name.
        """
        _require_unique_names("topics", [topic.name for topic in topics])
        _require_unique_names("feeds", [feed.name for feed in feeds])
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(select(func.pg_advisory_xact_lock(SYNC_LOCK)))
        topics_added, topics_updated, topics_removed = await self._sync_topics(topics, now)
        feeds_added, feeds_updated, feeds_removed = await self._sync_feeds(feeds, now)
        return SyncReport(
            added=_labels(topics_added, feeds_added),
            updated=_labels(topics_updated, feeds_updated),
            removed=_labels(topics_removed, feeds_removed),
        )

    async def _sync_topics(self, topics: Sequence[Topic], now: datetime) -> tuple[list[str], list[str], list[str]]:
        existing = {row.name: row for row in await self._conn.execute(select(t.topics))}
        added: list[str] = []
        updated: list[str] = []
        for topic in topics:
            values = topic_values(replace(topic, origin="config"))
            row = existing.get(topic.name)
            if row is None:
                await self._conn.execute(insert(t.topics).values(**values, created_at=now, updated_at=now))
                added.append(topic.name)
            elif _differs(row, values):
                await self._conn.execute(
                    update(t.topics).where(t.topics.c.id == row.id).values(**values, updated_at=now)
                )
                updated.append(topic.name)
        wanted = {topic.name for topic in topics}
        removed = [name for name, row in existing.items() if row.origin == "config" and name not in wanted]
        if removed:
            await self._conn.execute(delete(t.topics).where(t.topics.c.name.in_(removed)))
        return added, updated, removed

    async def _sync_feeds(self, feeds: Sequence[Feed], now: datetime) -> tuple[list[str], list[str], list[str]]:
        existing = {row.name: row for row in await self._conn.execute(select(t.feeds))}
        added: list[str] = []
        updated: list[str] = []
        for feed in feeds:
            values = feed_values(replace(feed, origin="config"))
            values["options"] = json.loads(json.dumps(values["options"]))  # compare as stored: tuples are lists
            row = existing.get(feed.name)
            if row is None:
                state = fresh_feed_state(now)
                await self._conn.execute(insert(t.feeds).values(**values, **state, created_at=now, updated_at=now))
                added.append(feed.name)
            elif _differs(row, values):
                changes: dict[str, Any] = dict(values, updated_at=now)
                if any(getattr(row, column) != values[column] for column in IDENTITY_COLUMNS):
                    changes.update(fresh_feed_state(now))
                elif row.every_seconds != values["every_seconds"] and row.last_polled_at is not None:
                    # A shorter interval should apply from the last poll, not after the old, longer wait.
                    sooner = row.last_polled_at + timedelta(seconds=values["every_seconds"])
                    if row.next_poll_at is not None and sooner < row.next_poll_at:
                        changes["next_poll_at"] = sooner
                await self._conn.execute(update(t.feeds).where(t.feeds.c.id == row.id).values(**changes))
                updated.append(feed.name)
        wanted = {feed.name for feed in feeds}
        removed = [name for name, row in existing.items() if row.origin == "config" and name not in wanted]
        if removed:
            await self._conn.execute(delete(t.feeds).where(t.feeds.c.name.in_(removed)))
        return added, updated, removed


def _labels(topics: list[str], feeds: list[str]) -> tuple[str, ...]:
    return tuple(f"topic:{name}" for name in sorted(topics)) + tuple(f"feed:{name}" for name in sorted(feeds))


def _differs(row: Row[Any], values: dict[str, Any]) -> bool:
    return any(getattr(row, column) != value for column, value in values.items())


def _require_unique_names(section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{section}: the name {name!r} is used twice; give each a name of its own")
        seen.add(name)
