"""The extractive summariser, by tables of inputs and the summary expected."""

from __future__ import annotations

import pytest

from earshot.bot.delivering.summary import (
    SummaryPolicy,
    extractive_summary,
    key_question,
    said_so_far,
    sentences,
    shorten,
    words,
)
from earshot.bot.domain import Conversation, Reply, Summary


def post(title: str, text: str = "", kind: str = "post") -> Conversation:
    return Conversation("hackernews", "1", "https://news.ycombinator.com/item?id=1", title, text=text, kind=kind)


def reply(text: str, *, points: int | None = None, depth: int = 0, n: int = 0) -> Reply:
    return Reply(str(n), "someone", text, points=points, depth=depth)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two? Three!", ["One.", "Two?", "Three!"]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        ("> quoted parent\nMy answer.", ["My answer."]),
        ("  spaced    out  ", ["spaced out"]),
        ("", []),
        ("e.g. this stays whole", ["e.g. this stays whole"]),
        ("Bad \x1b[31mescape\u202e here.", ["Bad escape here."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("conversation", "expected"),
    [
        # A question in the title is the key question.
        (post("Which Postgres connection pooler do you use?"), "Which Postgres connection pooler do you use?"),
        # Question sentences win over statements in the text, at most two.
        (
            post(
                "Postgres pooling",
                "We run 40 services. Should we use PgBouncer or pgcat? What about RDS Proxy? Thanks!",
            ),
            "Should we use PgBouncer or pgcat? What about RDS Proxy?",
        ),
        # Questions without a question mark count by their opening word.
        (
            post("Moving off Mongo", "How do we migrate 2 TB without downtime"),
            "How do we migrate 2 TB without downtime.",
        ),
        # No question anywhere: the title and the lead sentence.
        (
            post("Show HN: A tiny vector database", "It fits in 300 lines. Benchmarks inside."),
            "Show HN: A tiny vector database. It fits in 300 lines.",
        ),
        # A comment is about what it says, not its story's title; its generic ask comes with what it refers to.
        (
            post("Re: Ask HN: Databases", "SQLite is enough for us. Why not try it?", kind="comment"),
            "SQLite is enough for us. Why not try it?",
        ),
        (post("Re: Ask HN: Databases", "SQLite is enough for us.", kind="comment"), "SQLite is enough for us."),
    ],
)
def test_key_question(conversation: Conversation, expected: str) -> None:
    assert key_question(conversation) == expected


def test_a_long_question_is_cut_at_a_word() -> None:
    question = key_question(post("Why " + "very " * 100 + "slow?"))
    assert len(question) <= 240 and question.endswith("…") and " very…" in question


QUESTION = "Which Postgres connection pooler should we use with many services?"


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        # On-topic, substantial sentences beat chatter and thanks; thread order kept.
        (
            [
                reply("Thanks for asking this!", n=0),
                reply("We use PgBouncer in transaction mode with many services and it works well.", n=1),
                reply("lol", n=2),
                reply("Pgcat handles sharding and the connection pooler failover for us.", n=3),
            ],
            (
                "We use PgBouncer in transaction mode with many services and it works well.",
                "Pgcat handles sharding and the connection pooler failover for us.",
            ),
        ),
        # Near-duplicates are said once.
        (
            [
                reply("PgBouncer in transaction mode is the standard Postgres pooler.", n=0),
                reply("PgBouncer in transaction mode is the standard pooler for Postgres!", n=1),
            ],
            ("PgBouncer in transaction mode is the standard Postgres pooler.",),
        ),
        # Upvoted replies count for more when otherwise alike.
        (
            [
                reply("Odyssey is another option worth testing for Postgres.", points=0, n=0),
                reply("Supavisor is another option worth testing for pooling.", points=90, n=1),
                reply("RDS Proxy pins sessions when prepared statements are used.", points=0, n=2),
                reply("Connection limits matter more than the pooler you pick.", points=0, n=3),
            ],
            None,  # checked below: the upvoted one is among the three
        ),
        # Quoted text is the parent's, not the reply's.
        (
            [reply(f"> {QUESTION}\nNone, fix how the app opens Postgres connections.")],
            ("None, fix how the app opens Postgres connections.",),
        ),
        ([], ()),
        ([reply("ok"), reply("+1 same here")], ()),
    ],
)
def test_said_so_far(replies: list[Reply], expected: tuple[str, ...] | None) -> None:
    said = said_so_far(QUESTION, replies)
    if expected is None:
        assert len(said) == 3
        assert "Supavisor is another option worth testing for pooling." in said
    else:
        assert said == expected


def test_the_policy_bounds_the_lines() -> None:
    replies = [reply(f"Option {n} is a Postgres connection pooler we tried with services.", n=n) for n in range(9)]
    assert len(said_so_far(QUESTION, replies, SummaryPolicy(said=1))) == 1
    assert said_so_far(QUESTION, replies, SummaryPolicy(said=0)) == ()


def test_a_long_reply_sentence_is_shortened() -> None:
    long = "Postgres pooler " + "detail " * 80
    [line] = said_so_far(QUESTION, [reply(long)])
    assert len(line) <= 160 and line.endswith("…")


def test_the_extractive_summary() -> None:
    conversation = post("Which Postgres connection pooler should we use with many services?")
    summary = extractive_summary(conversation, [reply("PgBouncer works well for many services in our setup.")])
    assert summary == Summary(
        question="Which Postgres connection pooler should we use with many services?",
        said=("PgBouncer works well for many services in our setup.",),
        method="extractive",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("The Postgres pooler, https://x.example/a b", {"postgres", "pooler", "b"}), ("the and of", set())],
)
def test_words(text: str, expected: set[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("short", 10, "short"), ("one two three four", 12, "one two…"), ("x" * 20, 10, "xxxxxxxxx…")],
)
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
