"""Evaluation: does Earshot alert on the conversations a person would join, better than a keyword bot?

Loads tests/data/evaluation/posts.jsonl (posts labelled worth joining or not, per topic) and topics.json (each
topic's query). For every (post, topic): the keyword baseline alerts when the query matches; Earshot alerts when the
query matches and the joinability score reaches the threshold. Prints precision, recall and F1 of both, with counts.

    python benchmarks/evaluate.py
    python benchmarks/evaluate.py --threshold 60 --verbose
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.sources.registry import half_lives
from bot.domain import Conversation, Topic
from bot.matching import compile_topics, match
from bot.scoring import Score, ScoringPolicy, score, summary_line

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "evaluation"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@dataclass
class Tally:
    """Counts of one system's decisions against the labels."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name:<10} precision {self.precision:.2f}  recall {self.recall:.2f}  F1 {self.f1:.2f}   "
            f"(alerts {self.tp + self.fp}: TP {self.tp}, FP {self.fp}; FN {self.fn}, TN {self.tn})"
        )


def conversation(post: dict[str, Any], now: datetime) -> Conversation:
    """The evaluation post as the pipeline would see it."""
    return Conversation(
        source=post["source"],
        external_id=post["id"],
        url=f"https://example.invalid/{post['id']}",
        title=post["title"],
        text=post["text"],
        author=post["author"],
        created_at=now - timedelta(minutes=post["age_minutes"]),
        thread_size=post["replies"],
        points=post["points"],
        kind=post.get("kind", "post"),
    )


def load(path: Path) -> list[dict[str, Any]]:
    """The labelled posts, one JSON object a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=int, default=50, help="minimum score for Earshot to alert (default 50)")
    parser.add_argument("--verbose", action="store_true", help="list Earshot's false positives and negatives")
    parser.add_argument("--posts", type=Path, default=DATA / "posts.jsonl")
    parser.add_argument("--topics", type=Path, default=DATA / "topics.json")
    args = parser.parse_args(argv)

    posts = load(args.posts)
    queries: dict[str, str] = json.loads(args.topics.read_text(encoding="utf-8"))
    topics = compile_topics(Topic(name, query) for name, query in queries.items())
    policy = ScoringPolicy(half_lives=half_lives())  # the declared per-kind half-lives, as the bot scores
    earshot, baseline = Tally(), Tally()
    per_topic = {name: (Tally(), Tally()) for name in queries}
    mistakes: list[tuple[str, str, str, Score | None]] = []
    for post in posts:
        item = conversation(post, NOW)
        for compiled in topics:
            name = compiled.topic.name
            if name not in post["topics"]:
                continue
            actual = bool(post["topics"][name])
            found = match(compiled.query, item)
            result = score(item, found, NOW, policy) if found is not None else None
            alerted = result is not None and result.value >= args.threshold
            earshot.add(alerted, actual)
            baseline.add(found is not None, actual)
            per_topic[name][0].add(alerted, actual)
            per_topic[name][1].add(found is not None, actual)
            if alerted != actual:
                mistakes.append(("FP" if alerted else "FN", name, post["id"] + "  " + post["title"], result))

    pairs = earshot.tp + earshot.fp + earshot.fn + earshot.tn
    print(f"{len(posts)} posts, {len(queries)} topics, {pairs} labelled pairs; threshold {args.threshold}")
    print(earshot.line("earshot"))
    print(baseline.line("keyword"))
    kept = earshot.tp / baseline.tp if baseline.tp else 0.0
    print(f"Earshot keeps {earshot.tp} of the keyword baseline's {baseline.tp} true positives ({kept:.0%})")
    print("per topic (earshot | keyword):")
    for name, (ours, theirs) in per_topic.items():
        print(
            f"  {name:<14} P {ours.precision:.2f} R {ours.recall:.2f} | P {theirs.precision:.2f} R {theirs.recall:.2f}"
        )
    if args.verbose:
        for kind, name, what, result in sorted(mistakes, key=lambda m: (m[0], m[1])):
            why = f"{result.value:>3}  {summary_line(result, 5)}" if result else "  -  query did not match"
            print(f"{kind} {name:<14} {what[:90]}\n      {why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
