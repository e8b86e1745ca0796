"""What the asker asked: the points of a thread's question, and which of them a draft answers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from earshot.bot.guest.words import sentences, stem, stems, without_code
from earshot.bot.ports.meaning import Embedder

# Sentences that ask, though they end without "?" ("Looking for a queue that survives restarts.").
_ASKING = re.compile(
    r"^\s*(?:how|what|which|why|when|where|who|is|are|does|do|did|can|could|should|would|will|any|has|have|"
    r"recommend|looking for|i need|we need|need|i'm looking|we're looking|i want|we want|i'd like|"
    r"suggestions?|advice|help|ideas|best way|is there|are there|thoughts)\b",
    re.IGNORECASE,
)
# Words every question has, that say nothing about what it is about.
_GENERIC = frozenset(
    stem(w)
    for w in """best good better recommend recommendation recommendations advice help suggestion suggestions idea ideas
    experience experiences thought thoughts opinion opinions option options alternative alternatives people anyone
    tips tip question questions guys folks please thanks thank hi hello ask asking work works working right wrong
    worth ok okay sure kind sort able currently actually basically probably maybe hn self simple anything something
    better approach cause pick else possible instead real design place whether exist enough keep after without since
    already see way""".split()
)
MAX_POINTS = 6
# A draft sentence at least this near a point in meaning (cosine, static table) is about it, in whatever words;
# tuned on the dev part of tests/data/replies (0.42-0.46 hold precision there; nearer misses more).
NEAR_POINT = 0.44


@dataclass(frozen=True)
class Asked:
    """A thread as the reply check sees it: the question (title and body) and the replies so far, as text."""

    title: str
    body: str = ""
    replies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Point:
    """One thing the asker asked, and the stems a reply must touch to be about it."""

    text: str
    keys: frozenset[str]


def points(asked: Asked) -> list[Point]:
    """The asker's points: the title, then each sentence of the body that asks something (up to six)."""
    found: list[Point] = []
    candidates = [asked.title] if asked.title.strip() else []
    candidates += [s for s in sentences(without_code(asked.body)) if s.rstrip().endswith("?") or _ASKING.match(s)]
    for text in candidates:
        keys = frozenset(stems(text) - _GENERIC)
        if not keys:
            continue
        if any(len(keys & p.keys) >= 0.8 * len(keys) for p in found):
            continue  # the body repeating the title
        found.append(Point(_short(text), keys))
        if len(found) == MAX_POINTS:
            break
    return found


def answered(point: Point, draft_stems: set[str]) -> bool:
    """Whether a draft touches enough of the point's words to be about it (a third of them, one at least, two at
    most: a long question with an example in it is answered without repeating the example)."""
    need = min(2, max(1, math.ceil(len(point.keys) / 3)))
    return len(point.keys & draft_stems) >= need


def thread_words(asked: Asked) -> set[str]:
    """The stems of the question's title and body that say what it is about."""
    return stems(f"{asked.title} {without_code(asked.body)}") - _GENERIC


def unanswered(
    asked: Asked, draft: str, embedder: Embedder | None = None, pitch: Callable[[str], bool] | None = None
) -> tuple[list[Point], list[Point]]:
    """The asker's points, and those of them the draft leaves untouched: in words, and in meaning too when an
    ``embedder`` is given (a point answered in other words than the asker's is answered). A sentence that
    ``pitch`` says is one (naming what is ours, sales talk) answers nothing in meaning: "our best-in-class queue is
    a game-changer" is near every question about queues, and answers none."""
    all_points = points(asked)
    have = stems(draft)
    left = [p for p in all_points if not answered(p, have)]
    if left and embedder is not None:
        plain = [s for s in sentences(without_code(draft)) if pitch is None or not pitch(s)]
        said = [embedder.embed(s) for s in plain]
        if said:
            matrix = embedder.stack(said)
            left = [p for p in left if max(embedder.similarities(embedder.embed(p.text), matrix)) < NEAR_POINT]
    return all_points, left


def nearness(asked: Asked, draft: str, embedder: Embedder) -> float:
    """How near the draft as a whole is to the question (title and body) in meaning, -1 to 1."""
    question = embedder.embed(f"{asked.title}\n{without_code(asked.body)}")
    return embedder.similarity(embedder.embed(without_code(draft)), question)


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
