"""The extractive context summary: the key question from the item, and what its replies have said so far.

Pure functions, offline: sentences are picked, never written. The question comes from the title and the opening
of the text (question sentences first); reply sentences are scored by the reply's points and position, the
sentence's length and its overlap with the question, then deduplicated. Neutral and short by construction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import Conversation, Reply, Summary
from bot.text import clean

QUESTION_LIMIT = 240  # characters of the key question
SAID_LIMIT = 160  # characters of each "said" line
_SPACE = re.compile(r"\s+")
# A sentence ends at . ! ? (or a run of them) followed by space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[a-z0-9][a-z0-9'+#.-]*[a-z0-9+#]|[a-z0-9]", re.IGNORECASE)
_QUOTE_LINE = re.compile(r"^\s*>.*$", re.MULTILINE)  # quoted text repeats the parent, not what the reply says
_URL = re.compile(r"https?://\S+")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:e\.g|i\.e|etc|vs|cf|approx|mr|mrs|ms|dr|st|[a-z])\.$", re.IGNORECASE)
_ASKING = re.compile(
    r"\?|^(?:how|what|which|why|where|when|who|is|are|does|do|can|could|should|would|has|have|any)\b",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    "a an and are as at be but by can do does for from has have how i if in is it its me my not of on or so "
    "that the this to was we what when where which who why will with would you your our they them their there "
    "just like any some about into than then been also more most very really one get got use using re hn".split()
)


@dataclass(frozen=True, slots=True)
class SummaryPolicy:
    """How much the summary holds: reply lines, the shortest sentence worth showing, and the sentence length cap."""

    said: int = 3
    min_words: int = 5
    max_words: int = 60
    off_topic_words: int = 8  # a sentence sharing no word with the question must be at least this long to count


def sentences(text: str) -> list[str]:
    """``text`` split into sentences, whitespace flattened, quoted lines and empty pieces dropped."""
    body = _QUOTE_LINE.sub("", clean(text))
    found: list[str] = []
    glue = False
    for piece in (_SPACE.sub(" ", p).strip() for p in _SENTENCE_END.split(body)):
        if not piece:
            continue
        if glue and found:
            found[-1] = f"{found[-1]} {piece}"
        else:
            found.append(piece)
        # "e.g." or "U.S." end a piece without ending the sentence.
        glue = bool(_ABBREVIATION.search(found[-1]))
    return found


def words(text: str) -> set[str]:
    """The content words of ``text``, lowercased, without stopwords and links."""
    return {w.lower() for w in _WORD.findall(_URL.sub(" ", text))} - STOPWORDS


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary within ``limit`` characters, with an ellipsis when cut."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def key_question(conversation: Conversation, policy: SummaryPolicy = SummaryPolicy()) -> str:
    """The item's ask in one or two sentences: its question sentences if it has any, else the title (and lead)."""
    title = _SPACE.sub(" ", clean(conversation.title)).strip()
    if conversation.kind == "comment" and title.lower().startswith("re: "):
        title = ""  # a comment's title is its story's; what the comment itself says is the point
    body = sentences(conversation.text)[:8]  # the ask is in the opening lines
    asked = [s for s in ([title] if title else []) + body if _ASKING.search(s)]
    if asked:
        picked = asked[:2]
    elif title:
        picked = [title, *body[:1]]
    else:
        picked = body[:2]
    return shorten(" ".join(_end(s) for s in picked), QUESTION_LIMIT)


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


def _end(sentence: str) -> str:
    return sentence if sentence[-1:] in ".!?…" else sentence + "."
