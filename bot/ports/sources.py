"""Source ports: the feeds the core polls, and the ones that can also read a thread."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from bot.domain import Conversation, Feed, FetchResult, Thread


class Source(Protocol):
    """One kind of feed (Hacker News, RSS, ...).

    ``fetch`` returns the items that may be new since ``cursor`` (repeats are fine: the store deduplicates) and
    the cursor to pass next time. ``seeding`` is true on a feed's first poll: only the cursor matters then, so a
    source may fetch less. Failures raise :class:`bot.errors.FeedError` with a message a person can act on.
    """

    kind: str

    def check(self, feed: Feed) -> None:
        """Raise ConfigError when ``feed`` lacks what this kind needs (a URL, a query, a known option)."""
        ...

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Fetch the feed once."""
        ...


@runtime_checkable
class ThreadSource(Protocol):
    """A source that can also read a conversation's thread (Hacker News, Reddit, Discourse, ...).

    ``thread`` returns the replies under ``conversation`` (for a post, its comments; for a comment, the replies
    to it), at most ``limit`` of them, best or oldest first as the source orders them. It raises
    :class:`bot.errors.FeedError` when the thread cannot be read (gone, rate limited, network). Callers check
    ``isinstance(source, ThreadSource)``: a source without threads simply lacks the method.
    """

    kind: str

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """Read the thread under ``conversation`` now."""
        ...
