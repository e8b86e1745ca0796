"""Matching conversations against topics: the one place the pipeline asks "does this item concern that topic?".

Two ways to the same answer. ``match_each`` evaluates every topic's tree with a regex per term: simple, and the
reference. ``TopicIndex`` runs one Aho-Corasick automaton over every topic's positive terms once per item, checks
word boundaries around the hits, and evaluates only the topics a hit (or no term at all) makes possible.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from earshot.bot.domain import Conversation, Match, Topic
from earshot.bot.errors import InvalidQuery
from earshot.bot.finding.filters import TopicFilter
from earshot.bot.finding.language import language_of
from earshot.bot.finding.meaning import WITHOUT_KEYWORD_MIN, Meaning, has_meaning
from earshot.bot.finding.query import And, Attr, Node, Not, Or, Query, Term, fold, parse_query

log = logging.getLogger(__name__)

Hit = tuple[bool, bool]  # (in the title, in the body)
MISS: Hit = (False, False)


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    """A topic with its query parsed once and its filters (excluded authors and sources) folded."""

    topic: Topic
    query: Query
    filter: TopicFilter | None = None

    def passes(self, hay: Haystack) -> bool:
        """Whether the item gets past the topic's filters (checked before the query: they are cheaper)."""
        return self.filter is None or self.filter.rejects(hay.conversation, hay.feed) is None


# Topics are compiled again every poll round; parsing is the costly part (about 0.3 ms a query), and a Query is
# immutable, so unchanged queries are parsed once per process.
_parse = functools.lru_cache(maxsize=8192)(parse_query)


def compile_topic(topic: Topic) -> CompiledTopic:
    """Parse one topic's query (validated when added) and fold its filters."""
    return CompiledTopic(topic, _parse(topic.query), TopicFilter.of(topic))


def compile_topics(topics: Iterable[Topic]) -> list[CompiledTopic]:
    """Compile every enabled topic; one whose stored query the parser now refuses is left out, with a warning."""
    compiled: list[CompiledTopic] = []
    for topic in topics:
        if not topic.enabled:
            continue
        try:
            compiled.append(compile_topic(topic))
        except InvalidQuery as exc:
            # Added before a stricter parser (a '!', deeper than MAX_DEPTH): one topic must not stop every poll.
            log.warning("topic %s is left out of matching: %s; remove it and add it again, corrected", topic.name, exc)
    return compiled


def squash(text: str) -> str:
    """Folded, with every run of whitespace made one space: the form terms are looked for in."""
    folded = fold(text)
    # Any whitespace but a single inner space makes isprintable() false; such text needs no splitting (the common,
    # fast case for titles and one-paragraph posts).
    if folded.isprintable() and "  " not in folded and folded[:1] != " " and folded[-1:] != " ":
        return folded
    return " ".join(folded.split())


class Haystack:
    """One item as topics see it: folded title and body, author, source, feed name, and its language on demand.

    ``find`` answers where a term occurs, searching each term at most once; given ``hits`` (every term found,
    from an automaton), it only looks them up.
    """

    __slots__ = ("_found", "_language", "body", "complete", "conversation", "feed", "title")

    def __init__(
        self,
        conversation: Conversation,
        feed: str | None = None,
        *,
        title: str | None = None,
        body: str | None = None,
        hits: dict[tuple[str, bool], Hit] | None = None,
    ) -> None:
        self.conversation = conversation
        self.feed = feed
        self.title = squash(conversation.title) if title is None else title
        self.body = squash(conversation.text) if body is None else body
        self.complete = hits is not None
        self._found: dict[tuple[str, bool], Hit] = {} if hits is None else hits
        self._language: str | None = None

    def find(self, term: Term) -> Hit:
        """Whether the term occurs (as a whole word, or a word beginning) in the title and in the body."""
        key = (term.text, term.prefix)
        hit = self._found.get(key)
        if hit is None:
            if self.complete:
                return MISS
            # A plain substring test rules most terms out at C speed; the regex then checks word boundaries.
            in_title = term.text in self.title and term.pattern.search(self.title) is not None
            in_body = term.text in self.body and term.pattern.search(self.body) is not None
            hit = (in_title, in_body)
            self._found[key] = hit
        return hit

    def present(self, term: Term) -> bool:
        """Whether the term occurs where its field says (anywhere, title only, text only)."""
        in_title, in_body = self.find(term)
        if term.field is None:
            return in_title or in_body
        return in_title if term.field == "title" else in_body

    def has(self, attr: Attr) -> bool:
        """Whether the item's author, source (feed kind or feed name) or language is the one asked for."""
        if attr.field == "author":
            return self.conversation.author is not None and squash(self.conversation.author) == attr.value
        if attr.field == "source":
            return fold(self.conversation.source) == attr.value or (
                self.feed is not None and fold(self.feed) == attr.value
            )
        if attr.field == "lang":
            return self.language == attr.value
        raise ValueError(f"unknown field {attr.field!r}")

    @property
    def language(self) -> str:
        """The item's language: as its source declares it, else detected from its title and text (once)."""
        if self._language is None:
            self._language = language_of(self.conversation)
        return self._language


