"""Evaluation: does Earshot alert on the conversations a person would join, better than a keyword bot?

Reads the labelled set in tests/data/evaluation (items.jsonl: items in their sources' own shapes, each labelled per
topic with worth_joining and a kind of trap; topics.json: each topic's query and languages). Every item goes through
its source adapter's parser, then through the same match and score as the running bot: Earshot alerts when the
topic's query matches (with its languages) and the score clears the topic's min_score (or --threshold). The naive
keyword bot alerts whenever the query matches. Prints precision, recall and F1 of both: overall, per part, per
topic and per kind of trap, and how many relevant posts that use none of the query's words each one finds.

The set is split by a stable hash of each item's id into a development part (60%) and a test part (40%).
Tune on the dev part only: never look at the test part's misses or change rules to fit it; it is for reporting.

    python benchmarks/evaluate.py                  # all figures, both parts
    python benchmarks/evaluate.py --part dev --verbose
    python benchmarks/evaluate.py --legacy         # the older tuning set, posts.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance_set import (
    DATA,
    ITEMS,
    TOPICS,
    TRAPS,
    Case,
    cases,
    conversation,
    load_items,
    load_topics,
    part_of,
    topic_of,
)

from earshot.adapters.meaning import default_embedder
from earshot.adapters.sources.registry import half_lives
from earshot.bot.domain import Conversation, DeliveryState, Topic
from earshot.bot.finding.matching import TopicIndex, compile_topics, match
from earshot.bot.finding.meaning import Meaning
from earshot.bot.finding.polling import decide
from earshot.bot.finding.scoring import Score, ScoringPolicy, summary_line

UNLABELLED: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
"""Per part, each match of an item with a topic it is not labelled for: (alerted, found without a keyword)."""

# The items' ages are stored as creation times; "now" is fixed so that a run today and a run next year agree.
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@dataclass
class Tally:
    """Counts of one system's decisions against the labels."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        """Count one decision."""
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
        """Share of alerts that were worth joining."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Share of conversations worth joining that were alerted."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def brief(self) -> str:
        """Precision, recall and F1 with the counts behind them."""
        return (
            f"P {self.precision:.2f} R {self.recall:.2f} F1 {self.f1:.2f} "
            f"(TP {self.tp:>3} FP {self.fp:>3} FN {self.fn:>3} TN {self.tn:>3})"
        )


@dataclass(frozen=True)
class Outcome:
    """Both systems' decisions on one case."""

    case: Case
    title: str
    earshot: bool
    keyword: bool
    result: Score | None


def run(
    items: list[dict[str, Any]],
    topics: dict[str, dict[str, Any]],
    threshold: int | None,
    languages: bool,
    meaning: bool = True,
) -> list[Outcome]:
    """Every case's outcome, through the running bot's own match and score (``meaning``: the topics say what
    they mean and the bot reads it with the shipped embedder; without it, as before issue 15: keywords only)."""
    declared = [topic_of(name, spec, languages, meaning) for name, spec in topics.items()]
    # The declared per-kind half-lives, as the bot scores; relevance by meaning as the bot reads it.
    policy = ScoringPolicy(half_lives=half_lives(), meaning=Meaning(default_embedder()) if meaning else None)
    compiled = compile_topics(declared)
    index = TopicIndex(compiled, policy.meaning)
    queries = {c.topic.name: c.query for c in compiled}
    by_name = {t.name: t for t in declared}
    by_item = {item["id"]: item for item in items}
    outcomes: list[Outcome] = []
    seen: dict[str, tuple[Conversation, dict[str, Any]]] = {}
    labelled = {item["id"]: set(item["labels"]) for item in items}
    for item_id in labelled:  # alerts for topics an item is not labelled for: not scored, but counted
        item = conversation(by_item[item_id])
        for topic, found in index.match(item, by_item[item_id]["source"]):
            if topic.name not in labelled[item_id]:
                alerted = decide(item, topic, found, NOW, policy)[1] is DeliveryState.PENDING
                UNLABELLED[part_of(item_id)].append((alerted, not found.terms))
    for case in cases(items):
        if case.item_id not in seen:
            item = conversation(by_item[case.item_id])
            seen[case.item_id] = (item, {t.name: found for t, found in index.match(item, case.source)})
        item, matched = seen[case.item_id]
        topic = by_name[case.topic]
        result = None
        alerted = False
        if case.topic in matched:
            result, state = decide(item, topic, matched[case.topic], NOW, policy)
            alerted = state is DeliveryState.PENDING if threshold is None else result.value >= threshold
        keyword = match(queries[case.topic], item, case.source) is not None
        outcomes.append(Outcome(case, item.title, alerted, keyword, result))
    return outcomes


