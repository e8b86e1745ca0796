"""Topic query parsing: what is accepted, what is refused, and where."""

import pytest

from bot.errors import InvalidQuery
from bot.query import And, Not, Or, Term, fold, parse_query


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("pgvector", ["pgvector"]),
        ('"vector database" OR pgvector', ["vector database", "pgvector"]),
        ("c++ -job", ["c++"]),
        ("node.js AND (react OR vue)", ["node.js", "react", "vue"]),
        ("Café NOT (hiring OR job)", ["cafe"]),
        ('"Vector   Database" vector database', ["vector database", "vector", "database"]),
        ("NOT NOT postgres", ["postgres"]),
    ],
)
def test_positive_terms(text: str, terms: list[str]) -> None:
    assert [t.text for t in parse_query(text).terms()] == terms


def test_precedence_and_binds_tighter_than_or() -> None:
    root = parse_query("a b OR c").root
    assert isinstance(root, Or)
    assert isinstance(root.parts[0], And)
    assert isinstance(root.parts[1], Term)


def test_minus_and_not_are_the_same() -> None:
    minus = parse_query("a -b").root
    word = parse_query("a NOT b").root
    assert isinstance(minus, And) and isinstance(word, And)
    assert isinstance(minus.parts[1], Not) and isinstance(word.parts[1], Not)


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("(postgres", 0, "never closed"),
        ("postgres)", 8, "closes nothing"),
        ('"vector database', 0, "closing quote"),
        ("NOT job", 0, "only excludes"),
        ("-job -hiring", 0, "only excludes"),
        ("postgres OR", 11, "ends where"),
        ("a AND AND b", 6, "needs a word"),
        ('a ""', 2, "empty phrase"),
    ],
)
def test_bad_queries_say_where_and_why(text: str, position: int, reason: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        parse_query(text)
    assert caught.value.position == position
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"bad query at position {position + 1}:")


def test_fold_removes_case_and_accents() -> None:
    assert fold("Café NAÏVE Ünïcode") == "cafe naive unicode"
