"""A topic's filters beside its query: the authors and sources it never wants.

Checked before the query is evaluated (they are cheaper), each with a plain-words reason for ``earshot explain``.
Pure. A topic's languages are no filter: an item in another language is matched and held with the reason
(:func:`earshot.bot.finding.language.language_hold`), so `earshot explain` and the previews show it.
"""

from __future__ import annotations

from dataclasses import dataclass

from earshot.bot.domain import Conversation, Topic
from earshot.bot.finding.query import fold


def folded(text: str) -> str:
    """Folded, with runs of whitespace made one space: how names are compared."""
    return " ".join(fold(text).split())


@dataclass(frozen=True, slots=True)
class TopicFilter:
    """A topic's filters, folded once: authors and sources excluded."""

    authors: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()

    @classmethod
    def of(cls, topic: Topic) -> TopicFilter | None:
        """The topic's filters, or None when it has none (the common case costs nothing)."""
        if not (topic.exclude_authors or topic.exclude_sources):
            return None
        return cls(
            frozenset(folded(x) for x in topic.exclude_authors),
            frozenset(folded(x) for x in topic.exclude_sources),
        )

    def rejects(self, conversation: Conversation, feed: str | None) -> str | None:
        """Why the item is filtered out, in plain words, or None when it passes."""
        if self.authors and conversation.author is not None:
            author = folded(conversation.author)
            if author in self.authors:
                return f"author {conversation.author!r} is excluded"
        if self.sources:
            if fold(conversation.source) in self.sources:
                return f"source {conversation.source!r} is excluded"
            if feed is not None and fold(feed) in self.sources:
                return f"feed {feed!r} is excluded"
        return None
