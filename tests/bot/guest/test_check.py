"""The reply check, flag by flag: tables of drafts in the shape of real replies, and the flag each should raise."""

from __future__ import annotations

import pytest

from earshot.bot.guest.asked import Asked
from earshot.bot.guest.check import (
    ABOUT_US,
    DUPLICATE,
    GENERATED,
    LINK_ONLY,
    MARKETING,
    OFF_QUESTION,
    PRODUCT_FIRST,
    TOO_LONG,
    UNDISCLOSED,
    check_reply,
)
from earshot.bot.guest.ours import Ours
from earshot.bot.guest.rules import cards_for

OURS = Ours(("Tidewater",), ("tidewater.dev",))
QUEUE = Asked(
    "How to implement a job queue in PostgreSQL with SKIP LOCKED?",
    "I want several workers to pull jobs from a table without two of them taking the same row. How should the query "
    "look, and how do I handle a worker dying mid-job?",
)
ANSWER = (
    "Add SKIP LOCKED to the FOR UPDATE so each worker skips rows another worker holds, with LIMIT 1. For a worker "
    "dying mid-job, store a lease expiry on the row and let the next worker take rows whose lease has passed."
)
EARLIER = (
    "For cron jobs that run twice, take a Postgres advisory lock at the start of the job (pg_try_advisory_lock with "
    "a fixed key per job). The second machine fails to get the lock and skips the run. No extra infrastructure needed."
)


def codes(draft: str, source: str = "stackexchange", asked: Asked = QUEUE, earlier: tuple[str, ...] = ()) -> set[str]:
    cards = cards_for(source, None)
    return set(check_reply(draft, asked, source=source, cards=cards, ours=OURS, earlier=earlier).codes)


def test_a_plain_answer_raises_nothing() -> None:
    assert codes(ANSWER) == set()


@pytest.mark.parametrize(
    ("draft", "flagged"),
    [
        ("Tidewater does this for you. " + ANSWER + " I work on it.", True),  # named in the opening
        ("https://tidewater.dev has a claim query. " + ANSWER + " I work on it.", True),  # linked in the opening
        ("Hi! Tidewater does this. " + ANSWER + " I work on it.", True),  # before anything answers
        (ANSWER + " Disclosure: I work on Tidewater, which does this for you.", False),  # after the answer
        ("tidewaters are fun. " + ANSWER, True),  # any case, plural
        ("Tidewatering is not a word. " + ANSWER, False),  # a longer word is not the name
    ],
)
def test_product_first(draft: str, flagged: bool) -> None:
    assert (PRODUCT_FIRST in codes(draft)) is flagged


@pytest.mark.parametrize(
    ("draft", "source", "flagged"),
    [
        (ANSWER + " Tidewater does all of this.", "stackexchange", True),  # Stack Exchange asks for it
        (ANSWER + " Tidewater does all of this.", "reddit", True),  # so does Reddiquette (paraphrased)
        (ANSWER + " Tidewater does all of this.", "hackernews", False),  # HN's rules don't ask
        (ANSWER + " Disclosure: I work on Tidewater.", "stackexchange", False),
        (ANSWER + " I'm one of the maintainers of Tidewater.", "stackexchange", False),
        (ANSWER + " (I built Tidewater, so I'm biased.)", "stackexchange", False),
        (ANSWER + " Our team uses Tidewater.", "stackexchange", True),  # a customer says "our team" too
        (ANSWER + " See https://docs.tidewater.dev/claims", "stackexchange", True),  # a subdomain is ours
        (ANSWER, "stackexchange", False),  # nothing of ours, nothing to disclose
    ],
)
def test_undisclosed(draft: str, source: str, flagged: bool) -> None:
    assert (UNDISCLOSED in codes(draft, source)) is flagged


