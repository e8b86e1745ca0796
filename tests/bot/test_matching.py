"""Matching conversations against topics: whole words, awkward terms, fields of the item."""

import pytest

from bot.domain import Conversation, Topic
from bot.matching import compile_topics, match, match_topics, relevance
from bot.query import parse_query


def item(title: str, text: str = "") -> Conversation:
    return Conversation(
        source="hackernews", external_id="1", url="https://news.ycombinator.com/item?id=1", title=title, text=text
    )


@pytest.mark.parametrize(
    ("query", "title", "text", "matches"),
    [
        ("postgres", "Postgres or MySQL for a small SaaS?", "", True),
        ("postgres", "PostgreSQL tuning", "", False),  # whole words only
        ("c", "Learning C++ in 2026", "", False),  # c is not c++
        ("c++", "Learning C++ in 2026", "", True),
        ("c#", "C# or Java for games?", "", True),
        ("node.js", "Why we left Node.js", "", True),
        (".net", "Moving to .NET 9", "", True),
        ('"vector database"', "Which vector  database do you use?", "", True),
        ('"vector database"', "database vector", "", False),
        ("cafe", "Le Café", "", True),
        ("pgvector -job", "Hiring", "job: pgvector engineer", False),
        ("pgvector -job", "pgvector or qdrant?", "", True),
        ("(react OR vue) AND typescript", "Vue with TypeScript", "", True),
        ("(react OR vue) AND typescript", "Vue with JavaScript", "", False),
        ("sqlite", "Embedded databases", "we use SQLite, any alternative?", True),
    ],
)
def test_match(query: str, title: str, text: str, matches: bool) -> None:
    assert (match(parse_query(query), item(title, text)) is not None) is matches


def test_match_says_which_terms_and_where() -> None:
    found = match(parse_query('"vector database" OR pgvector OR qdrant'), item("Vector database advice", "pgvector?"))
    assert found is not None
    assert found.terms == ("vector database", "pgvector")
    assert found.in_title
    assert found.score == relevance(2, True) == 70


def test_match_topics_returns_every_topic_that_matches() -> None:
    topics = compile_topics(
        [
            Topic("db", "postgres OR sqlite", channel="db"),
            Topic("rust", "rust"),
            Topic("off", "postgres", enabled=False),
        ]
    )
    found = match_topics(topics, item("Postgres from Rust", ""))
    assert [(t.name, m.terms) for t, m in found] == [("db", ("postgres",)), ("rust", ("rust",))]


def test_relevance_is_bounded() -> None:
    assert relevance(1, False) == 40
    assert relevance(20, True) == 100
