"""The key question of realistic posts: the ask with the problem it refers to, or what the post is about.

Each post is written in the shape of a real one (titles, greetings, TL;DRs, closing "any ideas?"), by source.
"""

from __future__ import annotations

import pytest

from earshot.bot.delivering.summary import QUESTION_LIMIT, key_question
from earshot.bot.delivering.summary_ask import read
from earshot.bot.domain import Conversation


def post(source: str, title: str, text: str = "", kind: str = "post") -> Conversation:
    return Conversation(source, "1", "https://x.example/1", title, text=text, kind=kind)


POSTS = [
    # A generic closing ask is paired with the title that states the problem.
    (
        post(
            "hackernews",
            "Autovacuum is slow on our 2TB Postgres table",
            "Our events table is 2TB and autovacuum has been running on it for three days without finishing. "
            "We raised autovacuum_work_mem to 1GB and nothing changed. Has anyone dealt with this?",
        ),
        "Autovacuum is slow on our 2TB Postgres table. Has anyone dealt with this?",
    ),
    # A vague title: the body's problem sentence stands in for it; the greeting and thanks are left out.
    (
        post(
            "reddit",
            "Autovacuum question",
            "Hi all, long time lurker. Our biggest table (2TB) never finishes autovacuum, it just keeps running "
            "for days and the table bloats. We already tried raising maintenance_work_mem. Has anyone dealt with "
            "this? Thanks in advance!",
        ),
        "Our biggest table (2TB) never finishes autovacuum, it just keeps running for days and the table bloats. "
        "Has anyone dealt with this?",
    ),
    # No ask: the title and the sentence that says the most, not the pleasant first one.
    (
        post(
            "reddit",
            "My weekend trip to Lisbon",
            "Lisbon was lovely. We flew in on Friday night and stayed in a small flat in Alfama. "
            "The highlight was a fado night in a tiny bar. Would go back.",
        ),
        "My weekend trip to Lisbon. We flew in on Friday night and stayed in a small flat in Alfama.",
    ),
    (
        post(
            "reddit",
            "Finally migrated our whole stack to Postgres 16",
            "It took six months but we are done. We moved 40 services off MySQL and cut p99 latency by 30%. "
            "Happy to answer questions!",
        ),
        "Finally migrated our whole stack to Postgres 16. We moved 40 services off MySQL and cut p99 latency by 30%.",
    ),
    (
        post(
            "hackernews",
            "Show HN: Earshot \u2013 find conversations your team should join",
            "Hi HN! Earshot watches Hacker News, Reddit and RSS feeds for your topics and posts the threads worth "
            "joining to Slack. It runs on SQLite or Postgres. Feedback welcome!",
        ),
        "Show HN: Earshot \u2013 find conversations your team should join. Earshot watches Hacker News, Reddit and RSS "
        "feeds for your topics and posts the threads worth joining to Slack.",
    ),
    # Discourse: a problem title, a one-word ask.
    (
        post(
            "discourse",
            "Sidekiq jobs stuck in busy after deploy",
            "Since upgrading to 7.2 our jobs stay in Busy forever after a deploy. Restarting the workers clears "
            "them. Any ideas?",
        ),
        "Sidekiq jobs stuck in busy after deploy. Any ideas?",
    ),
    # The title is the ask itself ("Thoughts?"): the body says what to think about.
    (
        post(
            "reddit",
            "Thoughts?",
            "We are thinking of moving our monolith from Heroku to Fly.io to cut hosting costs in half. Thoughts?",
        ),
        "We are thinking of moving our monolith from Heroku to Fly.io to cut hosting costs in half. Thoughts?",
    ),
    # The author's TL;DR is the problem.
    (
        post(
            "reddit",
            "Kafka consumer lag keeps growing",
            "TL;DR: consumer lag grows by 1M messages an hour after we doubled partitions. Long story: we run 12 "
            "consumers on 48 partitions. Lag was fine before. What am I missing?",
        ),
        "Consumer lag grows by 1M messages an hour after we doubled partitions. What am I missing?",
    ),
    # A title that says nothing ("Help!"): the error the body quotes.
    (
        post(
            "discourse",
            "Help!",
            "Hello everyone, I'm getting 'FATAL: too many connections for role' on every deploy since we added "
            "PgBouncer. What could cause this?",
        ),
        "I'm getting 'FATAL: too many connections for role' on every deploy since we added PgBouncer. "
        "What could cause this?",
    ),
    # Stack Exchange: the title asks; a specific follow-up question is kept, a generic one is not.
    (
        post(
            "stackexchange",
            "How do I make autovacuum keep up with a 2TB table?",
            "Autovacuum has been running for three days on our events table. I tried lowering "
            "autovacuum_vacuum_cost_delay. Is partitioning the only real fix?",
        ),
        "How do I make autovacuum keep up with a 2TB table? Is partitioning the only real fix?",
    ),
    (
        post(
            "stackexchange",
            "Why is my Rust build so slow?",
            "cargo build takes 4 minutes for 20k lines. Is that normal?",
        ),
        "Why is my Rust build so slow?",
    ),
    # A specific ask in the body of a post whose title says what is wrong: both.
    (
        post(
            "reddit",
            "Our Redis memory doubled after upgrading to 7.2",
            "Same dataset, same config. Should we set activedefrag yes or roll back to 7.0?",
        ),
        "Our Redis memory doubled after upgrading to 7.2. Should we set activedefrag yes or roll back to 7.0?",
    ),
    (
        post("hackernews", "Ask HN: How do you handle on-call for a team of three?"),
        "Ask HN: How do you handle on-call for a team of three?",
    ),
    # A comment: its own point, not its story's title.
    (
        post(
            "hackernews",
            "Re: Autovacuum is slow on our 2TB Postgres table",
            "We hit the same wall at 1.5TB. Partitioning by month fixed it for us. Have you looked at pg_repack?",
            kind="comment",
        ),
        "Have you looked at pg_repack?",
    ),
    # A generic ask whose problem is far longer than the room: the problem is cut, the ask is read whole.
    (
        post(
            "reddit",
            "Help",
            "Our nightly ETL job " + "that copies rows between warehouses " * 12 + "fails with a timeout. Any ideas?",
        ),
        None,
    ),
]


