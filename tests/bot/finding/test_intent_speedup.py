"""The fast intent finder agrees with the reference it replaced, on labelled posts and on generated text."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from earshot.bot.finding.intent import find_intents
from tests.bot.finding import intent_reference
from tests.fixtures import data_path

POSTS = data_path("evaluation", "posts.jsonl")

PHRASES = [
    "Ask HN:",
    "how do I",
    "any recommendations",
    "looking for",
    "we're hiring",
    "We are looking for a senior engineer",
    "is now available",
    "v2.1 is out",
    "Show HN",
    "doesn't work",
    "slow",
    "Postgres vs  MySQL",
    "a vs. b",
    "help!",
    "what do you use",
    "best tool for",
    "I built",
    "use promo code",
    "?",
    "(really?)",
    "how we",
    "ÉCLAIR",
    "_help_",
    "help_",
    "salary: ",
    "\n",
    "  ",
    "2.0",
    "how can we",
    "how   to",
    "is there any",
    "worth it",
    "worth",
    "what do folks use",
    "which db should we",
    "should we",
    "keeps crashing",
    "keep timing out",
    "can't get",
    "cannot get",
    "can not get",
    "use promo code",
    "use code",
    "is now out",
    "is ga",
    "is now generally available",
    "any good tools for",
    "any libraries for",
    "best way for",
    "ask lobsters",
    "v1.2 is here",
]


def intents(found: list[intent_reference.Found] | list) -> list[tuple[str, bool]]:  # type: ignore[type-arg]
    return [(f.intent.value, f.in_title) for f in found]


def test_same_intents_on_every_labelled_post() -> None:
    posts = [json.loads(line) for line in POSTS.read_text().splitlines() if line.strip()]
    assert len(posts) > 100
    for post in posts:
        title, text = post.get("title", ""), post.get("text", "")
        assert intents(find_intents(title, text)) == intents(intent_reference.find_intents(title, text)), title


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(PHRASES) | st.text(max_size=6), max_size=12).map(" ".join),
    st.lists(st.sampled_from(PHRASES) | st.text(max_size=8), max_size=40).map(" ".join),
)
def test_same_intents_on_generated_text(title: str, text: str) -> None:
    assert intents(find_intents(title, text)) == intents(intent_reference.find_intents(title, text))
