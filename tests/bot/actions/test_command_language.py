"""The chat command language, table-driven: what each command reads as, and how a mistake is explained."""

from __future__ import annotations

import pytest

from earshot.bot.actions.command_language import Command, CommandError, parse_command

READS = [
    ("", Command("help")),
    ("help", Command("help")),
    ("  HELP  ", Command("help")),
    ("topic list", Command("topic list")),
    ("topics", Command("topic list")),
    ("feeds list", Command("feed list")),
    ("mine", Command("mine")),
    ("unclaimed", Command("unclaimed")),
    ("stats", Command("stats")),
    ("stats 30d", Command("stats", {"period": "30d"})),
    ("topic remove vector-db", Command("topic remove", {"name": "vector-db"})),
    ("feed remove hn-rust", Command("feed remove", {"name": "hn-rust"})),
    (
        'topic add vector-db "vector database" OR pgvector',
        Command("topic add", {"name": "vector-db", "query": '"vector database" OR pgvector'}),
    ),
    (
        'topic add vector-db "vector database" OR pgvector #search',
        Command("topic add", {"name": "vector-db", "query": '"vector database" OR pgvector', "channel": "search"}),
    ),
    # Chat apps turn straight quotes into curly ones; the query language needs them straight.
    (
        "topic add pg \u201cpostgres backup\u201d",
        Command("topic add", {"name": "pg", "query": '"postgres backup"'}),
    ),
    # A term that contains '#' is a query word, not a channel.
    ("topic add dotnet c# OR f#", Command("topic add", {"name": "dotnet", "query": "c# OR f#"})),
    (
        'feed add hackernews "vector database" 5m',
        Command("feed add", {"kind": "hackernews", "target": '"vector database"', "every": "5m"}),
    ),
    (
        "feed add RSS https://example.com/feed.xml",
        Command("feed add", {"kind": "rss", "target": "https://example.com/feed.xml"}),
    ),
    # A lone word is the target even when it reads like a duration.
    ("feed add hackernews 5m", Command("feed add", {"kind": "hackernews", "target": "5m"})),
    ("feed add hackernews rust 10", Command("feed add", {"kind": "hackernews", "target": "rust 10"})),
]


@pytest.mark.parametrize(("text", "command"), READS, ids=[text or "empty" for text, _ in READS])
def test_a_command_reads_as(text: str, command: Command) -> None:
    assert parse_command(text) == command


MISTAKES = [
    ("topic add", "needs a name and a query", "topic add <name> <query>"),
    ("topic add vector-db", "needs a query", "e.g. topic add vector-db"),
    ("topic add vector-db #search", "needs a query", "[#channel]"),
    ("topic remove", "which one?", "topic remove <name>"),
    ("topic remove a b", "exactly one name", "topic remove <name>"),
    ("topic rename a b", "unknown command 'topic' 'rename'", "topic add, topic list or topic remove"),
    ("feed add", "needs a kind and a URL or query", "feed add <kind> <url or query> [every]"),
    ("feed add rss", "needs a kind and a URL or query", "feed add hackernews"),
    ("stats 7d 30d", "at most one period", "stats 30d"),
    ("subscribe rust", "unknown command 'subscribe'", "topic, feed, mine, unclaimed, stats, me or help"),
]


@pytest.mark.parametrize(("text", "problem", "hint"), MISTAKES, ids=[t for t, _, _ in MISTAKES])
def test_a_mistake_says_what_is_wrong_and_how_to_write_it(text: str, problem: str, hint: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(text)
    assert problem in str(caught.value)
    assert hint in str(caught.value)