@pytest.mark.parametrize(("conversation", "expected"), POSTS)
def test_the_key_question_of_a_realistic_post(conversation: Conversation, expected: str | None) -> None:
    question = key_question(conversation)
    assert len(question) <= QUESTION_LIMIT
    if expected is None:
        assert question.startswith("Our nightly ETL job") and question.endswith("… Any ideas?")
    else:
        assert question == expected


@pytest.mark.parametrize(("conversation", "expected"), POSTS)
def test_a_generic_ask_never_stands_alone_and_no_pleasantry_is_picked(
    conversation: Conversation, expected: str | None
) -> None:
    question = key_question(conversation)
    assert not read(question).generic, question
    for pleasantry in ("Hi ", "Hello", "Thanks", "Lisbon was lovely", "Happy to answer", "Feedback welcome"):
        assert pleasantry not in question


@pytest.mark.parametrize(
    ("sentence", "ask", "generic"),
    [
        ("Has anyone dealt with this?", True, True),
        ("Any ideas?", True, True),
        ("Thoughts?", True, True),
        ("What am I missing?", True, True),
        ("Is there a better way?", True, True),
        ("Why is it so slow?", True, True),  # one word, and "it" points back
        ("Should we use PgBouncer or pgcat?", True, False),
        ("How do we migrate 2 TB without downtime", True, False),
        ("Would go back.", False, False),
        ("When I run the migration, it hangs.", False, False),
        ("Any help would be appreciated!", False, False),
    ],
)
def test_asks_are_told_from_statements_and_generic_from_specific(sentence: str, ask: bool, generic: bool) -> None:
    read_ = read(sentence)
    assert (read_.ask, read_.generic) == (ask, generic)


@pytest.mark.parametrize(
    ("conversation", "expected"),
    [
        # A title that says nothing is left out of a post without an ask.
        (
            post("discourse", "Help!", "We moved our Discourse forum to a new VPS with 4 GB of memory last night."),
            "We moved our Discourse forum to a new VPS with 4 GB of memory last night.",
        ),
        # A comment without an ask: its sentences that say something, in their order.
        (
            post(
                "hackernews",
                "Re: Postgres 17",
                "Nice. We upgraded 30 clusters last week without downtime. Logical replication made it painless.",
                kind="comment",
            ),
            "We upgraded 30 clusters last week without downtime. Logical replication made it painless.",
        ),
        (post("reddit", "", ""), ""),
    ],
)
def test_titles_and_comments_without_an_ask(conversation: Conversation, expected: str) -> None:
    assert key_question(conversation) == expected
