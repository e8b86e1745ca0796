"""A topic's filters (excluded authors and sources): table-driven, on the index and the reference. Its languages
are no filter: an item in another language is matched, then held (tests/bot/finding/test_language.py)."""

from __future__ import annotations

import pytest

from earshot.bot.domain import Conversation, Topic
from earshot.bot.finding.filters import TopicFilter
from earshot.bot.finding.matching import TopicIndex, compile_topics, match_each


def post(title: str, text: str = "", *, author: str | None = "alice", source: str = "hackernews") -> Conversation:
    return Conversation(source, title[:20], f"https://example.com/{abs(hash(title))}", title, text, author=author)


ENGLISH = post("Which database should I use for postgres?", "We are a small team looking for a database.")
GERMAN = post("Welche Datenbank für postgres?", "Wir sind ein kleines Team und suchen eine einfache Datenbank.")
BY_BOB = post("postgres is slow for us", author="Bob  Smith")
NO_AUTHOR = post("postgres is slow for us", author=None)
RSS = post("postgres tips", source="rss")
BOB_OUT = "author 'Bob  Smith' is excluded"


@pytest.mark.parametrize(
    ("topic", "conversation", "feed", "matched", "why"),
    [
        (Topic("t", "postgres"), GERMAN, "hn", True, None),
        (Topic("t", "postgres", languages=("en",)), ENGLISH, "hn", True, None),
        (Topic("t", "postgres", languages=("en",)), GERMAN, "hn", True, None),
        (Topic("t", "postgres", exclude_authors=("bob smith",)), BY_BOB, "hn", False, BOB_OUT),
        (Topic("t", "postgres", exclude_authors=("alice",)), BY_BOB, "hn", True, None),
        (Topic("t", "postgres", exclude_authors=("alice",)), NO_AUTHOR, "hn", True, None),
        (Topic("t", "postgres", exclude_sources=("rss",)), RSS, "blogs", False, "source 'rss' is excluded"),
        (Topic("t", "postgres", exclude_sources=("Blogs",)), RSS, "blogs", False, "feed 'blogs' is excluded"),
        (Topic("t", "postgres", exclude_sources=("blogs",)), RSS, None, True, None),
        (Topic("t", "postgres", exclude_sources=("reddit",)), RSS, "blogs", True, None),
        # The filters only remove: an item the query does not match stays unmatched.
        (Topic("t", "mysql", languages=("en",)), ENGLISH, "hn", False, None),
    ],
)
def test_filters(topic: Topic, conversation: Conversation, feed: str | None, matched: bool, why: str | None) -> None:
    compiled = compile_topics([topic])
    assert bool(TopicIndex(compiled).match(conversation, feed)) is matched
    assert bool(match_each(compiled, conversation, feed)) is matched
    rule = TopicFilter.of(topic)
    reason = None if rule is None else rule.rejects(conversation, feed)
    assert reason == why


def test_a_topic_without_filters_has_none() -> None:
    assert TopicFilter.of(Topic("t", "postgres")) is None
    assert TopicFilter.of(Topic("t", "postgres", languages=("en",))) is None
    rule = TopicFilter.of(Topic("t", "postgres", exclude_authors=("bob",)))
    assert rule is not None
    assert rule.rejects(ENGLISH, "hn") is None
