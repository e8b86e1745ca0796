"""What the intent model costs per item: microseconds for the features, the model, and find_intents as a whole.

Run on one core (``taskset -c 0 python benchmarks/intent.py``): every item of the evaluation set, read as the bot
reads it (title and opening), several times over; the best of a few rounds is printed. Today's rules alone (the
phrase layer) are measured in the same run. An item's intents are worked out once per item, however many topics it
matches (scoring.py keeps them), so this cost is per matched item, not per (item, topic).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance_set import conversation, load_items

from earshot.bot.finding.intent import find_intents
from earshot.bot.finding.intent_model import features, shipped
from earshot.bot.finding.intent_phrases import find_phrases, model_text


def per_item(texts: list[tuple[str, str]], run: Callable[[str, str], object], rounds: int) -> float:
    """The best round's CPU time per item, in microseconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for title, text in texts:
            run(title, text)
        best = min(best, time.process_time() - start)
    return best / len(texts) * 1e6


def main() -> None:
    """Print the cost per item of each part."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    items = [conversation(item) for item in load_items()]
    texts = [("" if c.kind == "comment" or c.untitled else c.title, c.text) for c in items]
    model = shipped()
    print(f"{len(texts)} items, best of {args.rounds} rounds, CPU time per item:")
    rows: list[tuple[str, Callable[[str, str], object]]] = [
        ("features (hashed n-grams)", lambda t, x: features(model_text(t, x))),
        ("model (features + weights)", lambda t, x: model.probabilities(model_text(t, x))),
        ("phrases (the rule layer)", find_phrases),
        ("find_intents (model + phrases)", find_intents),
    ]
    for name, run in rows:
        cost = per_item(texts, run, args.rounds)
        print(f"  {name:<32} {cost:7.1f} µs  ({1e6 / cost:>9,.0f} items/s)")


if __name__ == "__main__":
    main()