@pytest.mark.parametrize(
    ("draft", "flagged"),
    [
        ("We run our queue on our own Postgres and our team loves our setup. Our workers are happy.", True),
        ("We tried this and we hit the same wall: " + ANSWER, False),  # experience, not a pitch
        ("You can do it in your query: " + ANSWER + " Your workers then never block.", False),
        ("Our product, our team, our customers: we built Tidewater for you.", True),
    ],
)
def test_about_us(draft: str, flagged: bool) -> None:
    assert (ABOUT_US in codes(draft)) is flagged


@pytest.mark.parametrize(
    ("draft", "flagged"),
    [
        (ANSWER, False),
        ("Have you considered MongoDB instead? Its change streams are nice and the tooling is friendly.", True),
        ("The query should use SKIP LOCKED.", False),  # short, but on the point
        ("Honestly the market for hosting is crowded these days; pick whatever your cloud sells.", True),
    ],
)
def test_off_question(draft: str, flagged: bool) -> None:
    assert (OFF_QUESTION in codes(draft)) is flagged


def test_off_question_names_the_points_left_unanswered() -> None:
    found = check_reply("Have you considered MongoDB instead?", QUEUE, source="stackexchange")
    (flag,) = [f for f in found.flags if f.code == OFF_QUESTION]
    assert "How should the query look" in flag.message
    assert "SKIP LOCKED" in flag.message


@pytest.mark.parametrize(
    ("draft", "flagged"),
    [
        ("https://www.postgresql.org/docs/current/sql-select.html", True),
        ("See [the docs](https://www.postgresql.org/docs/current/sql-select.html).", True),
        ("SKIP LOCKED, see https://www.postgresql.org/docs/current/sql-select.html", True),
        (ANSWER + " More in https://www.postgresql.org/docs/current/sql-select.html", False),
        ("Use SKIP LOCKED.", False),  # short, but no link
    ],
)
def test_link_only(draft: str, flagged: bool) -> None:
    assert (LINK_ONLY in codes(draft)) is flagged


def test_a_bare_link_is_one_fault_not_two() -> None:
    assert codes("https://www.postgresql.org/docs/current/sql-select.html") == {LINK_ONLY}


@pytest.mark.parametrize(
    ("phrase", "flagged"),
    [
        ("It's a game-changer.", True),
        ("It's a game changer.", True),
        ("Sign up today!", True),
        ("Best-in-class throughput.", True),
        ("A seamless upgrade.", True),
        ("It changed how we play the game.", False),
        ("The best index is on (state, run_at).", False),
    ],
)
def test_marketing(phrase: str, flagged: bool) -> None:
    assert (MARKETING in codes(ANSWER + " " + phrase)) is flagged


@pytest.mark.parametrize(
    ("draft", "flagged"),
    [
        (EARLIER, True),  # the same text again
        (EARLIER.replace("twice", "two times").replace("No extra", "No other"), True),  # lightly edited
        (
            "An advisory lock stops overlap, but not a second run later: insert one row per night with a unique key.",
            False,
        ),
    ],
)
def test_duplicate(draft: str, flagged: bool) -> None:
    assert (DUPLICATE in codes(draft, earlier=(EARLIER,))) is flagged


def test_duplicate_needs_earlier_replies() -> None:
    assert DUPLICATE not in codes(EARLIER)


@pytest.mark.parametrize(
    ("source", "count", "flagged"),
    [
        ("hackernews", 240, False),
        ("hackernews", 260, True),
        ("stackexchange", 480, False),
        ("stackexchange", 520, True),
        ("somewhere-else", 310, True),  # the default
    ],
)
def test_too_long(source: str, count: int, flagged: bool) -> None:
    draft = ANSWER + " " + " ".join(["queue"] * (count - len(ANSWER.split())))
    assert (TOO_LONG in codes(draft, source)) is flagged


def test_code_does_not_count_toward_length() -> None:
    code = "```sql\n" + "SELECT id FROM jobs;\n" * 300 + "```"
    assert TOO_LONG not in codes(ANSWER + "\n\n" + code, "hackernews")


