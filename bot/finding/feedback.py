"""Learning from feedback: words typical of a topic's dismissed alerts ("not relevant", "not worth it") and rare
in its claimed ones make similar items score lower, and become suggested exclusions for the topic's query.

Pure functions over texts; the store supplies the texts, the Poller passes what was learned to the scoring.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from earshot.bot.finding.scoring import feedback_words

FEEDBACK_WINDOW = timedelta(days=90)
"""Feedback older than this is forgotten: topics and communities change."""
FEEDBACK_TEXTS = 300
"""Dismissed and claimed alerts read per topic for learning, newest first (by the poller and `earshot explain`
alike, so both learn the same)."""
MIN_DISMISSED = 3
"""Fewer dismissed alerts than this teach nothing yet."""
MIN_SHARE = 0.2
"""A word must be in at least this share of the dismissed alerts (and in two of them) to count."""
MIN_ODDS = math.log(2)
"""...and at least twice as common among dismissed alerts as among claimed ones."""
MAX_WORDS = 40
SUGGEST_KEPT_SHARE = 0.1
"""A suggested exclusion appears in at most this share of the claimed alerts (excluding it loses little)."""
_PLAIN = re.compile(r"[a-z][a-z0-9]*")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A word to exclude from a topic: in how many dismissed and claimed alerts it appears, and its weight."""

    term: str
    dismissed: int
    kept: int
    weight: float


def _frequencies(texts: Sequence[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(feedback_words("", text))
    return counts


def _weights(dismissed: Sequence[str], kept: Sequence[str]) -> list[Suggestion]:
    n_d, n_k = len(dismissed), len(kept)
    if n_d < MIN_DISMISSED:
        return []
    bad, good = _frequencies(dismissed), _frequencies(kept)
    found = []
    for word, df_d in bad.items():
        if df_d < 2 or df_d / n_d < MIN_SHARE:
            continue
        df_k = good.get(word, 0)
        # Smoothed log odds of a dismissed rather than a claimed alert containing the word.
        weight = math.log((df_d + 0.5) / (n_d + 1)) - math.log((df_k + 0.5) / (n_k + 1))
        if weight >= MIN_ODDS:
            found.append(Suggestion(word, df_d, df_k, weight))
    return sorted(found, key=lambda s: (-s.weight, -s.dismissed, s.term))


def learn(dismissed: Sequence[str], kept: Sequence[str]) -> dict[str, float]:
    """Word -> weight (log odds, > 0) for the words typical of dismissed texts; empty while there are too few."""
    return {s.term: round(s.weight, 3) for s in _weights(dismissed, kept)[:MAX_WORDS]}


def learn_all(texts: Mapping[str, tuple[list[str], list[str]]]) -> dict[str, dict[str, float]]:
    """What each topic learned, for the topics that learned something."""
    learned = {topic: learn(bad, good) for topic, (bad, good) in texts.items()}
    return {topic: weights for topic, weights in learned.items() if weights}


def suggest_exclusions(
    dismissed: Sequence[str], kept: Sequence[str], query: str, *, limit: int = 5
) -> list[Suggestion]:
    """Words to exclude from ``query``: frequent in dismissed alerts, rare in claimed ones, not in the query."""
    in_query = feedback_words("", query)
    rare_enough = max(0, math.floor(SUGGEST_KEPT_SHARE * len(kept)))
    chosen = [s for s in _weights(dismissed, kept) if s.term not in in_query and s.kept <= rare_enough]
    chosen.sort(key=lambda s: (-s.dismissed, -s.weight, s.term))
    return chosen[:limit]


def with_exclusions(query: str, terms: Sequence[str]) -> str:
    """``query`` with each term excluded: ``(query) -crypto -token`` (terms with symbols as -"c++")."""
    parts = [f"-{t}" if _PLAIN.fullmatch(t) else f'-"{t}"' for t in terms]
    return f"({query}) {' '.join(parts)}" if parts else query
