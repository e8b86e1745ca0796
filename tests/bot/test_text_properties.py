"""Property tests for cleaning third-party text before the console or the webhook shows it."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from earshot.bot.text import clean, excerpt

# What must never survive cleaning: C0/C1 controls other than newline and tab, ESC, bidi marks, embeddings, overrides
# and isolates, zero-width characters and the BOM.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
DANGEROUS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) not in "\n\t"] + [
    *"\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
]
ESCAPES = ["\x1b[31m", "\x1b[2J", "\x1b]0;title\x07", "\x1b]8;;http://evil.example\x1b\\", "\x1bc", "\x1b[?1049h"]

hostile = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(DANGEROUS), st.sampled_from(ESCAPES)), max_size=40
).map("".join)


@given(hostile)
def test_clean_leaves_no_control_bidi_or_zero_width_character(text: str) -> None:
    cleaned = clean(text)
    assert not FORBIDDEN.search(cleaned)
    assert "\x1b" not in cleaned


@given(hostile)
def test_clean_is_idempotent_and_only_removes(text: str) -> None:
    cleaned = clean(text)
    assert clean(cleaned) == cleaned
    assert len(cleaned) <= len(text)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cf", "Cs"]), max_size=200))
def test_clean_keeps_ordinary_text_untouched(text: str) -> None:
    assert clean(text) == text


@given(hostile, st.integers(0, 400))
def test_excerpt_is_one_clean_line_within_the_limit(text: str, limit: int) -> None:
    got = excerpt(text, limit)
    assert len(got) <= limit
    assert "\n" not in got and "\t" not in got and "\r" not in got
    assert not FORBIDDEN.search(got)
    assert got == got.strip(" ")


@given(st.sampled_from(["a", "word ", "\u202e", "\x1b[31m", "é", "\n"]), st.integers(1, 50))
@settings(max_examples=20, deadline=None)
def test_huge_inputs_are_cut_to_the_limit(piece: str, mega: int) -> None:
    text = piece * (mega * 20_000)  # up to about 10 million characters
    got = excerpt(text, 280)
    assert len(got) <= 280
    assert not FORBIDDEN.search(got)
    assert not FORBIDDEN.search(clean(text[:100_000]))
