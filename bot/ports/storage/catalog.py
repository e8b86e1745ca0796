"""Storage ports for the catalog: topics, feeds, the config file's sync and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from earshot.bot.domain import Feed, FeedState, Topic
from earshot.bot.records import SyncReport


class Topics(Protocol):
    """The topics people watch. Names are unique; a topic's alerts outlive it."""

    async def list_topics(self) -> list[Topic]:
        """Every topic, ordered by name."""
        ...

    async def get_topic(self, name: str) -> Topic | None:
        """One topic, or None."""
        ...

    async def add_topic(self, topic: Topic) -> None:
        """Add a topic; AlreadyExists if the name is taken (of two adding one name at once, one wins)."""
        ...

    async def update_topic(self, topic: Topic) -> bool:
        """Replace the topic named ``topic.name`` with ``topic`` (its alerts stay its own); False if there was none."""
        ...

    async def remove_topic(self, name: str) -> bool:
        """Remove a topic (its alerts stay); False if there was none."""
        ...


class Feeds(Protocol):
    """The feeds polled, with their polling state. Names are unique; a feed's items and alerts outlive it."""

    async def list_feeds(self) -> list[FeedState]:
        """Every feed with its polling state, ordered by name."""
        ...

    async def get_feed(self, name: str) -> FeedState | None:
        """One feed with its state, or None."""
        ...

    async def add_feed(self, feed: Feed, now: datetime) -> None:
        """Add a feed, due ``now``, unseeded and held by nobody; AlreadyExists if the name is taken."""
        ...

    async def remove_feed(self, name: str) -> bool:
        """Remove a feed (its items and alerts stay); False if there was none."""
        ...


class ConfigSync(Protocol):
    """Making the store's topics and feeds equal the config file's, at every start of every replica."""

    async def sync_config(self, topics: Sequence[Topic], feeds: Sequence[Feed], now: datetime) -> SyncReport:
        """Make the store's config-origin topics and feeds equal the file's; rows added at run time stay.

        A run-time row whose name the file uses is taken over by the file. A feed whose kind, URL or query
        changed is another feed: its state starts afresh (due now, unseeded); a shorter interval applies from the
        last poll. Names in the report are prefixed ``topic:`` or ``feed:``. ConfigError when the file names a
        topic or a feed twice. Replicas syncing at once take turns: each sees the one before it, and the second
        of two identical syncs reports nothing.
        """
        ...


class Audit(Protocol):
    """Who changed the catalog at run time, and how."""

    async def record_change(self, actor: str, action: str, subject: str, detail: dict[str, Any], now: datetime) -> None:
        """Record who changed a topic or feed, and how (append only)."""
        ...
