"""A ThreadSource that behaves: threads the test grows between reads (a reply appears, answers arrive), failures
on demand, and every read kept. It stands behind the port where a real source's thread reader is not here yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import FeedError


@dataclass
class FakeThreads:
    """Source kind ``kind`` whose ``thread`` answers from ``replies`` (per conversation external id)."""

    kind: str = "hackernews"
    replies: dict[str, list[Reply]] = field(default_factory=dict)
    failing: dict[str, str] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)  # what each read spends, as a metered API's would

    def check(self, feed: Feed) -> None:
        """Any feed will do."""

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """No items: this fake is about threads."""
        return FetchResult([], cursor)

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """The replies added so far, oldest first, at most ``limit``."""
        self.reads.append(conversation.external_id)
        if conversation.external_id in self.failing:
            raise FeedError(self.failing[conversation.external_id], usage=self.usage)
        replies = self.replies.get(conversation.external_id, [])
        return Thread(conversation, tuple(replies[:limit]), reply_count=len(replies), usage=self.usage)

    def add(
        self,
        item: str,
        reply_id: str,
        author: str,
        at: datetime,
        *,
        parent: str | None = None,
        points: int | None = None,
        text: str = "",
    ) -> None:
        """A reply appears under ``item`` (or under reply ``parent``)."""
        depth = 0
        if parent is not None:
            parents = {r.external_id: r for r in self.replies.get(item, [])}
            depth = parents[parent].depth + 1
        self.replies.setdefault(item, []).append(
            Reply(
                external_id=reply_id,
                author=author,
                text=text or f"reply {reply_id}",
                created_at=at,
                points=points,
                url=f"https://news.ycombinator.com/item?id={reply_id}",
                parent_id=parent or item,
                depth=depth,
            )
        )
