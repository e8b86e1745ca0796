"""Matching conversations against topics: the one place the pipeline asks "does this item concern that topic?".

Kept behind ``match_topics`` so a faster matcher (one automaton for every topic) can replace the loop without
the pipeline noticing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain import Conversation, Match, Topic
from bot.query import And, Node, Not, Or, Query, Term, fold, parse_query


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    """A topic with its query parsed once."""

    topic: Topic
    query: Query


def compile_topics(topics: Iterable[Topic]) -> list[CompiledTopic]:
    """Parse every enabled topic's query (they were validated when added)."""
    return [CompiledTopic(t, parse_query(t.query)) for t in topics if t.enabled]


class _Haystack:
    """An item's folded text with whitespace collapsed, each term searched at most once."""

    def __init__(self, conversation: Conversation) -> None:
        self.title = " ".join(fold(conversation.title).split())
        self.body = " ".join(fold(conversation.text).split())
        self._found: dict[str, tuple[bool, bool]] = {}

    def find(self, term: Term) -> tuple[bool, bool]:
        """(found anywhere, found in the title)."""
        hit = self._found.get(term.text)
        if hit is None:
            # A plain substring test rules most terms out at C speed; the regex then checks word boundaries.
            in_title = term.text in self.title and term.pattern.search(self.title) is not None
            anywhere = in_title or (term.text in self.body and term.pattern.search(self.body) is not None)
            hit = (anywhere, in_title)
            self._found[term.text] = hit
        return hit


def _holds(node: Node, hay: _Haystack) -> bool:
    if isinstance(node, Term):
        return hay.find(node)[0]
    if isinstance(node, Not):
        return not _holds(node.part, hay)
    if isinstance(node, And):
        return all(_holds(p, hay) for p in node.parts)
    if isinstance(node, Or):
        return any(_holds(p, hay) for p in node.parts)
    raise TypeError(f"unknown query node {node!r}")


def relevance(found: int, in_title: bool) -> int:
    """A 0-100 relevance: a title hit weighs more than a body hit; each further distinct term adds a little."""
    base = 60 if in_title else 40
    return min(100, base + 10 * max(0, found - 1))


def _match(query: Query, hay: _Haystack) -> Match | None:
    if not _holds(query.root, hay):
        return None
    hits = [(term.text, hay.find(term)) for term in query.terms()]
    found = [text for text, (anywhere, _) in hits if anywhere]
    in_title = any(title for _, (_, title) in hits)
    return Match(terms=tuple(found), in_title=in_title, score=relevance(len(found), in_title))


def match(query: Query, conversation: Conversation) -> Match | None:
    """Whether ``conversation`` matches ``query``, and with which terms."""
    return _match(query, _Haystack(conversation))


def match_topics(topics: Sequence[CompiledTopic], conversation: Conversation) -> list[tuple[Topic, Match]]:
    """Every topic the conversation matches, with why."""
    hay = _Haystack(conversation)
    found: list[tuple[Topic, Match]] = []
    for compiled in topics:
        m = _match(compiled.query, hay)
        if m is not None:
            found.append((compiled.topic, m))
    return found