def holds(node: Node, hay: Haystack) -> bool:
    """Whether the query tree is true of the item."""
    if isinstance(node, Term):
        return hay.present(node)
    if isinstance(node, And):
        return all(holds(p, hay) for p in node.parts)
    if isinstance(node, Or):
        return any(holds(p, hay) for p in node.parts)
    if isinstance(node, Not):
        return not holds(node.part, hay)
    if isinstance(node, Attr):
        return hay.has(node)
    raise TypeError(f"unknown query node {node!r}")


def relevance(found: int, in_title: bool) -> int:
    """A 0-100 relevance: a title hit weighs more than a body hit; each further distinct term adds a little."""
    base = 60 if in_title else 40
    return min(100, base + 10 * max(0, found - 1))


def evaluate(query: Query, hay: Haystack) -> Match | None:
    """The match of one query against one item, with the terms found and where, or None."""
    if not holds(query.root, hay):
        return None
    found: list[str] = []
    in_title = False
    # An untitled item's title is its text's opening (Mastodon, Bluesky): a term there is no title hit.
    titled = not hay.conversation.untitled
    for term in query.terms():
        if hay.present(term):
            found.append(term.label)
            in_title = in_title or (titled and term.field != "text" and hay.find(term)[0])
    return Match(terms=tuple(found), in_title=in_title, score=relevance(len(found), in_title))


def match(query: Query, conversation: Conversation, feed: str | None = None) -> Match | None:
    """Whether ``conversation`` (read from the feed named ``feed``) matches ``query``, and with which terms."""
    return evaluate(query, Haystack(conversation, feed))


def match_each(
    topics: Sequence[CompiledTopic], conversation: Conversation, feed: str | None = None
) -> list[tuple[Topic, Match]]:
    """Every topic the conversation matches, evaluating each topic in turn: the reference TopicIndex must agree with."""
    hay = Haystack(conversation, feed)
    found: list[tuple[Topic, Match]] = []
    for compiled in topics:
        if not compiled.passes(hay):
            continue
        m = evaluate(compiled.query, hay)
        if m is not None:
            found.append((compiled.topic, m))
    return found


def match_topics(
    topics: Sequence[CompiledTopic] | TopicIndex, conversation: Conversation, feed: str | None = None
) -> list[tuple[Topic, Match]]:
    """Every topic the conversation matches, with why; build a TopicIndex once to match many items."""
    index = topics if isinstance(topics, TopicIndex) else TopicIndex(topics)
    return index.match(conversation, feed)


