"""Relevance by meaning: what the model costs in the match+score path, in memory and at start-up.

Runs, in one process on one core (BLAS held to one thread), over the same ~1 KB synthetic items as
benchmarks/pipeline.py and at each ``--topics`` count:

- today's rules: topics with a query only, no model in the path (the baseline);
- the model in the path: the same topics with ``about`` and examples (relevance by meaning for every match);
- and the same with 10% and with every topic also opted in to ``without_keyword`` (each item no query matched is
  compared with every opted-in topic's meaning: one matrix product per item).

It prints items per second (CPU time, best of ``--repeat``), the resident memory the model adds (its table, and
the per-word token cache and item/topic vectors after the run), and the start-up it adds: loading the table and
working out every topic's meaning vector. Targets (issue 15): >= 20,000 items/s at 1,000 topics, <= 100 MB,
<= 2 s.

    python benchmarks/meaning.py
    python benchmarks/meaning.py --topics 1000 --items 20000
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core: before numpy is imported
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.matching import COMMON_WORDS, synthetic_items, synthetic_topics
from benchmarks.pipeline import best, realistic, run_pipeline
from earshot.adapters.meaning import StaticEmbedder
from earshot.adapters.sources.registry import half_lives
from earshot.bot.domain import Topic
from earshot.bot.finding.matching import TopicIndex, compile_topics
from earshot.bot.finding.meaning import Meaning
from earshot.bot.finding.scoring import ScoringPolicy


def rss_mb() -> float:
    """This process's resident memory, in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def with_meaning(topics: list[Topic], opted_in: float, seed: int = 13) -> list[Topic]:
    """The topics with an ``about``, two examples and a counter-example made of their own words and common ones;
    the share ``opted_in`` of them also found without a keyword."""
    rng = random.Random(seed)
    out = []
    for number, topic in enumerate(topics):
        words = [w.strip('"()*-') for w in topic.query.split() if w not in ("OR", "AND") and ":" not in w]

        def sentence(n: int, words: list[str] = words) -> str:
            return " ".join(rng.sample(words, min(2, len(words))) + rng.sample(COMMON_WORDS, n))

        out.append(
            replace(
                topic,
                about=f"We know {sentence(12)} and help people with it.",
                examples=(sentence(10) + "?", sentence(8) + "?"),
                counter_examples=(sentence(9),),
                without_keyword=number < opted_in * len(topics),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topics", type=int, nargs="+", default=[1000])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is printed")
    args = parser.parse_args()
    items = realistic(synthetic_items(args.items))
    size = sum(len(i.title) + len(i.text) for i in items) / len(items)
    print(f"{len(items)} items of {size:,.0f} characters on average; one core; items/second, best of {args.repeat}")
    base = ScoringPolicy(half_lives=half_lives())

    before = rss_mb()
    embedder = StaticEmbedder()
    started, cpu = time.perf_counter(), time.process_time()
    embedder.embed("load the table")
    load_wall, load_cpu = time.perf_counter() - started, time.process_time() - cpu
    loaded = rss_mb()
    meaning = Meaning(embedder)
    policy = replace(base, meaning=meaning)
    print(f"table loaded in {load_wall:.2f} s wall ({load_cpu:.2f} s CPU), RSS +{loaded - before:.0f} MB")

    for count in args.topics:
        plain = synthetic_topics(count)
        index = TopicIndex(compile_topics(plain))
        elapsed, scored = best(args.repeat, lambda: run_pipeline(index, items, base))  # noqa: B023 - run at once
        print(f"{count:>5} topics, today's rules (no model): {len(items) / elapsed:>7,.0f} items/s ({scored} scored)")
        for opted_in in (0.0, 0.1, 1.0):
            topics = with_meaning(plain, opted_in)
            started = time.perf_counter()
            for topic in topics:
                meaning.topic(topic)
            vectors = time.perf_counter() - started
            meaning_index = TopicIndex(compile_topics(topics), meaning)

            def run(index: TopicIndex = meaning_index) -> tuple[float, int]:
                meaning.forget_items()  # every item embedded afresh in each run, as a poll sees new items
                return run_pipeline(index, items, policy)

            elapsed, scored = best(args.repeat, run)
            label = "model in the path" + (f", {opted_in:.0%} of topics also without a keyword" if opted_in else "")
            print(
                f"{count:>5} topics, {label}: {len(items) / elapsed:>7,.0f} items/s ({scored} scored);"
                f" topic vectors worked out in {vectors:.2f} s"
            )
    after = rss_mb()
    print(
        f"RSS added by the model: {loaded - before:.0f} MB for the table, {after - before:.0f} MB after the runs"
        f" (word cache {embedder.cached_words():,} words, item and topic vectors)"
    )
    print(f"start-up added: {load_wall:.2f} s to load the table, plus the topic vectors above (once per topic)")


if __name__ == "__main__":
    main()
