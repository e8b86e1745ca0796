"""How well an embedding table separates relevant items from traps on the evaluation set: the table's choice.

For each labelled (item, topic) case, the cosine of the item's vector (title and opening, as the bot embeds it) with
the topic's meaning vector (about and examples, pushed away from counter-examples). Prints, per part: the AUC of
that cosine for worth-joining items against every other case, against homonyms only (another sense of the topic's
words: what meaning must tell apart) and against other-language items; and the mean cosine per kind of trap. Tune
on the dev part; the test part is for reporting.

    python benchmarks/meaning_auc.py                          # the shipped table
    python benchmarks/meaning_auc.py --table /tmp/other.npz   # a candidate
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance_set import TRAPS, cases, conversation, load_items, load_topics, part_of, topic_of

from earshot.adapters.meaning.static import TABLE, StaticEmbedder
from earshot.bot.finding.meaning import PUSH, Meaning


def auc(positives: list[float], negatives: list[float]) -> float:
    """The chance a random positive scores above a random negative (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def main(argv: list[str] | None = None) -> int:
    """Print the AUCs and mean cosines per part."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", type=Path, default=TABLE)
    parser.add_argument("--push", type=float, default=PUSH, help="how far topics move from their counter-examples")
    parser.add_argument("--part", choices=("dev", "test", "all"), default="all")
    args = parser.parse_args(argv)
    embedder = StaticEmbedder(args.table)
    started = time.perf_counter()
    embedder.dims  # noqa: B018 - loads the table, to time it
    print(f"table {args.table.name}: {embedder.dims} dims, loaded in {time.perf_counter() - started:.2f} s")
    meaning = Meaning(embedder, push=args.push)
    topics = {name: topic_of(name, spec) for name, spec in load_topics().items()}
    items = {item["id"]: item for item in load_items()}
    scored: dict[str, list[tuple[bool, str, float]]] = defaultdict(list)
    labelled: dict[str, set[str]] = defaultdict(set)
    for case in cases(list(items.values())):
        fit = meaning.fit(conversation(items[case.item_id]), topics[case.topic])
        assert fit is not None
        labelled[case.item_id].add(case.topic)
        for part in (case.part, "all"):
            scored[part].append((case.worth_joining, case.trap, fit.similarity))
    # Items against the topics they are not labelled for: nearly all unrelated, what "no keyword" must leave out.
    unrelated: dict[str, list[float]] = defaultdict(list)
    for item_id, item in items.items():
        vector = meaning.item(conversation(item))
        for name, topic in topics.items():
            if name not in labelled[item_id]:
                meaning_of = meaning.topic(topic)
                assert meaning_of is not None
                similarity = embedder.similarity(vector, meaning_of.vector)
                unrelated[part_of(item_id)].append(similarity)
    for part in ("dev", "test", "all"):
        if args.part not in (part, "all") or (args.part == "all" and part == "all"):
            continue
        rows = scored[part]
        relevant = [s for good, _, s in rows if good]
        rest = [s for good, _, s in rows if not good]
        homonyms = [s for good, trap, s in rows if not good and trap.startswith("homonym")]
        foreign = [s for good, trap, s in rows if not good and trap == "other_language"]
        print(
            f"{part}: AUC relevant vs all others {auc(relevant, rest):.3f}; vs homonyms {auc(relevant, homonyms):.3f}"
            f" (n={len(homonyms)}); vs other-language {auc(relevant, foreign):.3f} (n={len(foreign)})"
        )
        kinds: dict[tuple[str, bool], list[float]] = defaultdict(list)
        for good, trap, s in rows:
            kinds[(trap, good)].append(s)
        line = [
            f"{trap}{'+' if good else '-'} {sum(v) / len(v):.2f}"
            for trap in TRAPS
            for good in (True, False)
            if (v := kinds.get((trap, good)))
        ]
        others = unrelated[part] if part != "all" else unrelated["dev"] + unrelated["test"]
        found = sorted(others, reverse=True)
        at = [found[int(len(found) * share)] for share in (0.001, 0.01, 0.05)]
        print(
            f"  vs items of other topics (n={len(others)}): AUC {auc(relevant, others[::7]):.3f}; their cosine's"
            f" top 0.1% / 1% / 5% from {at[0]:.2f} / {at[1]:.2f} / {at[2]:.2f}"
        )
        no_keyword = sorted(s for good, trap, s in rows if good and trap == "no_keyword")
        if no_keyword:
            print(f"  no_keyword relevant (n={len(no_keyword)}): median cosine {no_keyword[len(no_keyword) // 2]:.2f}")
        print("  mean cosine by kind (+ worth joining, - not): " + ", ".join(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
