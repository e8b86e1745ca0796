"""The reply check against a labelled set: precision and recall per flag, and overall, for dev and test.

Loads tests/data/replies/drafts.json (threads, the team's earlier replies, what counts as ours, and drafts labelled
with the flags a careful reader would raise). Runs the check on each draft with the built-in rule cards of its
community and prints, per split, a row per flag. Tune only on dev; test is for reporting.

    python benchmarks/replycheck.py
    python benchmarks/replycheck.py --split dev --verbose
    python benchmarks/replycheck.py --words-only    # without the embedder: the core's fallback on words
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from earshot.adapters.meaning import default_embedder
from earshot.bot.guest.asked import Asked
from earshot.bot.guest.check import FLAGS, check_reply
from earshot.bot.guest.ours import Ours
from earshot.bot.guest.rules import cards_for
from earshot.bot.ports.meaning import Embedder

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "replies" / "drafts.json"


@dataclass
class Tally:
    """Counts for one flag: true and false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def precision(self) -> float | None:
        """Share of raised flags that were right (None when none was raised)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    def recall(self) -> float | None:
        """Share of expected flags that were raised (None when none was expected)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def load(path: Path = DATA) -> dict[str, Any]:
    """The labelled set."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def predict(data: dict[str, Any], draft: dict[str, Any], embedder: Embedder | None = None) -> set[str]:
    """The flags the check raises on one draft of the set."""
    thread = next(t for t in data["threads"] if t["id"] == draft["thread"])
    asked = Asked(thread["title"], thread["body"], tuple(thread["replies"]))
    ours = Ours(tuple(data["ours"]["products"]), tuple(data["ours"]["domains"]))
    cards = cards_for(thread["source"], thread["community"])
    found = check_reply(
        draft["text"],
        asked,
        source=thread["source"],
        cards=cards,
        ours=ours,
        earlier=tuple(data["earlier"]),
        embedder=embedder,
    )
    return set(found.codes)


def evaluate(
    data: dict[str, Any], split: str, verbose: bool = False, embedder: Embedder | None = None
) -> dict[str, Tally]:
    """Per-flag tallies (and "overall") over one split."""
    tallies = {flag: Tally() for flag in (*FLAGS, "overall")}
    for draft in data["drafts"]:
        if draft["split"] != split:
            continue
        expected, got = set(draft["expected"]), predict(data, draft, embedder)
        for flag in FLAGS:
            for tally in (tallies[flag], tallies["overall"]):
                if flag in got and flag in expected:
                    tally.tp += 1
                elif flag in got:
                    tally.fp += 1
                elif flag in expected:
                    tally.fn += 1
        if verbose and expected != got:
            missed, extra = sorted(expected - got), sorted(got - expected)
            print(f"  {draft['id']}: missed {missed or '-'}, extra {extra or '-'}")
    return tallies


def show(value: float | None) -> str:
    """A share as 0.00, or "-" when there was nothing to count."""
    return "-" if value is None else f"{value:.2f}"


def main() -> None:
    """Print the table for each split asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--verbose", action="store_true", help="list each draft where the check and labels differ")
    parser.add_argument("--words-only", action="store_true", help="without the embedder (the fallback on words)")
    args = parser.parse_args()
    data = load()
    embedder = None if args.words_only else default_embedder()
    print("off-question read in words only" if embedder is None else "off-question read in words and meaning")
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    for split in splits:
        drafts = [d for d in data["drafts"] if d["split"] == split]
        good = sum(1 for d in drafts if not d["expected"])
        print(f"{split}: {len(drafts)} drafts ({good} with no fault)")
        tallies = evaluate(data, split, args.verbose, embedder)
        print(f"  {'flag':<14} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>7}")
        for flag, t in tallies.items():
            print(f"  {flag:<14} {t.tp:>4} {t.fp:>4} {t.fn:>4} {show(t.precision()):>10} {show(t.recall()):>7}")


if __name__ == "__main__":
    main()
