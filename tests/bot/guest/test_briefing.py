"""The briefing's pure parts: the asker's situation, what is still open, how busy the thread is, which rules bear
on a reply, the gentle word on promotion, and the whole briefing composed from a stored alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from earshot.bot.domain import Alert, Conversation, Summary
from earshot.bot.guest.asked import Asked
from earshot.bot.guest.briefing import (
    Earlier,
    Manners,
    busyness,
    compose,
    manners_warning,
    pace,
    plain_lines,
    situation,
    still_open,
)
from earshot.bot.guest.rules import cards_for

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "part", "expected"),
    [
        ("We ingest about 40k events per second from 300 devices.", "scale", 1),
        ("Our team of 6 engineers runs it all.", "scale", 1),
        ("The table has 10M rows and grows by 2 GB a month.", "scale", 1),
        ("We have 3 laptops and a NAS.", "scale", 1),
        ("We're on Django and Postgres, deployed to AWS.", "stack", 1),
        ("Our stack is boring on purpose.", "stack", 1),
        ("Budget is around $200 a month, we can't afford Datadog.", "budget", 1),
        ("Looking for something with a free tier.", "budget", 1),
        ("We tried RabbitMQ but the ops load was too much.", "tried", 1),
        ("I've already looked at Celery and Dramatiq.", "tried", 1),
        ("pg_cron didn't work for retries.", "tried", 1),
        ("Any recommendations for a queue that survives restarts?", "tried", 0),  # a question is not a situation
        ("Which queue should we use with 10M rows?", "scale", 0),
        ("It is a nice day and I like my cat.", "scale", 0),
        ("It is a nice day and I like my cat.", "stack", 0),
        ("It is a nice day and I like my cat.", "budget", 0),
        ("It is a nice day and I like my cat.", "tried", 0),
        ("Run `SELECT 1 FROM jobs -- 10M rows` to see.", "scale", 0),  # code is left out
    ],
)
def test_situation_reads_each_part_from_the_askers_sentences(text: str, part: str, expected: int) -> None:
    assert len(getattr(situation(text), part)) == expected


def test_situation_keeps_at_most_two_sentences_a_part_and_nothing_is_falsy() -> None:
    text = "We use Go. We use Redis. We use Kafka too."
    assert situation(text).stack == ("We use Go.", "We use Redis.")
    assert not situation("Hello there.")
    assert [name for name, _ in situation("We tried the obvious fix. We have 5 servers.").parts()] == ["scale", "tried"]


@pytest.mark.parametrize(
    ("replies", "open_points"),
    [
        ((), 2),
        (("SKIP LOCKED with FOR UPDATE lets each worker take its own row.",), 1),
        (
            (
                "SKIP LOCKED with FOR UPDATE lets each worker take its own row.",
                "When a worker dies mid-job, a visibility timeout hands the job back.",
            ),
            0,
        ),
        (("I like turtles.",), 2),
    ],
)
def test_still_open_lists_the_points_no_reply_touched(replies: tuple[str, ...], open_points: int) -> None:
    asked = Asked(
        "Job queue in PostgreSQL with SKIP LOCKED?",
        "How do I handle a worker dying mid-job?",
        replies,
    )
    assert len(still_open(asked)) == open_points


def _conversation(**fields: object) -> Conversation:
    values: dict[str, object] = {
        "source": "lobsters",
        "external_id": "abc123",
        "url": "https://lobste.rs/s/abc123/job_queues_postgres",
        "title": "Job queues in Postgres: what do you use?",
        "text": "We run 3 servers on Debian. We tried pg-boss but it didn't scale. What would you pick?",
        "created_at": NOW - timedelta(hours=5),
        "thread_size": 12,
        "points": 40,
        "community": None,
    }
    values.update(fields)
    return Conversation(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "posted 5 h ago · 12 replies · 40 points"),
        ({"thread_size": 1, "points": None}, "posted 5 h ago · 1 reply"),
        ({"thread_size": 0}, "posted 5 h ago · 0 replies · 40 points · no replies yet"),
        ({"thread_size": 35}, "posted 5 h ago · 35 replies · 40 points · busy: read the replies before adding one"),
        (
            {"thread_size": 1, "created_at": NOW - timedelta(days=5)},
            "posted 5 days ago · 1 reply · 40 points · gone quiet",
        ),
        ({"created_at": None, "thread_size": None, "points": None}, "age unknown"),
    ],
)
def test_pace_says_how_old_and_busy(fields: dict[str, object], expected: str) -> None:
    assert pace(_conversation(**fields), NOW) == expected


def test_busyness_is_empty_when_the_size_is_unknown() -> None:
    assert busyness(_conversation(thread_size=None), NOW) == ""


LOBSTERS = cards_for("lobsters", None)


@pytest.mark.parametrize(
    ("manners", "cards", "warned"),
    [
        (None, LOBSTERS, False),
        (Manners("lobsters", 3, 3), LOBSTERS, False),  # too few replies to call it a habit
        (Manners("lobsters", 8, 2), LOBSTERS, False),  # exactly a quarter: within the rule
        (Manners("lobsters", 8, 3), LOBSTERS, True),
        (Manners("lobsters", 10, 10), cards_for("hackernews", None), False),  # HN gives no share to compare with
    ],
)
def test_the_manners_warning_only_when_over_the_communitys_share(
    manners: Manners | None, cards: tuple, warned: bool
) -> None:
    said = manners_warning(manners, cards)
    assert (said is not None) == warned
    if said:
        assert "3 of your last 8 replies" in said and "under 25%" in said and "Lobsters" in said


def test_compose_builds_the_briefing_from_a_stored_alert() -> None:
    alert = Alert(
        id=7,
        topic="queues",
        channel=None,
        conversation=_conversation(),
        matched=("postgres",),
        score=70,
        created_at=NOW,
        summary=Summary("What job queue on Postgres holds up?", ("one suggests SKIP LOCKED with a plain table",)),
    )
    earlier = (
        Earlier("https://lobste.rs/s/zzz/older_thread", "Older thread", "U1"),
        Earlier(alert.conversation.url, "this very thread", "U1"),  # never the thread itself
    )
    b = compose(alert, NOW, LOBSTERS, earlier, Manners("lobsters", 4, 2))
    assert b.asked == "What job queue on Postgres holds up?"
    assert b.situation.scale == ("We run 3 servers on Debian.",)
    assert b.situation.tried == ("We tried pg-boss but it didn't scale.",)
    assert b.said == ("one suggests SKIP LOCKED with a plain table",)
    assert b.pace == "posted 5 h ago · 12 replies · 40 points"
    assert [c.id for c in b.rules] == ["lobsters:self-promotion"]
    assert [e.url for e in b.earlier] == ["https://lobste.rs/s/zzz/older_thread"]
    assert b.warning is not None and "2 of your last 4" in b.warning
    lines = plain_lines(b)
    assert lines[0] == "Briefing for alert 7: Job queues in Postgres: what do you use?"
    assert "Their tried: We tried pg-boss but it didn't scale." in lines
    assert any(line.startswith("Rule: Lobsters, self-promotion: \"It's great") for line in lines)


def test_rules_that_ask_nothing_of_a_reply_are_left_out_and_the_places_own_come_first() -> None:
    from earshot.bot.guest.briefing import bearing
    from earshot.bot.guest.rules import RuleCard

    place = RuleCard(
        "reddit:r/python:1",
        "reddit:r/python",
        "r/python rule 1",
        "No spam or self-promotion.",
        "u",
        asks=("limit-promotion",),
    )
    quiet = RuleCard("reddit:r/python:2", "reddit:r/python", "r/python rule 2", "Be nice.", "u")
    cards = cards_for("reddit", "r/python", place_cards=(place, quiet))
    chosen = bearing(cards)
    assert chosen[0].id == "reddit:r/python:1" and quiet not in chosen
