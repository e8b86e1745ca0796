"""Intent with the learned model: the failures issue 15 lists behave (single words no longer decide alone)."""

from __future__ import annotations

import pytest

from earshot.bot.finding.intent import Intent, find_intents


def kinds(title: str, text: str = "") -> set[Intent]:
    return {f.intent for f in find_intents(title, text)}


@pytest.mark.parametrize(
    "title",
    [
        "pg_cron job runs twice on the standby after failover",
        "Keeping our Postgres vacuum healthy has become a full-time job",
        "Scheduled job with tokio-cron-scheduler runs twice after DST change",
        "Kubernetes Job keeps restarting even though backoffLimit is 0",
    ],
)
def test_job_in_a_scheduled_job_or_the_idiom_is_no_job_post(title: str) -> None:
    assert Intent.JOB not in kinds(title)


@pytest.mark.parametrize(
    "title", ["[Hiring] SRE with Prometheus experience, Amsterdam", "Streaming startup hiring Kafka engineers"]
)
def test_a_job_ad_is_still_a_job_post(title: str) -> None:
    assert Intent.JOB in kinds(title)


def test_slow_help_and_timeouts_in_a_travel_story_are_no_problem() -> None:
    text = (
        "My weekend trip to Lisbon was lovely. The tram was slow and the airport had timeouts at every gate, "
        "so thanks to the help desk for the coffee. At work we use postgres, so I read a book on the plane."
    )
    assert kinds("My weekend trip to Lisbon", text) & {Intent.PAIN, Intent.QUESTION} == set()


def test_a_real_problem_is_still_one() -> None:
    found = kinds("Kafka consumers keep crashing after the upgrade", "Since 3.7 every consumer group rebalances.")
    assert Intent.PAIN in found


def test_looking_for_in_a_call_for_papers_is_no_ask() -> None:
    found = kinds(
        "RustConf 2027: Call for Proposals", "We are looking for talks on async Rust. Submissions close May 1."
    )
    assert Intent.CALL_FOR_PAPERS in found
    assert found & {Intent.RECOMMENDATION, Intent.QUESTION} == set()


def test_recommend_when_giving_advice_is_no_ask() -> None:
    text = "After two years on it I highly recommend pgbouncer in transaction mode. We recommend it to every client."
    assert Intent.RECOMMENDATION not in kinds("Our connection pooling setup", text)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Advice wanted: Postgres replication across regions", "We have two regions and a primary in one."),
        ("", "I'm out of ideas with this autovacuum setting, it never runs on the big table."),
        ("Best way to rotate DKIM keys without downtime", "We have 40 domains and rotate by hand"),
        ("", "Please share how you version Terraform modules across teams"),
    ],
)
def test_paraphrased_asks_are_found(title: str, text: str) -> None:
    assert Intent.QUESTION in kinds(title, text)


def test_a_question_asks_and_a_statement_does_not() -> None:
    assert Intent.QUESTION in kinds("", "Has anyone run Kafka on ARM in production? How did it go?")
    assert kinds("", "We ran Kafka on ARM for a year. It went fine, the bill halved.") & {Intent.QUESTION} == set()


def test_a_solved_thread_is_recognised() -> None:
    assert Intent.SOLVED in kinds("[SOLVED] Autovacuum never runs on one table", "")
    assert Intent.SOLVED in kinds("Autovacuum never runs", "Edit: solved, it was a long transaction.")


def test_an_untitled_post_has_no_title_rules_applied() -> None:
    # A Mastodon post "titled" with its own opening: the launch rule is a title rule; passed as "" it does not fire.
    text = "PostgreSQL 17 released last week and our upgrade went fine."
    assert Intent.ANNOUNCEMENT in kinds(text, text)
    assert Intent.ANNOUNCEMENT not in kinds("", text)


def test_other_languages_ask_too() -> None:
    assert Intent.QUESTION in kinds("", "¿Alguien sabe cómo limitar la memoria de un pod en Kubernetes?")
    assert Intent.QUESTION in kinds("", "Weiß jemand, wie man in Postgres die Replikation überwacht?")
