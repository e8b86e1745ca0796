"""Text helpers of the reply check: links, sentences, stems, shingles and Jaccard similarity."""

from __future__ import annotations

import pytest

from earshot.bot.guest.asked import Asked, points, unanswered
from earshot.bot.guest.words import jaccard, links, sentences, shingles, stem, words


def test_links_finds_bare_and_markdown_links_without_trailing_punctuation() -> None:
    text = "See https://a.example/x, and [b](https://b.example/y). Also www.c.example."
    assert links(text) == ["https://b.example/y", "https://a.example/x", "www.c.example"]


def test_words_leave_links_out() -> None:
    assert words("Use SKIP LOCKED: https://x.example/a-b") == ["use", "skip", "locked"]


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("retries", "retry"),
        ("queues", "queu"),
        ("queue", "queu"),
        ("queued", "queu"),
        ("postgres", "postgr"),
        ("batches", "batch"),
        ("status", "status"),
        ("scheduled", "schedul"),
        ("schedule", "schedul"),
    ],
)
def test_stem(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_sentences_split_prose_and_list_items() -> None:
    text = "First one. Second one? Third!\n\n- an item\n- another"
    assert sentences(text) == ["First one.", "Second one?", "Third!", "- an item", "- another"]


def test_jaccard_of_shingles() -> None:
    a = shingles("take a lock at the start of the job")
    assert jaccard(a, a) == 1.0
    assert jaccard(a, shingles("nothing in common here at all")) == 0.0
    assert jaccard(a, set()) == 0.0
    assert 0.0 < jaccard(a, shingles("take a lock at the start of each run")) < 1.0


def test_points_are_the_title_and_the_asking_sentences_without_repeats() -> None:
    asked = Asked(
        "LISTEN/NOTIFY vs polling for a job table",
        "Building a small queue on Postgres. Is LISTEN/NOTIFY reliable enough or should workers just poll? "
        "Worried about missed notifications. Looking for something simple.",
    )
    assert [p.text for p in points(asked)] == [
        "LISTEN/NOTIFY vs polling for a job table",
        "Is LISTEN/NOTIFY reliable enough or should workers just poll?",
    ]


def test_unanswered_lists_the_points_a_draft_does_not_touch() -> None:
    asked = Asked("Retry backoff", "How do you add jitter? What max backoff is sensible?")
    _, left = unanswered(asked, "Add full jitter: a random delay each time.")
    assert [p.text for p in left] == ["Retry backoff", "What max backoff is sensible?"]
