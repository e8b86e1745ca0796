"""A topic's filters beside its query: the languages it wants, the authors and sources it never wants.

Checked before the query is evaluated (they are cheaper), each with a plain-words reason for ``earshot explain``.
Pure; the language comes in as a function so detection runs only for a topic that filters by language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from earshot.bot.domain import Conversation, Topic
from earshot.bot.finding.query import fold


def folded(text: str) -> str:
    """Folded, with runs of whitespace made one space: how names are compared."""
    return " ".join(fold(text).split())


@dataclass(frozen=True, slots=True)
class TopicFilter:
    """A topic's filters, folded once: languages wanted (empty: any), authors and sources excluded."""

    languages: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()

    @classmethod
    def of(cls, topic: Topic) -> TopicFilter | None:
        """The topic's filters, or None when it has none (the common case costs nothing)."""
        if not (topic.languages or topic.exclude_authors or topic.exclude_sources):
            return None
        return cls(
            frozenset(folded(x) for x in topic.languages),
            frozenset(folded(x) for x in topic.exclude_authors),
            frozenset(folded(x) for x in topic.exclude_sources),
        )

    def rejects(self, conversation: Conversation, feed: str | None, language: Callable[[], str]) -> str | None:
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
        if self.languages:
            found = language()
            if found not in self.languages:
                return f"written in {found!r}, not in {', '.join(sorted(self.languages))}"
        return None
