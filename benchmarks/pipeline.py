"""Pipeline benchmark: matching PLUS joinability scoring, per item, as the Poller does it, against a naive baseline.

Earshot's path: one TopicIndex pass per item, then a score (with reasons) for each topic the item matched; most
items match no topic and are never scored, and what an item asks (its intents) is worked out once per item however
many topics it matches. The baseline is a keyword bot with scoring bolted on: per topic one regex, and every hit
scored from scratch. Both run here, on one core, over the same ~1 KB items; the script prints items per second.

It also prints matching alone (the same index, no scoring) and scoring alone (every item scored once, matched or
not: the cost the issue first measured). Times are this process's CPU time (time.process_time), and each figure
is the best of ``--repeat`` runs, so other work on a shared machine disturbs them less.

    python benchmarks/pipeline.py
    python benchmarks/pipeline.py --topics 10 100 1000 --items 20000
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.matching import baseline_patterns, synthetic_items, synthetic_topics
from earshot.adapters.sources.registry import half_lives
from earshot.bot.domain import Conversation, Match, Topic
from earshot.bot.finding import scoring
from earshot.bot.finding.matching import TopicIndex, compile_topics, squash
from earshot.bot.finding.scoring import ScoringPolicy, score, top_reasons

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ASKS = (
    "Which one should we use?",
    "Any recommendations for a managed option?",
    "We are struggling with timeouts in production.",
    "We're excited to announce version 2.0 is out.",
    "We are hiring a senior backend engineer.",
    "Just sharing what we learned.",
)


def realistic(items: list[Conversation], seed: int = 5) -> list[Conversation]:
    """The synthetic items with an age, a thread size and an opening line that asks, complains or announces."""
    rng = random.Random(seed)
    return [
        replace(
            item,
            text=f"{rng.choice(ASKS)} {item.text}"[:1000],
            created_at=NOW - timedelta(minutes=rng.randint(1, 3000)),
            thread_size=rng.choice([0, 1, 3, 12, 150]),
        )
        for item in items
    ]


def best(repeat: int, run: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """The shortest of ``repeat`` runs (time, count)."""
    return min(run() for _ in range(repeat))


def run_matching(index: TopicIndex, items: list[Conversation]) -> tuple[float, int]:
    """Matching alone, timed like the rest (benchmarks/matching.py times wall-clock)."""
    start = time.process_time()
    matched = 0
    for conversation in items:
        matched += len(index.match(conversation, "hn"))
    return time.process_time() - start, matched


def run_pipeline(index: TopicIndex, items: list[Conversation], policy: ScoringPolicy) -> tuple[float, int]:
    """What the Poller does per item: match every topic, score each match."""
    scoring.clear_caches()
    start = time.process_time()
    scored = 0
    for conversation in items:
        for topic, found in index.match(conversation, "hn"):
            top_reasons(score(conversation, found, NOW, policy, topic=topic))  # as Poller._alert does
            scored += 1
    return time.process_time() - start, scored


def run_naive(
    patterns: list[re.Pattern[str]], topics: list[Topic], items: list[Conversation], policy: ScoringPolicy
) -> tuple[float, int]:
    """A regex per topic, and every hit scored from scratch (no per-item reuse)."""
    clear = scoring.clear_caches
    start = time.process_time()
    scored = 0
    for conversation in items:
        text = f"{squash(conversation.title)}\n{squash(conversation.text)}"
        for pattern in patterns:
            hit = pattern.search(text)
            if hit is not None:
                clear()  # from scratch: nothing reused from an earlier hit
                score(conversation, Match((hit.group(0),), False, 40), NOW, policy)
                scored += 1
    return time.process_time() - start, scored


def run_scoring_alone(items: list[Conversation], policy: ScoringPolicy) -> tuple[float, int]:
    """Every item scored once, as if every item matched one topic; nothing reused between items."""
    found = Match(("postgres",), True, 60)
    scoring.clear_caches()
    start = time.process_time()
    for conversation in items:
        score(conversation, found, NOW, policy)
    return time.process_time() - start, len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topics", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--baseline-budget", type=int, default=400_000, help="topic x item searches per baseline run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is printed")
    args = parser.parse_args()
    items = realistic(synthetic_items(args.items))
    policy = ScoringPolicy(half_lives=half_lives())  # the declared per-kind half-lives, as the bot scores
    size = sum(len(i.title) + len(i.text) for i in items) / len(items)
    print(f"{len(items)} items of {size:,.0f} characters on average; one core; items/second, best of {args.repeat}")
    elapsed, _ = best(args.repeat, lambda: run_scoring_alone(items, policy))
    print(f"scoring alone, every item: {len(items) / elapsed:,.0f} items/s")
    for count in args.topics:
        topics = synthetic_topics(count)
        compiled = compile_topics(topics)
        index = TopicIndex(compiled)
        match_elapsed, _ = best(args.repeat, lambda: run_matching(index, items))  # noqa: B023 - run at once
        elapsed, scored = best(args.repeat, lambda: run_pipeline(index, items, policy))  # noqa: B023
        rate = len(items) / elapsed
        sample = items[: max(200, min(len(items), args.baseline_budget // count))]
        patterns = baseline_patterns(compiled)
        naive_elapsed, naive_scored = run_naive(patterns, topics, sample, policy)
        naive_rate = len(sample) / naive_elapsed
        print(
            f"{count:>5} topics: match+score {rate:>7,.0f} items/s ({scored} matches scored)"
            f" | match alone {len(items) / match_elapsed:>7,.0f} items/s"
            f" | naive {naive_rate:>6,.0f} items/s over {len(sample)} items ({naive_scored} hits scored)"
            f" | speedup {rate / naive_rate:5.1f}x"
        )


if __name__ == "__main__":
    main()
