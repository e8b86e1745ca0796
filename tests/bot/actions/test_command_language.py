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
    ("check", Command("check")),
    ("check 42", Command("check", {"alert": "42"})),
    ("Check  7 ", Command("check", {"alert": "7"})),
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
    # What a topic means, after its query: quoted (a \" inside), single-quoted or one word; examples repeat.
    (
        'topic add vdb "vector database" OR pgvector #search about:"Vector search, for \\"real\\" teams"'
        " example:\u201cWhich vector DB?\u201d example:pgvector counter_example:'Hiring now' without_keyword:yes"
        ' accept:"only asks"',
        Command(
            "topic add",
            {
                "name": "vdb",
                "query": '"vector database" OR pgvector',
                "channel": "search",
                "about": 'Vector search, for "real" teams',
                "without_keyword": "yes",
                "accept": "only asks",
            },
            {"examples": ("Which vector DB?", "pgvector"), "counter_examples": ("Hiring now",)},
        ),
    ),
    # The query's own fields (title:, lang:) stay in the query.
    ("topic add vdb title:pgvector lang:en", Command("topic add", {"name": "vdb", "query": "title:pgvector lang:en"})),
    (
        'topic edit vdb query:\'"vector db" OR pgvector\' #db min_score:60 example:""',
        Command(
            "topic edit",
            {"name": "vdb", "query": '"vector db" OR pgvector', "channel": "db", "min_score": "60"},
            {"examples": ("",)},
        ),
    ),
    ("topic show vdb", Command("topic show", {"name": "vdb"})),
    (
        'topic preview vdb pgvector about:"Vector search" days:3',
        Command("topic preview", {"name": "vdb", "query": "pgvector", "about": "Vector search", "days": "3"}),
    ),
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
    ("topic rename a b", "unknown command 'topic' 'rename'", "topic add, topic edit, topic show, topic preview"),
    ("feed rename a b", "unknown command 'feed' 'rename'", "feed add, feed list or feed remove"),
    ("topic edit", "which one?", "topic edit <name>"),
    ("topic edit vector-db", "nothing to change", "about:"),
    ("topic edit vector-db pgvector", "'pgvector' is not an option", "query:'...'"),
    ("topic edit vector-db about:a about:b", "about: is given twice", "topic edit <name>"),
    ("topic add vector-db pgvector days:3", "topic add takes no days:", "topic add <name> <query>"),
    ("topic show", "which one?", "topic show <name>"),
    ('topic preview vdb about:"x"', "needs a query", "topic preview <name> <query>"),
    ("feed add", "needs a kind and a URL or query", "feed add <kind> <url or query> [every]"),
    ("feed add rss", "needs a kind and a URL or query", "feed add hackernews"),
    ("stats 7d 30d", "at most one period", "stats 30d"),
    ("subscribe rust", "unknown command 'subscribe'", "topic, feed, mine, unclaimed, stats, me, check or help"),
    ("check 42 43", "at most one alert id", "check 42"),
    ("check forty-two", "at most one alert id", "check 42"),
]


@pytest.mark.parametrize(("text", "problem", "hint"), MISTAKES, ids=[t for t, _, _ in MISTAKES])
def test_a_mistake_says_what_is_wrong_and_how_to_write_it(text: str, problem: str, hint: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(text)
    assert problem in str(caught.value)
    assert hint in str(caught.value)
