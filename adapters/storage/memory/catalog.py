"""The in-memory twin's topics, feeds, config sync and audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from earshot.adapters.storage.memory.state import FeedRow, MemoryBase, as_json
from earshot.adapters.storage.sync import IDENTITY_COLUMNS
from earshot.bot.domain import Feed, FeedState, Topic
from earshot.bot.errors import AlreadyExists, ConfigError
from earshot.bot.records import SyncReport


def stored_feed(feed: Feed) -> Feed:
    """A feed as stored: whole seconds (at least one), options as JSON."""
    every = timedelta(seconds=max(1, round(feed.every.total_seconds())))
    return replace(feed, every=every, options=as_json(dict(feed.options)))


def stored_topic(topic: Topic) -> Topic:
    """A topic as stored: its lists as tuples."""
    return replace(
        topic,
        languages=tuple(topic.languages),
        exclude_authors=tuple(topic.exclude_authors),
        exclude_sources=tuple(topic.exclude_sources),
        examples=tuple(topic.examples),
        counter_examples=tuple(topic.counter_examples),
    )


class CatalogPart(MemoryBase):
    """Topics, Feeds, ConfigSync and Audit."""

    async def list_topics(self) -> list[Topic]:
        """Every topic, by name."""
        return [self._t.topics[name] for name in sorted(self._t.topics)]

    async def get_topic(self, name: str) -> Topic | None:
        """One topic, or None."""
        return self._t.topics.get(name)

    async def add_topic(self, topic: Topic) -> None:
        """Add a topic; AlreadyExists if the name is taken."""
        if topic.name in self._t.topics:
            raise AlreadyExists(f"topic {topic.name!r} exists already")
        self._t.topics[topic.name] = stored_topic(topic)

    async def update_topic(self, topic: Topic) -> bool:
        """Replace the topic of that name with ``topic``; False if there was none."""
        if topic.name not in self._t.topics:
            return False
        self._t.topics[topic.name] = stored_topic(topic)
        return True

    async def remove_topic(self, name: str) -> bool:
        """Remove a topic (its alerts stay); False if there was none."""
        return self._t.topics.pop(name, None) is not None

    async def list_feeds(self) -> list[FeedState]:
        """Every feed with its polling state, by name."""
        return [self._t.feeds[name].state() for name in sorted(self._t.feeds)]

    async def get_feed(self, name: str) -> FeedState | None:
        """One feed with its state, or None."""
        row = self._t.feeds.get(name)
        return row.state() if row is not None else None

    async def add_feed(self, feed: Feed, now: datetime) -> None:
        """Add a feed, due now and unseeded; AlreadyExists if the name is taken."""
        if feed.name in self._t.feeds:
            raise AlreadyExists(f"feed {feed.name!r} exists already")
        self._t.feeds[feed.name] = FeedRow(stored_feed(feed), next_poll_at=now, id=self._t.next_id("feeds"))

    async def remove_feed(self, name: str) -> bool:
        """Remove a feed (its items and alerts stay); False if there was none."""
        return self._t.feeds.pop(name, None) is not None

    async def sync_config(self, topics: Sequence[Topic], feeds: Sequence[Feed], now: datetime) -> SyncReport:
        """Make the store's config-origin topics and feeds equal the file's; rows added at run time stay."""
        _require_unique_names("topics", [topic.name for topic in topics])
        _require_unique_names("feeds", [feed.name for feed in feeds])
        topics_changed = self._sync_topics(topics)
        feeds_changed = self._sync_feeds(feeds, now)
        return SyncReport(*(_labels(a, b) for a, b in zip(topics_changed, feeds_changed, strict=True)))

    def _sync_topics(self, topics: Sequence[Topic]) -> tuple[list[str], list[str], list[str]]:
        existing = dict(self._t.topics)
        added: list[str] = []
        updated: list[str] = []
        for topic in topics:
            wanted = stored_topic(replace(topic, origin="config"))
            row = existing.get(topic.name)
            if row is None or row != wanted:
                (added if row is None else updated).append(topic.name)
                self._t.topics[topic.name] = wanted
        names = {topic.name for topic in topics}
        removed = [name for name, row in existing.items() if row.origin == "config" and name not in names]
        for name in removed:
            del self._t.topics[name]
        return added, updated, removed

    def _sync_feeds(self, feeds: Sequence[Feed], now: datetime) -> tuple[list[str], list[str], list[str]]:
        existing = dict(self._t.feeds)
        added: list[str] = []
        updated: list[str] = []
        for feed in feeds:
            wanted = stored_feed(replace(feed, origin="config"))
            row = existing.get(feed.name)
            if row is None:
                self._t.feeds[feed.name] = FeedRow(wanted, next_poll_at=now, id=self._t.next_id("feeds"))
                added.append(feed.name)
            elif row.feed != wanted:
                if any(getattr(row.feed, column) != getattr(wanted, column) for column in IDENTITY_COLUMNS):
                    self._t.feeds[feed.name] = FeedRow(wanted, next_poll_at=now, id=row.id)  # another feed now
                else:
                    if row.feed.every != wanted.every and row.last_polled_at is not None:
                        # A shorter interval should apply from the last poll, not after the old, longer wait.
                        sooner = row.last_polled_at + wanted.every
                        if row.next_poll_at is not None and sooner < row.next_poll_at:
                            row.next_poll_at = sooner
                    row.feed = wanted
                updated.append(feed.name)
        names = {feed.name for feed in feeds}
        removed = [name for name, row in existing.items() if row.feed.origin == "config" and name not in names]
        for name in removed:
            del self._t.feeds[name]
        return added, updated, removed

    async def record_change(self, actor: str, action: str, subject: str, detail: dict[str, Any], now: datetime) -> None:
        """Record who changed a topic or feed, and how."""
        self._t.audit.append((now, actor, action, subject, as_json(dict(detail))))


def _labels(topics: list[str], feeds: list[str]) -> tuple[str, ...]:
    return tuple(f"topic:{name}" for name in sorted(topics)) + tuple(f"feed:{name}" for name in sorted(feeds))


def _require_unique_names(section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{section}: the name {name!r} is used twice; give each a name of its own")
        seen.add(name)