@pytest.mark.parametrize(
    ("source", "draft", "flagged"),
    [
        ("hackernews", "Great question! " + ANSWER + " I hope this helps!", True),
        ("hackernews", "It's important to note that " + ANSWER, True),
        ("hackernews", ANSWER, False),
        ("stackexchange", "Great question! " + ANSWER + " I hope this helps!", False),  # not banned there (built in)
    ],
)
def test_generated(source: str, draft: str, flagged: bool) -> None:
    assert (GENERATED in codes(draft, source)) is flagged


def test_where_generated_text_is_banned_the_checklist_reminds_even_a_clean_draft() -> None:
    found = check_reply(ANSWER, QUEUE, source="hackernews", cards=cards_for("hackernews", None), ours=OURS)
    assert found.flags == ()
    assert len(found.reminders) == 1
    assert "Write it yourself" in found.reminders[0]
    assert "https://news.ycombinator.com/newsguidelines.html" in found.reminders[0]


def test_each_flag_cites_the_community_rule_where_one_applies() -> None:
    found = check_reply(
        ANSWER + " Tidewater does this.",
        QUEUE,
        source="stackexchange",
        cards=cards_for("stackexchange", None),
        ours=OURS,
    )
    (flag,) = found.flags
    assert flag.code == UNDISCLOSED
    assert '"However, you must disclose your affiliation in your answers."' in flag.because
    assert flag.url == "https://stackoverflow.com/help/promotion"


def test_without_rule_cards_a_flag_cites_the_principle() -> None:
    found = check_reply("Have you considered MongoDB instead?", QUEUE, source="github")
    (flag,) = found.flags
    assert flag.because == "Listen first: answer what was asked."
    assert flag.url is None


@pytest.mark.parametrize(
    ("text", "member", "expected"),
    [
        ("Try SKIP LOCKED with a short transaction.", "U1", (False, False)),
        ("I work on Tidewater, so I'm biased, but it does exactly this.", "U1", (True, True)),
        ("See https://docs.tidewater.dev/queues for the setup.", "U1", (True, False)),
        ("We built Harbor for this; it keeps jobs through restarts.", "U2", (True, True)),  # U2's own product
        ("We built Harbor for this; it keeps jobs through restarts.", "U1", (False, True)),  # not U1's
        ("Full disclosure, I maintain a queue library; SKIP LOCKED is still what I'd use.", "U1", (False, True)),
    ],
)
def test_manners_judge_reads_promotion_and_disclosure_per_person(
    text: str, member: str, expected: tuple[bool, bool]
) -> None:
    from earshot.bot.guest.check import manners_judge

    judge = manners_judge(OURS, {"U2": Ours(("Harbor",), ())})
    assert judge(text, member) == expected


def test_manners_are_unknown_while_nothing_counts_as_ours() -> None:
    from earshot.bot.guest.check import manners_judge

    assert manners_judge(Ours(), {})("Tidewater is great", "U1") == (None, None)


OTHER_WORDS = (
    "Have each consumer grab one pending row and skip the ones another consumer has reserved; give every claim a "
    "deadline so abandoned work gets retried."
)


@pytest.mark.parametrize(
    ("draft", "in_words", "in_meaning"),
    [
        (ANSWER, False, False),
        (OTHER_WORDS, True, False),  # answered in other words than the asker's: only meaning sees it
        (
            "Consumers should lock the next available row and pass over rows that are already taken by others.",
            True,
            False,
        ),
        ("Honestly the market for hosting is crowded these days; pick whatever your cloud sells.", True, True),
        ("Have you considered MongoDB instead? Its change streams are nice and the tooling is friendly.", True, True),
    ],
)
def test_off_question_reads_meaning_with_an_embedder_and_words_without(
    draft: str, in_words: bool, in_meaning: bool
) -> None:
    from earshot.adapters.meaning import default_embedder  # the shipped table; the core takes it as a port

    def flagged(embedder: object) -> bool:
        found = check_reply(draft, QUEUE, source="stackexchange", ours=OURS, embedder=embedder)  # type: ignore[arg-type]
        return OFF_QUESTION in found.codes

    assert flagged(None) is in_words
    assert flagged(default_embedder()) is in_meaning
