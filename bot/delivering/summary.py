"""The extractive context summary: the item's point, and what its replies have said so far.

Pure functions, offline: sentences are picked, never written. The question is the item's point
(earshot.bot.delivering.summary_ask: its specific asks, a generic ask with the problem it refers to, or what a post
without an ask is about); reply sentences are scored by the reply's points and position, the sentence's length and its
overlap with the question, then deduplicated. Neutral and short by construction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from earshot.bot.delivering.summary_ask import the_point
from earshot.bot.delivering.summary_prose import sentences, shorten, words
from earshot.bot.domain import Conversation, Reply, Summary
from earshot.bot.text import clean

__all__ = [
    "QUESTION_LIMIT",
    "SAID_LIMIT",
    "SummaryPolicy",
    "extractive_summary",
    "key_question",
    "said_so_far",
    "sentences",  # the text helpers live in .summary_prose; named here too, where summaries are made
    "shorten",
    "words",
]

QUESTION_LIMIT = 240  # characters of the key question
SAID_LIMIT = 160  # characters of each "said" line
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SummaryPolicy:
    """How much the summary holds: reply lines, the shortest sentence worth showing, and the sentence length cap."""

    said: int = 3
    min_words: int = 5
    max_words: int = 60
    off_topic_words: int = 8  # a sentence sharing no word with the question must be at least this long to count


def key_question(conversation: Conversation, policy: SummaryPolicy = SummaryPolicy()) -> str:
    """The item's point in one or two sentences: its ask with the problem it refers to, or what it is about."""
    title = _SPACE.sub(" ", clean(conversation.title)).strip()
    if conversation.kind == "comment" and title.lower().startswith("re: "):
        title = ""  # a comment's title is its story's; what the comment itself says is the point
    return the_point(title, sentences(conversation.text), QUESTION_LIMIT)


def said_so_far(question: str, replies: Sequence[Reply], policy: SummaryPolicy = SummaryPolicy()) -> tuple[str, ...]:
    """The most informative reply sentences, at most ``policy.said``, in thread order, no two alike."""
    if policy.said <= 0:
        return ()
    asked = words(question)
    candidates: list[tuple[float, int, str, set[str]]] = []
    for position, reply in enumerate(replies):
        for index, sentence in enumerate(sentences(reply.text)):
            content = words(sentence)
            count = len(sentence.split())
            if count < policy.min_words or len(content) < 2:
                continue
            if not content & asked and count < policy.off_topic_words:
                continue  # "Thanks, great question!" and other chatter
            candidates.append(
                (_score(reply, position, index, count, content, asked, policy), position, sentence, content)
            )
    chosen: list[tuple[int, str, set[str]]] = []
    for _, position, sentence, content in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if any(_alike(content, other) for _, _, other in chosen):
            continue
        chosen.append((position, sentence, content))
        if len(chosen) == policy.said:
            break
    return tuple(shorten(sentence, SAID_LIMIT) for _, sentence, _ in sorted(chosen, key=lambda c: c[0]))


def extractive_summary(
    conversation: Conversation, replies: Sequence[Reply] = (), policy: SummaryPolicy = SummaryPolicy()
) -> Summary:
    """The offline summary of an item and its replies."""
    question = key_question(conversation, policy)
    return Summary(question=question, said=said_so_far(question, replies, policy), method="extractive")


def _score(
    reply: Reply,
    position: int,
    index: int,
    count: int,
    content: set[str],
    asked: set[str],
    policy: SummaryPolicy,
) -> float:
    """How informative one reply sentence looks: on-topic, substantial, early, upvoted, a top-level answer."""
    overlap = len(content & asked) / max(1, len(asked))
    length = min(count, policy.max_words) / policy.max_words if count <= policy.max_words else 0.3
    points = min(max(reply.points or 0, 0), 100) / 100
    early = 1 / (1 + position / 5)
    lead = 1.0 if index == 0 else 0.6  # a reply's first sentence usually carries its point
    direct = 1.0 if reply.depth == 0 else 0.7
    return (2 * overlap + length + points + early) * lead * direct


def _alike(a: set[str], b: set[str]) -> bool:
    """Two sentences that share most of their content words say the same thing."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= 0.6
