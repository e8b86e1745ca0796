"""Excerpts, ages and cleaning of third-party text."""

from datetime import UTC, datetime, timedelta

import pytest

from earshot.bot.text import age, clean, excerpt

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_excerpt_cuts_at_a_word_and_flattens() -> None:
    text = "Looking for a vector database.\n\nWe tried pgvector and qdrant, both fine, but neither scales"
    got = excerpt(text, 50)
    assert got == "Looking for a vector database. We tried pgvector…"
    assert len(got) <= 50
    assert excerpt("short", 50) == "short"


def test_clean_drops_terminal_escapes_and_bidi() -> None:
    assert clean("a\x1b[2Jb\u202ec\u200bd\ne") == "abcd\ne"
    assert clean("x\x1b]8;;http://evil\x07link\x1b]8;;\x07y") == "xlinky"  # OSC 8 hyperlinks
    assert clean("\x1b[31mred\x1b[0m") == "red"


def test_age() -> None:
    assert age(None, NOW) == ""
    assert age(NOW - timedelta(seconds=5), NOW) == "just now"
    assert age(NOW - timedelta(minutes=40), NOW) == "40 min ago"
    assert age(NOW - timedelta(hours=5), NOW) == "5 h ago"
    assert age(NOW - timedelta(days=3), NOW) == "3 days ago"


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [
        ("short", 15, "short"),
        ("exactly fifteen", 15, "exactly fifteen"),
        ("hello world this is a long text", 15, "hello world…"),
        ("a" * 40, 15, "a" * 14 + "…"),
        ("many\n\nlines  here", 50, "many lines here"),
        ("ends with a comma, then more words", 19, "ends with a comma…"),
    ],
)
def test_excerpt_table(text: str, n: int, expected: str) -> None:
    result = excerpt(text, n)
    assert result == expected
    assert len(result) <= n
