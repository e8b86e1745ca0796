"""Thread state: the "[SOLVED]" title rule, solved labels, which state wins, and the scoring signal built on them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from earshot.bot.domain import Conversation, Match
from earshot.bot.finding.explain import thread_line
from earshot.bot.finding.intent import LABELS, Intent
from earshot.bot.finding.scoring import (
    STATE_WEIGHTS,
    TITLE_HIT,
    ReasonKind,
    item_reasons,
    relevance,
    score,
    summary_line,
)
from earshot.bot.finding.thread_state import (
    ThreadState,
    describe,
    marks_solved,
    solved_in_title,
    strongest,
    thread_state,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ASK = Conversation(
    "stackexchange",
    "stackoverflow:1",
    "https://stackoverflow.com/questions/1/x",
    "Which Postgres connection pooler should we use?",
    "We run pgbouncer and it keeps timing out. Any recommendation?",
    created_at=NOW - timedelta(minutes=10),
    thread_size=0,
)
HIT = Match(terms=("postgres",), in_title=True, score=60)


@pytest.mark.parametrize(
    "title",
    [
        "[SOLVED] poetry can't find my package after install",
        "[Solved] OpenTelemetry traces missing in Grafana Tempo",
        "Kafka consumer lag keeps growing (solved)",
        "Solved: Terraform state lock never released",
        "SOLVED - nginx ingress returns 404",
        "Postgres won't start after disk full - Resolved",
        "Ingress 404 on every path | solved ✅",
        "[Gelöst] Postgres startet nicht",
        "Pod no arranca (Resuelto)",
        "【解決済み】Kubernetes のポッドが起動しない",
        "{FIXED} cargo can't find openssl",
    ],
)
def test_a_solved_mark_in_the_title_is_read(title: str) -> None:
    assert solved_in_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "How we solved our Postgres bloat",
        "Jira tickets getting auto-resolved",
        "Solved-state machines in Rust",
        "[Unsolved] DMARC failures from one provider",
        "[not solved] still broken",
        "Problem gelöst?",
        "Is this solved in 2.0?",
    ],
)
def test_titles_that_merely_use_the_word_are_open(title: str) -> None:
    assert not solved_in_title(title)


def test_an_untitled_opening_counts_only_a_bracketed_mark() -> None:
    assert solved_in_title("[SOLVED] my ingress question from yesterday", untitled=True)
    assert not solved_in_title("Solved: the mystery of the missing spans, a thread", untitled=True)


@pytest.mark.parametrize(
    ("label", "solved"),
    [
        ("Solved", True),
        ("SOLVED!", True),
        ("Resolved ✅", True),
        ("Answered", True),
        ("Question - Solved", True),
        ("Gelöst", True),
        ("Resuelto", True),
        ("решено", True),
        ("Unsolved", False),
        ("Not Solved", False),
        ("Nicht gelöst", False),
        ("No resuelto", False),
        ("не решено", False),
        ("Help", False),
        ("Solution needed", False),
        ("", False),
        (None, False),
    ],
)
def test_solved_labels_in_several_languages(label: str | None, solved: bool) -> None:
    assert marks_solved(label) is solved


def test_the_most_final_state_wins() -> None:
    assert strongest(None, "answered", "solved") == "solved"
    assert strongest("closed", "locked", "solved") == "locked"
    assert strongest(None, "whatever") is None
    titled = replace(ASK, title="[SOLVED] Which Postgres pooler?")
    assert thread_state(titled) == ThreadState("solved", from_title=True)
    # The source's own word for a more final state is kept; a solved title turns "answered" into solved.
    assert thread_state(replace(titled, state="closed")) == ThreadState("closed")
    assert thread_state(replace(titled, state="answered")) == ThreadState("solved", from_title=True)
    assert thread_state(replace(ASK, state="answered")) == ThreadState("answered")
    assert thread_state(ASK) is None
    assert thread_state(replace(ASK, state="bogus")) is None


def test_reasons_say_it_in_plain_words() -> None:
    assert describe(ThreadState("locked"), "reddit") == "locked: replies are off"
    assert describe(ThreadState("closed"), "github") == "closed on GitHub"
    assert describe(ThreadState("closed"), "stackexchange") == "closed on Stack Exchange"
    assert describe(ThreadState("closed"), "somewhere") == "closed: it takes no new replies"
    assert describe(ThreadState("solved"), "stackexchange") == "solved: it has an accepted answer"
    assert describe(ThreadState("solved"), "reddit") == "solved: its flair says so"
    assert describe(ThreadState("solved", from_title=True), "rss") == "solved: its title says so"
    assert describe(ThreadState("answered"), "stackexchange") == "answered: it has answers, none accepted"


def test_the_state_is_a_reason_of_the_item() -> None:
    open_reasons = item_reasons(ASK, NOW, timedelta(days=1))
    assert all(r.kind is not ReasonKind.STATE for r in open_reasons)
    [state] = [
        r for r in item_reasons(replace(ASK, state="solved"), NOW, timedelta(days=1)) if r.kind is ReasonKind.STATE
    ]
    assert (state.label, state.weight) == ("solved: it has an accepted answer", STATE_WEIGHTS["solved"])


def test_locked_and_closed_threads_never_reach_the_default_threshold_and_solved_ones_lose_most() -> None:
    best = score(ASK, Match(("postgres", "pgbouncer", "pooler", "timing"), True, 90), NOW)
    assert best.value >= 90  # a fresh, unanswered ask for a recommendation with the topic in its title
    for state in ("locked", "closed"):
        assert score(replace(ASK, state=state), HIT, NOW).value < 50
        assert score(replace(ASK, state=state), Match(("postgres", "pgbouncer", "pooler"), True, 90), NOW).value < 50
    solved = score(replace(ASK, state="solved"), HIT, NOW)
    assert solved.value == score(ASK, HIT, NOW).value + STATE_WEIGHTS["solved"]
    answered = score(replace(ASK, state="answered"), HIT, NOW)
    assert score(ASK, HIT, NOW).value - answered.value == -STATE_WEIGHTS["answered"] <= 10
    # The alert line leads with the state, before what the post asks.
    assert summary_line(score(replace(ASK, state="locked"), HIT, NOW)).startswith("locked: replies are off · ")
    assert summary_line(score(replace(ASK, title="[SOLVED] " + ASK.title), HIT, NOW)).startswith(
        "solved: its title says so"
    )


def test_an_untitled_opening_gets_neither_the_title_rules_nor_a_title_hit() -> None:
    toot = Conversation(
        "mastodon",
        "https://mastodon.example/users/a/statuses/1",
        "https://mastodon.example/@a/1",
        "Lessons learned babysitting Postgres failovers",
        "Lessons learned babysitting Postgres failovers: anyone know a pooler that survives them?",
        created_at=NOW - timedelta(minutes=10),
        thread_size=0,
        untitled=True,
    )
    titled = replace(toot, untitled=False)
    kinds = {r.label for r in item_reasons(titled, NOW, timedelta(days=1))}
    # In a real title, "lessons learned" reads as a write-up (a rule trusted only in titles); in an opening it does not.
    write_up = LABELS[Intent.ARTICLE]
    assert write_up in kinds
    assert write_up not in {r.label for r in item_reasons(toot, NOW, timedelta(days=1))}
    in_opening = Match(("postgres",), in_title=False, score=40)
    fit = relevance(in_opening, untitled=True)
    assert (fit.label, fit.weight) == ("mentions postgres", TITLE_HIT)
    assert relevance(in_opening).weight < fit.weight  # a long body's mention may be in passing; a short post's not


def test_explain_names_the_state() -> None:
    assert thread_line(ASK) is None
    assert thread_line(replace(ASK, source="github", state="closed")) == "closed on GitHub"
