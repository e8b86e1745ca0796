"""Relevance by meaning: topics that say what they mean are scored on it, homonyms are held with a reason, and
opted-in topics find items without their keywords. The real shipped table is used (the Embedder adapter)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from earshot.adapters.meaning import default_embedder
from earshot.bot.domain import Conversation, DeliveryState, Match, Topic
from earshot.bot.finding.explain import explain_item
from earshot.bot.finding.matching import TopicIndex, compile_topics
from earshot.bot.finding.meaning import Meaning, embedding_text
from earshot.bot.finding.polling import decide
from earshot.bot.finding.scoring import ANOTHER_SENSE, TITLE_HIT, ReasonKind, ScoringPolicy, score
from earshot.bot.ports import StoredConversation

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
VECTOR_DB = Topic(
    "vector-db",
    '"vector database" OR pgvector OR qdrant',
    about="We run vector search in production (pgvector, Qdrant) and help people choose, size, tune and operate a"
    " store for embeddings.",
    examples=(
        "Which vector database should we pick for 20M embeddings with metadata filters?",
        "Our HNSW recall dropped after upserts, how do you rebuild the index safely?",
    ),
    counter_examples=("Importing a vector database of road centerlines into QGIS",),
    without_keyword=True,
)
KEYWORDS_ONLY = Topic("vector-db-plain", '"vector database" OR pgvector OR qdrant')


@pytest.fixture(scope="module")
def policy() -> ScoringPolicy:
    return ScoringPolicy(meaning=Meaning(default_embedder()))


def post(title: str, text: str = "", **fields: object) -> Conversation:
    return replace(
        Conversation("reddit", title[:20], f"https://www.reddit.com/r/x/{abs(hash(title))}", title, text),
        created_at=NOW - timedelta(minutes=30),
        thread_size=1,
        **fields,
    )


def relevance_reason(result_reasons: tuple) -> object:
    [reason] = [r for r in result_reasons if r.kind is ReasonKind.RELEVANCE]
    return reason


def test_a_homonym_closer_to_a_counter_example_is_held_with_a_reason_in_plain_words(policy: ScoringPolicy) -> None:
    homonym = post(
        "Where can I download a vector database of road centerlines and river shapefiles for QGIS?",
        "I need GIS layers for a map of my county: roads, rivers and parcels.",
    )
    found = Match(terms=("vector database",), in_title=True, score=60)
    result, state = decide(homonym, VECTOR_DB, found, NOW, policy)
    reason = relevance_reason(result.reasons)
    assert reason.label == (
        "uses the topic's words in another sense (closer to 'Importing a vector database of road centerlines into"
        " QGIS')"
    )
    assert reason.weight == ANOTHER_SENSE and state is DeliveryState.BELOW_MIN
    # Without meaning the same post was an ordinary title hit, posted.
    plain, plain_state = decide(homonym, KEYWORDS_ONLY, found, NOW, policy)
    assert relevance_reason(plain.reasons).weight == TITLE_HIT and plain_state is DeliveryState.PENDING


def test_an_item_on_the_topic_gains_for_being_close_to_what_it_is_about(policy: ScoringPolicy) -> None:
    ask = post(
        "Which vector database for 50M embeddings with filters: pgvector or Qdrant?",
        "We need metadata filtering and fast upserts. What would you pick and how did you size it?",
    )
    found = Match(terms=("vector database", "pgvector", "qdrant"), in_title=True, score=80)
    result, state = decide(ask, VECTOR_DB, found, NOW, policy)
    reason = relevance_reason(result.reasons)
    assert reason.label == "close to what the topic is about (vector database, pgvector, qdrant)"
    assert reason.weight > 0 and state is DeliveryState.PENDING


def test_without_the_topic_or_the_meaning_scoring_stays_on_keywords(policy: ScoringPolicy) -> None:
    ask = post("Which vector database should we use?")
    found = Match(terms=("vector database",), in_title=True, score=60)
    with_topic = score(ask, found, NOW, ScoringPolicy(), topic=VECTOR_DB)  # no meaning in the policy
    no_topic = score(ask, found, NOW, policy)  # no topic given
    assert relevance_reason(with_topic.reasons).label == "vector database in the title"
    assert with_topic == no_topic


def test_an_opted_in_topic_finds_a_close_item_without_its_keywords(policy: ScoringPolicy) -> None:
    index = TopicIndex(compile_topics([VECTOR_DB, KEYWORDS_ONLY]), policy.meaning)
    nearby = post(
        "HNSW index recall drops after bulk upserts of embeddings",
        "Our approximate nearest neighbour search returns worse results after we upsert millions of embeddings."
        " How do you rebuild the index without downtime?",
    )
    [(topic, found)] = index.match(nearby, "reddit")
    assert topic is VECTOR_DB and found.terms == ()
    result, state = decide(nearby, topic, found, NOW, policy)
    assert relevance_reason(result.reasons).label == "close to what the topic is about (no keyword)"
    assert state is DeliveryState.PENDING
    # Far in meaning: nothing; and a topic that did not opt in never matches without its words.
    assert index.match(post("My sourdough starter smells like nail polish, is it dead?"), "reddit") == []
    plain = TopicIndex(compile_topics([replace(VECTOR_DB, without_keyword=False)]), policy.meaning)
    assert plain.match(nearby, "reddit") == []


def test_an_item_found_without_a_keyword_still_obeys_the_topics_exclusions_and_filters(policy: ScoringPolicy) -> None:
    nearby = post(
        "HNSW index recall drops after bulk upserts of embeddings",
        "Our approximate nearest neighbour search returns worse results after we upsert millions of embeddings.",
    )
    excluding = replace(VECTOR_DB, query='"vector database" OR pgvector -upserts')
    assert TopicIndex(compile_topics([excluding]), policy.meaning).match(nearby, "reddit") == []
    filtered = replace(VECTOR_DB, exclude_sources=("reddit",))
    assert TopicIndex(compile_topics([filtered]), policy.meaning).match(nearby, "reddit") == []


def test_a_topics_meaning_is_worked_out_once_and_again_when_it_changes() -> None:
    calls: list[str] = []
    embedder = default_embedder()

    class Counting:
        def __getattr__(self, name: str) -> object:
            return getattr(embedder, name)

        def embed(self, text: str) -> object:
            calls.append(text)
            return embedder.embed(text)

    meaning = Meaning(Counting())
    first = meaning.topic(VECTOR_DB)
    assert meaning.topic(VECTOR_DB) is first and len(calls) == 4  # about, two examples, one counter-example
    edited = replace(VECTOR_DB, about="We help people run Qdrant.")
    assert meaning.topic(edited) is not first and len(calls) == 8
    assert meaning.topic(KEYWORDS_ONLY) is None
    item = post("Qdrant or pgvector?")
    meaning.item(item)
    meaning.item(item)
    assert calls.count(embedding_text(item)) == 1


def test_an_untitled_item_is_embedded_from_its_text_once() -> None:
    toot = post("Anyone running pgvector at scale", "Anyone running pgvector at scale? We have 30M rows.")
    toot = replace(toot, untitled=True)
    assert embedding_text(toot) == "Anyone running pgvector at scale? We have 30M rows."
    titled = post("pgvector at scale", "We have 30M rows.")
    assert embedding_text(titled) == "pgvector at scale\nWe have 30M rows."


def test_explain_shows_an_item_found_without_a_keyword_as_the_poller_decided_it(policy: ScoringPolicy) -> None:
    nearby = post(
        "HNSW index recall drops after bulk upserts of embeddings",
        "Our approximate nearest neighbour search returns worse results after we upsert millions of embeddings.",
    )
    stored = StoredConversation(7, nearby, "reddit", NOW)
    _, [verdict, plain] = explain_item(stored, [VECTOR_DB, KEYWORDS_ONLY], policy)
    assert verdict.outcome == "alert" and verdict.match is not None and verdict.match.terms == ()
    assert verdict.score is not None
    assert "close to what the topic is about (no keyword)" in {r.label for r in verdict.score.reasons}
    assert plain.outcome == "no match"
    _, [keywords_only] = explain_item(stored, [VECTOR_DB], ScoringPolicy())  # no meaning: as before
    assert keywords_only.outcome == "no match"


def test_an_item_in_a_language_the_table_does_not_read_is_scored_on_its_keywords(policy: ScoringPolicy) -> None:
    german = post("Kurze Frage an alle mit Postgres in Produktion: wie groß darf shared_buffers sein?")
    topic = replace(VECTOR_DB, query="postgres", counter_examples=("Meet Postgres, our new rescue kitten",))
    found = Match(terms=("postgres",), in_title=True, score=60)
    result = score(german, found, NOW, policy, language="de", topic=topic)
    assert relevance_reason(result.reasons).label == "postgres in the title"
    english = score(german, found, NOW, policy, language="en", topic=topic)
    assert relevance_reason(english.reasons).kind is ReasonKind.RELEVANCE
    assert relevance_reason(english.reasons).label != "postgres in the title"


def test_a_counter_example_made_of_the_topic_s_own_word_does_not_take_real_questions(policy: ScoringPolicy) -> None:
    # "Where should I start with Kafka's novels?" is mostly the word "kafka": every Kafka post sits near it. What
    # decides is whether the post sits nearer it than to what the topic is (its about, or one of its examples).
    kafka = Topic(
        "kafka",
        "kafka",
        about="We run Apache Kafka and event streaming: partitions, consumers, Connect, Streams, cost.",
        examples=("Kafka consumer lag keeps growing on one partition only",),
        counter_examples=("Where should I start with Kafka's novels?",),
    )
    found = Match(terms=("kafka",), in_title=True, score=60)
    broker = post("Kafka broker disk filling up even with retention set to 3 days")
    assert relevance_reason(score(broker, found, NOW, policy, topic=kafka).reasons).weight != ANOTHER_SENSE
    novel = post("Reading Kafka's The Trial: which translation of the novel should I start with?")
    held = relevance_reason(score(novel, found, NOW, policy, topic=kafka).reasons)
    assert (held.weight, held.label) == (
        ANOTHER_SENSE,
        "uses the topic's words in another sense (closer to 'Where should I start with Kafka's novels?')",
    )
