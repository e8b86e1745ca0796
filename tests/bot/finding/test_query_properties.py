"""Property tests: the query parser accepts or refuses with InvalidQuery, in bounded time and stack, on any input;
an accepted query's evaluation never raises, and the indexed matcher agrees with the reference one.

The time bound is asserted as complexity, not speed: input is capped at MAX_LENGTH characters (longer is refused
at once), the slowest inputs of that size parse in about 10 ms here (``python benchmarks/query.py`` prints the
worst families), and each example must finish within a budget a hundred times that, so a loaded machine does not
make the test flaky while an exponential or runaway case still fails it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earshot.bot.domain import Conversation, Topic
from earshot.bot.errors import InvalidQuery
from earshot.bot.finding.matching import TopicIndex, compile_topics, match, match_each
from earshot.bot.finding.query import MAX_DEPTH, MAX_LENGTH, Query, parse_query

BUDGET = 2.0  # seconds for one parse; the worst measured at MAX_LENGTH is about 0.01 s

SYNTAX = [*'()"~^:*?!&|+-\\/[]{}<>=', "&&", "||", "AND", "OR", "NOT", "TO", "\\ ", '\\"', "~2", "^2", "~."]
FIELDS = ["title:", "text:", "author:", "source:", "lang:", "TITLE:", "titel:", "_exists_:"]
WORDS = ["rust", "go", "c++", "c#", ".net", "node.js", "café", "naïve", "日本語", "ﬁ", "İ", "a", "x1", "T12:30"]
SPACE = [" ", "  ", "\t", "\n", "\u3000", "\u00a0"]

token = st.one_of(
    st.sampled_from(SYNTAX),
    st.sampled_from(FIELDS),
    st.sampled_from(WORDS),
    st.sampled_from(SPACE),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=3),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
)
queries = st.lists(token, max_size=60).map("".join)

OPENERS = ["(", "NOT ", "-", "+", "title:(", "text:", "!", "-(", "NOT (", "(a OR b c AND "]
nested = st.builds(
    lambda opens, core, closes: "".join(opens) + core + ")" * closes,
    st.lists(st.sampled_from(OPENERS), min_size=1, max_size=80),
    st.sampled_from(["rust", '"go lang"', "c*", "a b OR c", ""]),
    st.integers(0, 80),
)


def outcome(text: str) -> Query | InvalidQuery:
    """Parse within the budget; return the query or the refusal, letting any other exception fail the test."""
    started = time.perf_counter()
    try:
        result: Query | InvalidQuery = parse_query(text)
    except InvalidQuery as refused:
        assert 0 <= refused.position <= len(text), refused
        assert refused.reason and str(refused).startswith(f"bad query at position {refused.position + 1}: ")
        result = refused
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET, f"{elapsed:.2f} s to parse {text[:80]!r}…"
    return result


@settings(max_examples=400, deadline=None)
@given(queries)
def test_any_string_is_accepted_or_refused_with_invalid_query(text: str) -> None:
    outcome(text)


@settings(max_examples=200, deadline=None)
@given(nested)
def test_any_nesting_is_accepted_or_refused_with_invalid_query(text: str) -> None:
    outcome(text[:MAX_LENGTH])


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=MAX_LENGTH + 1, max_size=MAX_LENGTH + 50))
def test_a_query_over_the_length_limit_is_refused_at_the_limit(text: str) -> None:
    refused = outcome(text)
    if text.strip():
        assert isinstance(refused, InvalidQuery) and refused.position == MAX_LENGTH


# The slowest shapes found by benchmarks/query.py, at the largest size the parser accepts.
WORST = {
    "juxtaposed fuzzy terms": "a~" * (MAX_LENGTH // 2),
    "empty regexes": "/" * MAX_LENGTH,
    "stray quotes": 'a" ' * (MAX_LENGTH // 3),
    "juxtaposed words": "rust " * (MAX_LENGTH // 5),
    "flat OR": "a OR " * (MAX_LENGTH // 5 - 1) + "a",
    "groups": "(a OR b) " * (MAX_LENGTH // 9),
    "unclosed groups": "(a " * (MAX_LENGTH // 3),
    "deep groups": "(" * (MAX_LENGTH // 2) + ")" * (MAX_LENGTH // 2),
    "NOTs": "NOT " * (MAX_LENGTH // 4),
}


@pytest.mark.parametrize("text", WORST.values(), ids=WORST.keys())
def test_the_slowest_shapes_at_the_length_limit_parse_within_the_budget(text: str) -> None:
    assert len(text) <= MAX_LENGTH
    outcome(text)


@contextmanager
def stack_headroom(frames: int) -> Iterator[None]:
    """Allow only ``frames`` more stack frames than are in use here, as a deep caller (an async chat handler) would."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


DEEPEST = {
    "groups": "(" * MAX_DEPTH + "rust" + ")" * MAX_DEPTH,
    "NOTs": "NOT " * MAX_DEPTH + "rust",
    "fields and groups": "title:" + "(" * (MAX_DEPTH - 1) + "rust" + ")" * (MAX_DEPTH - 1),
    "operators at every level": "(a OR b c AND " * MAX_DEPTH + "rust" + ")" * MAX_DEPTH,
    "exclusions at every level": "go " + "-(a OR b c AND " * (MAX_DEPTH // 2) + "d" + ")" * (MAX_DEPTH // 2),
}


@pytest.mark.parametrize("text", DEEPEST.values(), ids=DEEPEST.keys())
def test_the_deepest_accepted_query_is_parsed_and_matched_within_250_stack_frames(text: str) -> None:
    # Measured: about 170 frames to parse and 130 to index and match; Python allows 1,000 in all, and a chat
    # handler's own stack takes some of those, so a query's depth must never come near the limit.
    item = Conversation("fake", "1", "https://forum.example.com/1", "rust go a b c d", "a d")
    with stack_headroom(250):
        query = parse_query(text)
        topics = compile_topics([Topic("deep", text)])
        assert TopicIndex(topics).match(item) == match_each(topics, item)
        match(query, item)


accepted = st.one_of(queries, nested.map(lambda text: text[:MAX_LENGTH])).filter(
    lambda text: isinstance(_quiet(parse_query, text), Query)
)


def _quiet(parse: Callable[[str], Query], text: str) -> Query | None:
    try:
        return parse(text)
    except InvalidQuery:
        return None


item_text = st.lists(st.one_of(st.sampled_from(WORDS + SYNTAX + SPACE), st.text(max_size=6)), max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(accepted, item_text, item_text, st.sampled_from([None, "pg", "Ada Lovelace", "日本"]))
def test_an_accepted_query_evaluates_on_any_item_and_the_index_agrees(
    text: str, title: str, body: str, author: str | None
) -> None:
    item = Conversation("hackernews", "1", "https://forum.example.com/1", title, body, author)
    topics = compile_topics([Topic("t", text)])
    assert [c.topic.name for c in topics] == ["t"]
    assert TopicIndex(topics).match(item, "hn") == match_each(topics, item, "hn")
    match(parse_query(text), item)