class TopicIndex:
    """Every topic's positive terms in one automaton, to evaluate only the topics an item could match.

    Built from the compiled topics; build a new one when the topics change. Given ``meaning``, an item that matches
    no topic's query may still match topics that opted in to ``without_keyword`` when it is close to what they are
    about (their meaning vectors compared with the item's in one matrix product), with an empty Match.
    """

    def __init__(self, topics: Iterable[CompiledTopic], meaning: Meaning | None = None) -> None:
        self.topics = tuple(topics)
        opted = [c for c in self.topics if c.topic.without_keyword and has_meaning(c.topic)]
        self._near = meaning.near([c.topic for c in opted]) if meaning is not None and opted else None
        self._opted = {c.topic.name: c for c in opted}
        # Topics a query can match with none of its positive terms present (source:hn, a OR -b) are always tried.
        self._always = frozenset(i for i, c in enumerate(self.topics) if not _needs_term(c.query.root, True))
        # Positive terms make their topics candidates; every term, excluded ones too, goes in the automaton, since
        # the hits it finds are all the evaluation will know.
        self._topics_of: dict[tuple[str, bool], set[int]] = {}
        keys: set[tuple[str, bool]] = set()
        for i, compiled in enumerate(self.topics):
            for term in compiled.query.terms():
                self._topics_of.setdefault((term.text, term.prefix), set()).add(i)
            keys.update((term.text, term.prefix) for term in _all_terms(compiled.query.root))
        kinds: dict[str, tuple[bool, bool]] = {}  # text -> (as a whole word, as a prefix)
        for text, prefix in keys:
            whole, start = kinds.get(text, (False, False))
            kinds[text] = (whole or not prefix, start or prefix)
        self._automaton: ahocorasick.Automaton | None = None
        if kinds:
            self._automaton = ahocorasick.Automaton()
            for text, (whole, start) in kinds.items():
                self._automaton.add_word(text, (text, len(text), whole, start))
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self.topics)

    def hits(self, title: str, body: str) -> dict[tuple[str, bool], Hit]:
        """Every indexed term found in the squashed title and body, as a whole word or word beginning, and where."""
        found: dict[tuple[str, bool], Hit] = {}
        if self._automaton is None:
            return found
        hay = f"{title}\n{body}"  # no term holds a newline, so none spans the two
        size = len(hay)
        cut = len(title)
        for end, (text, length, whole, prefix) in self._automaton.iter(hay):
            start = end - length + 1
            if start > 0:
                before = hay[start - 1]
                if before.isalnum() or before == "_":
                    continue
            in_title = end < cut
            if prefix:
                _mark(found, (text, True), in_title)
            if whole:
                if end + 1 < size:
                    after = hay[end + 1]
                    if after.isalnum() or after in "_+#":
                        continue
                _mark(found, (text, False), in_title)
        return found

    def match(self, conversation: Conversation, feed: str | None = None) -> list[tuple[Topic, Match]]:
        """Every topic the conversation (read from the feed named ``feed``) matches, in topic order, with why."""
        title = squash(conversation.title)
        body = squash(conversation.text)
        found = self.hits(title, body)
        candidates = set(self._always)
        for key in found:
            candidates.update(self._topics_of.get(key, ()))
        if not candidates and self._near is None:
            return []
        hay = Haystack(conversation, feed, title=title, body=body, hits=found)
        matched: list[tuple[Topic, Match]] = []
        for i in sorted(candidates):
            compiled = self.topics[i]
            if not compiled.passes(hay):
                continue
            m = evaluate(compiled.query, hay)
            if m is not None:
                matched.append((compiled.topic, m))
        if self._near is not None and not matched:
            matched.extend(self._without_keyword(hay, set()))
        return matched

    def _without_keyword(self, hay: Haystack, matched: set[str]) -> list[tuple[Topic, Match]]:
        """Opted-in topics the item did not match by keyword but is close to in meaning (their exclusions and
        filters still apply)."""
        assert self._near is not None
        found: list[tuple[Topic, Match]] = []
        for topic, _ in self._near.close(hay.conversation, WITHOUT_KEYWORD_MIN):
            compiled = self._opted[topic.name]
            if topic.name in matched or not compiled.passes(hay):
                continue
            if any(hay.present(term) for term in _excluded_terms(compiled.query.root, False)):
                continue
            found.append((topic, Match(terms=(), in_title=False, score=0)))
        return found


def _mark(found: dict[tuple[str, bool], Hit], key: tuple[str, bool], in_title: bool) -> None:
    seen_title, seen_body = found.get(key, MISS)
    found[key] = (seen_title or in_title, seen_body or not in_title)


def _all_terms(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Attr):
        return []
    if isinstance(node, Not):
        return _all_terms(node.part)
    return [t for part in node.parts for t in _all_terms(part)]


def _excluded_terms(node: Node, negated: bool) -> list[Term]:
    """The terms under an odd number of NOTs: words whose presence the topic excludes."""
    if isinstance(node, Term):
        return [node] if negated else []
    if isinstance(node, Attr):
        return []
    if isinstance(node, Not):
        return _excluded_terms(node.part, not negated)
    return [t for part in node.parts for t in _excluded_terms(part, negated)]


def _needs_term(node: Node, value: bool) -> bool:
    """Whether ``node`` having ``value`` implies that one of the query's positive terms occurs in the item.

    A positive term is one under an even number of NOTs; the index finds only those, so a topic whose query can
    hold with none of them present must be evaluated for every item.
    """
    if isinstance(node, Term):
        return value
    if isinstance(node, Attr):
        return False
    if isinstance(node, Not):
        return _needs_term(node.part, not value)
    parts = node.parts
    if isinstance(node, And) == value:
        # An AND that holds (or an OR that fails) fixes every part: one part that needs a term is enough.
        return any(_needs_term(p, value) for p in parts)
    # An AND that fails (or an OR that holds) fixes only some part: every part must need a term.
    return all(_needs_term(p, value) for p in parts)