def table(title: str, groups: dict[str, list[Outcome]]) -> None:
    """One line per group: Earshot's figures, then the keyword bot's."""
    print(f"\n{title}:  {'earshot':<47}| keyword")
    for name, group in groups.items():
        ours, theirs = Tally(), Tally()
        for o in group:
            ours.add(o.earshot, o.case.worth_joining)
            theirs.add(o.keyword, o.case.worth_joining)
        positives = sum(o.case.worth_joining for o in group)
        if positives:
            print(f"  {name:<26} n={len(group):>4} pos={positives:>3}  {ours.brief()} | {theirs.brief()}")
        else:  # precision and recall mean nothing without a positive: say how many it wrongly alerts
            n = len(group)
            print(
                f"  {name:<26} n={n:>4} pos=  0  false alerts {ours.fp:>3} of {n} ({ours.fp / n:4.0%}){'':>20}"
                f" | false alerts {theirs.fp:>3} of {n} ({theirs.fp / n:4.0%})"
            )


def grouped(outcomes: list[Outcome], key: Any) -> dict[str, list[Outcome]]:
    """The outcomes grouped by ``key(outcome)``, in a stable order."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[key(o)].append(o)
    return dict(sorted(groups.items()))


def report(outcomes: list[Outcome], part: str, verbose: bool, sweep: bool = False) -> None:
    """Print the figures for the chosen part, and the misses when asked."""
    chosen = [o for o in outcomes if part == "all" or o.case.part == part]
    items = len({o.case.item_id for o in chosen})
    print(f"{items} items, {len(chosen)} labelled (item, topic) cases, part: {part}")
    table("overall", {"all": chosen})
    # The recall target: of the true alerts keyword matching finds, how many Earshot also posts.
    ours = sum(o.earshot and o.keyword and o.case.worth_joining for o in chosen)
    theirs = sum(o.keyword and o.case.worth_joining for o in chosen)
    print(f"Earshot keeps {ours} of the keyword bot's {theirs} true alerts ({ours / theirs if theirs else 0:.0%})")
    if part == "all":
        table("per part", grouped(chosen, lambda o: o.case.part))
    table("per topic", grouped(chosen, lambda o: o.case.topic))
    order = {t: i for i, t in enumerate(TRAPS)}
    traps = grouped(chosen, lambda o: o.case.trap)
    table("per kind of trap", dict(sorted(traps.items(), key=lambda kv: order.get(kv[0], len(order)))))
    for label, wanted in (("labelled no_keyword", "trap"), ("the query matches none of their words", "unmatched")):
        positives = [
            o
            for o in chosen
            if o.case.worth_joining and (o.case.trap == "no_keyword" if wanted == "trap" else not o.keyword)
        ]
        found = sum(o.earshot for o in positives)
        share = found / len(positives) if positives else 0.0
        print(f"relevant posts {label}: {len(positives)}; Earshot finds {found} ({share:.0%})")
    other = [u for p, found in UNLABELLED.items() if part in (p, "all") for u in found]
    print(
        f"alerts for topics an item is not labelled for (unjudged, mostly unwanted): {sum(a for a, _ in other)}"
        f" of {len(other)} such matches, {sum(a and near for a, near in other)} of them found without a keyword"
    )
    if sweep:
        print("\nEarshot at other thresholds (one threshold for every topic):")
        for at in range(30, 95, 5):
            tally = Tally()
            for o in chosen:
                tally.add(o.result is not None and o.result.value >= at, o.case.worth_joining)
            print(f"  {at:>3}  {tally.brief()}")
    if verbose:
        # Listing the test part's misses invites tuning on it: only when asked for that part by name.
        shown = [o for o in chosen if o.case.part == "dev" or part == "test"]
        misses = [o for o in shown if o.earshot != o.case.worth_joining]
        print(f"\nEarshot's mistakes ({len(misses)}):")
        for o in sorted(misses, key=lambda o: (o.earshot, o.case.topic, o.case.trap)):
            kind = "FP" if o.earshot else "FN"
            why = f"{o.result.value:>3}  {summary_line(o.result, 5)}" if o.result else "  -  not matched"
            print(f"{kind} {o.case.topic:<20} {o.case.trap:<26} {o.case.item_id:<18} {o.title[:70]}\n      {why}")


def legacy(threshold: int) -> int:
    """The older tuning set (posts.jsonl, the first four topics), as the first version of this script measured it."""
    topics = compile_topics(Topic(n, s["query"]) for n, s in load_topics().items())
    policy = ScoringPolicy(half_lives=half_lives())  # the declared per-kind half-lives, as the bot scores
    ours, theirs = Tally(), Tally()
    posts = [json.loads(line) for line in (DATA / "posts.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for post in posts:
        item = Conversation(
            source=post["source"],
            external_id=post["id"],
            url=f"https://example.invalid/{post['id']}",
            title=post["title"],
            text=post["text"],
            author=post["author"],
            created_at=NOW - timedelta(minutes=post["age_minutes"]),
            thread_size=post["replies"],
            points=post["points"],
            kind=post.get("kind", "post"),
        )
        for compiled in topics:
            if compiled.topic.name not in post["topics"]:
                continue
            actual = bool(post["topics"][compiled.topic.name])
            found = match(compiled.query, item)
            alerted = found is not None and decide(item, compiled.topic, found, NOW, policy)[0].value >= threshold
            ours.add(alerted, actual)
            theirs.add(found is not None, actual)
    print(f"{len(posts)} posts (the older tuning set)\n  earshot {ours.brief()}\n  keyword {theirs.brief()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=(
            "Each item is in the development part (60%) or the test part (40%) by a stable hash of its id. "
            "The test part is for reporting only: never tune scoring, matching or intent rules on it, "
            "and do not read its misses (--verbose shows the dev part's)."
        ),
    )
    parser.add_argument(
        "--part", choices=("dev", "test", "all"), default="all", help="which part to report (default: all)"
    )
    parser.add_argument("--threshold", type=int, help="alert at this score instead of each topic's min_score (50)")
    parser.add_argument(
        "--verbose", action="store_true", help="list Earshot's misses (the dev part's, unless --part test)"
    )
    parser.add_argument(
        "--ignore-languages", action="store_true", help="do not give topics the languages topics.json declares"
    )
    parser.add_argument(
        "--no-meaning", action="store_true", help="leave out the topics' about and examples (keywords only, as before)"
    )
    parser.add_argument("--sweep", action="store_true", help="also show Earshot's figures at thresholds 30 to 90")
    parser.add_argument("--items", type=Path, default=ITEMS, help="the labelled items (JSON lines)")
    parser.add_argument("--topics", type=Path, default=TOPICS, help="the topics (JSON)")
    parser.add_argument("--legacy", action="store_true", help="measure the older tuning set, posts.jsonl, instead")
    args = parser.parse_args(argv)
    if args.legacy:
        return legacy(50 if args.threshold is None else args.threshold)
    meaning = not args.no_meaning
    outcomes = run(load_items(args.items), load_topics(args.topics), args.threshold, not args.ignore_languages, meaning)
    threshold = "each topic's min_score" if args.threshold is None else str(args.threshold)
    languages = "ignored" if args.ignore_languages else "as declared"
    read = "by meaning (about, examples; found without a keyword)" if meaning else "keywords only"
    print(f"threshold: {threshold}; topic languages: {languages}; relevance: {read}")
    report(outcomes, args.part, args.verbose, args.sweep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
