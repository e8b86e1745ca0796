"""explain's core: each topic's verdict on a stored item, re-run by the pipeline's own pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from earshot.bot.domain import Conversation, Topic
from earshot.bot.finding.explain import Leaf, explain_item
from earshot.bot.finding.matching import TopicIndex, compile_topics
from earshot.bot.finding.scoring import ScoringPolicy, score
from earshot.bot.ports import StoredConversation

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ITEM = Conversation(
    "hackernews",
    "1",
    "https://news.ycombinator.com/item?id=1",
    "Ask HN: Which Postgres connection pooler should we use?",
    "We run pgbouncer and it keeps timing out.",
    author="alice",
    created_at=T0 - timedelta(minutes=20),
    thread_size=2,
)
STORED = StoredConversation(7, ITEM, "hn", T0)


@pytest.mark.parametrize(
    ("topic", "outcome", "filtered", "holds"),
    [
        (Topic("pg", "postgres -hiring", min_score=0), "alert", None, True),
        (Topic("pg", "postgres", min_score=100), "below_min", None, True),
        (Topic("mysql", "mysql OR mariadb"), "no match", None, False),
        (Topic("pg", "postgres", exclude_authors=("Alice",)), "filtered", "author 'alice' is excluded", True),
        (Topic("pg", "postgres", exclude_sources=("hn",)), "filtered", "feed 'hn' is excluded", True),
        (Topic("pg", "postgres", languages=("de",), min_score=0), "below_min", None, True),  # held: not German
        (Topic("pg", "postgres", enabled=False), "disabled", None, True),
    ],
)
def test_each_topic_gets_a_verdict_with_its_reason(
    topic: Topic, outcome: str, filtered: str | None, holds: bool
) -> None:
    language, [verdict] = explain_item(STORED, [topic], ScoringPolicy())
    assert language == "en"
    assert (verdict.outcome, verdict.filtered, verdict.query_holds) == (outcome, filtered, holds)
    # The verdict agrees with what the poller's index does with the same topic.
    alerted = bool(TopicIndex(compile_topics([topic])).match(ITEM, "hn"))
    assert alerted is (outcome in ("alert", "below_min"))


def test_a_match_is_scored_as_when_the_item_was_first_seen_with_every_reason_and_weight() -> None:
    _, [verdict] = explain_item(STORED, [Topic("pg", "postgres OR pgbouncer", min_score=0)], ScoringPolicy())
    assert verdict.match is not None and verdict.score is not None
    assert verdict.match.terms == ("postgres", "pgbouncer")
    assert verdict.score == score(ITEM, verdict.match, T0, ScoringPolicy())
    assert verdict.score.value == max(0, min(100, verdict.base + sum(r.weight for r in verdict.score.reasons)))
    assert {r.label for r in verdict.score.reasons} >= {"asks for a recommendation", "20 min old", "2 replies"}


def test_the_leaves_say_which_words_were_found_where_and_which_are_excluded() -> None:
    topic = Topic("pg", "title:postgres pgbouncer -hiring source:hackernews")
    _, [verdict] = explain_item(STORED, [topic], ScoringPolicy())
    assert verdict.leaves == (
        Leaf("title:postgres", "title", False, True, True, False),
        Leaf("pgbouncer", None, False, True, False, True),
        Leaf("hiring", None, True, False, False, False),
        Leaf("source:hackernews", "source", False, True),
    )


def test_a_stored_topic_whose_query_the_parser_now_refuses_is_left_out_and_the_others_are_explained() -> None:
    # Stored before the parser refused '!': matching leaves it out, and so does explain, instead of failing whole.
    topics = [Topic("old", "postgres !hiring"), Topic("pg", "postgres", min_score=0)]
    _, verdicts = explain_item(STORED, topics, ScoringPolicy())
    assert [(v.topic.name, v.outcome) for v in verdicts] == [("pg", "alert")]
