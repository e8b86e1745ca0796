"""Relevance by meaning: how close an item is to what a topic is about, through the Embedder port.

A topic's meaning vector is the mean of its ``about`` and its ``examples`` (each embedded alone), pushed a little
away from its ``counter_examples``; it is worked out once per topic and again only when the topic changes (a Topic
is a frozen value: a changed one is a new key). An item is embedded once (its title and the opening of its text)
however many topics read it. Topics that opted in to ``without_keyword`` are compared with an item all at once,
with one matrix product.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from earshot.bot.domain import Conversation, Topic
from earshot.bot.ports.meaning import Embedder, Matrix, Vector

OPENING_CHARS = 240
"""How much of an item's text, after its title, its vector reads: what a post asks is said early."""
PUSH = 0.3
"""How far a topic's vector moves away from its counter-examples' mean (0: not at all; tuned on the dev part)."""
WITHOUT_KEYWORD_MIN = 0.45
"""How close (cosine) an item using none of a topic's words must be to its meaning to be scored for it at all."""
NEAREST_MARGIN = 0.0
"""...and among the topics that opted in, no further than this from the one it is nearest to: an item about
another of the team's topics is that topic's, not a vague neighbour's."""
ITEMS_KEPT = 4096
"""Item vectors kept (the items of a poll round in hand; an item matching several topics is embedded once)."""
TOPICS_KEPT = 4096
"""Topic meanings kept: every topic, with room for edits (an edited topic is a new key)."""


def has_meaning(topic: Topic) -> bool:
    """Whether the topic says what it means (``about`` or examples), so relevance is read by meaning."""
    return bool(topic.about.strip() or topic.examples)


def embedding_text(conversation: Conversation) -> str:
    """What an item's vector is made of: its title and the opening of its text (once when there is no title)."""
    text = conversation.text[:OPENING_CHARS]
    title = "" if conversation.kind == "comment" else conversation.title
    if conversation.untitled or not title or text.startswith(title):
        return text or title
    return f"{title}\n{text}"


@dataclass(frozen=True, slots=True)
class TopicMeaning:
    """A topic's meaning vector, and its counter-examples' vectors with their texts."""

    vector: Vector
    counters: Matrix | None
    counter_texts: tuple[str, ...]
    positives: Matrix | None = None


@dataclass(frozen=True, slots=True)
class Fit:
    """How an item sits against a topic's meaning: its cosine with the topic, with its nearest counter-example, and
    with the nearest of what the topic is (its ``about`` or one of its examples, each alone)."""

    similarity: float
    counter: str | None = None
    counter_similarity: float = -1.0
    positive_similarity: float = -1.0


class _Bounded(OrderedDict[Hashable, object]):
    """A small least-recently-inserted cache."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: Hashable, value: object) -> None:
        self[key] = value
        if len(self) > self.limit:
            self.popitem(last=False)


class Meaning:
    """Reads items and topics through an Embedder, keeping what it worked out (bounded)."""

    def __init__(self, embedder: Embedder, push: float = PUSH) -> None:
        self.embedder = embedder
        self.push = push
        self._items = _Bounded(ITEMS_KEPT)
        self._topics = _Bounded(TOPICS_KEPT)
        self._languages: frozenset[str] | None = None  # read once, on first use: asked for every match

    def forget_items(self) -> None:
        """Drop the item vectors kept (benchmarks measure each item embedded afresh with it)."""
        self._items.clear()

    def item(self, conversation: Conversation) -> Vector:
        """The item's vector, embedded once."""
        key = (conversation.source, conversation.external_id, conversation.title, conversation.text)
        found = self._items.get(key)
        if found is None:
            found = self.embedder.embed(embedding_text(conversation))
            self._items.keep(key, found)
        return found

    def topic(self, topic: Topic) -> TopicMeaning | None:
        """The topic's meaning, worked out once per version of the topic; None when it says nothing of it."""
        if not has_meaning(topic):
            return None
        key = (topic.about, topic.examples, topic.counter_examples)
        found = self._topics.get(key)
        if found is None:
            embed = self.embedder.embed
            positive = [embed(t) for t in (topic.about, *topic.examples) if t.strip()]
            negative = [embed(t) for t in topic.counter_examples if t.strip()]
            vector = self.embedder.mean(positive, negative, self.push)
            counters = self.embedder.stack(negative) if negative else None
            texts = tuple(t for t in topic.counter_examples if t.strip())
            found = TopicMeaning(vector, counters, texts, self.embedder.stack(positive) if positive else None)
            self._topics.keep(key, found)
        assert isinstance(found, TopicMeaning)
        return found

    def fit(self, conversation: Conversation, topic: Topic, language: str | None = None) -> Fit | None:
        """How close the item is to the topic's meaning and to its nearest counter-example; None when the topic says
        nothing of its meaning, or the item's ``language`` (when known) is one the embedder does not read."""
        if language is not None:
            if self._languages is None:
                self._languages = self.embedder.languages
            if language not in self._languages:
                return None
        meaning = self.topic(topic)
        if meaning is None:
            return None
        vector = self.item(conversation)
        similarity = self.embedder.similarity(vector, meaning.vector)
        if meaning.counters is None:
            return Fit(similarity)
        against = self.embedder.similarities(vector, meaning.counters)
        nearest = max(range(len(against)), key=against.__getitem__)
        best = max(self.embedder.similarities(vector, meaning.positives)) if meaning.positives is not None else -1.0
        return Fit(similarity, meaning.counter_texts[nearest], against[nearest], best)

    def near(self, topics: Sequence[Topic]) -> NearIndex:
        """An index comparing an item with all these topics at once (build it once per set of topics)."""
        return NearIndex(self, tuple(topics))


class NearIndex:
    """Topics found without a keyword: their meaning vectors stacked, compared with an item in one product."""

    def __init__(self, meaning: Meaning, topics: tuple[Topic, ...]) -> None:
        self.meaning = meaning
        self.topics = tuple(t for t in topics if has_meaning(t))
        self._matrix: Matrix | None = None

    def close(self, conversation: Conversation, at_least: float) -> list[tuple[Topic, float]]:
        """The topics whose meaning the item's vector is at least ``at_least`` close to, and within NEAREST_MARGIN
        of the nearest of them all, with the cosine."""
        if not self.topics:
            return []
        embedder = self.meaning.embedder
        if self._matrix is None:
            vectors = []
            for topic in self.topics:
                meaning = self.meaning.topic(topic)
                assert meaning is not None
                vectors.append(meaning.vector)
            self._matrix = embedder.stack(vectors)
        found = embedder.nearest(self.meaning.item(conversation), self._matrix, at_least, NEAREST_MARGIN)
        return [(self.topics[i], s) for i, s in found]
