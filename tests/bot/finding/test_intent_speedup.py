"""The fast phrase finder (one Aho-Corasick pass, then only the patterns set off) agrees with the plain search of
every pattern, on labelled posts and on generated text."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from earshot.bot.finding.intent_phrases import OPENING, Found, Intent, find_phrases
from earshot.bot.finding.intent_tables import JOB_AD, PATTERNS
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
    "advice wanted",
    "I'm out of ideas",
    "please help",
    "call for proposals",
    "[solved]",
    "edit: solved",
    "a full-time job",
    "job openings",
    "which is better",
    "we migrated to",
    "I highly recommend",
    "we recommend",
    "recommendations",
]


def plain(title: str, text: str) -> list[Found]:
    """Every pattern searched in turn, in the title then the opening: what the fast finder must agree with."""
    haystacks = ((True, " " + title.lower() if title else ""), (False, " " + text[:OPENING].lower() if text else ""))
    job = any(JOB_AD.search(haystack) for _, haystack in haystacks)
    found: dict[Intent, Found] = {}
    for where, haystack in haystacks:
        for intent, patterns in PATTERNS.items():
            for pattern, scope, _ in patterns:
                strong = scope.endswith("!")
                held = found.get(intent)
                if (not where and not scope.startswith("any")) or (held and (held.strong or not strong)):
                    continue
                hit = pattern.search(JOB_AD.sub(" ", haystack) if job and intent is Intent.RECOMMENDATION else haystack)
                if hit is not None:
                    found[intent] = Found(intent, hit.group(0).lstrip(), where, strong)
    return list(found.values())


def test_same_intents_on_every_labelled_post() -> None:
    posts = [json.loads(line) for line in POSTS.read_text().splitlines() if line.strip()]
    assert len(posts) > 100
    for post in posts:
        title, text = post.get("title", ""), post.get("text", "")
        assert find_phrases(title, text) == plain(title, text), title


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(PHRASES) | st.text(max_size=6), max_size=12).map(" ".join),
    st.lists(st.sampled_from(PHRASES) | st.text(max_size=8), max_size=40).map(" ".join),
)
def test_same_intents_on_generated_text(title: str, text: str) -> None:
    assert find_phrases(title, text) == plain(title, text)
