"""Whether a speed change kept every result: dump, before and after, what the evaluation set gives, and compare.

For every case of ``benchmarks/evaluate.py`` (the labelled set, both parts, meaning on, and again keywords only):
the item, the topic, both systems' decisions, the score and every reason. For every item and topic text: the
intent model's probabilities and a digest of its hashed features, and the embedder's vector. Scores, reasons,
features and decisions must be identical; probabilities and vectors equal within ``--tolerance``.

    python benchmarks/same_results.py dump /tmp/before.json     # on the old code
    python benchmarks/same_results.py dump /tmp/after.json      # on the new code
    python benchmarks/same_results.py compare /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import run
from relevance_set import ITEMS, TOPICS, conversation, load_items, load_topics

from earshot.adapters.meaning import default_embedder
from earshot.bot.finding.intent_model import features, shipped
from earshot.bot.finding.intent_phrases import model_text
from earshot.bot.finding.meaning import embedding_text


def dump() -> dict[str, Any]:
    """Every per-case outcome and per-text model output of the evaluation set."""
    items = load_items(ITEMS)
    topics = load_topics(TOPICS)
    cases: list[list[Any]] = []
    for meaning in (True, False):
        for o in run(items, topics, None, True, meaning):
            reasons = [] if o.result is None else [[r.label, r.weight, str(r.kind)] for r in o.result.reasons]
            value = None if o.result is None else o.result.value
            cases.append([meaning, o.case.item_id, o.case.topic, o.earshot, o.keyword, value, reasons])
    model, embedder = shipped(), default_embedder()
    texts: dict[str, Any] = {}
    for item in items:
        c = conversation(item)
        text = model_text(c.title, c.text)
        found = features(text)
        texts[item["id"]] = {
            "features": hashlib.sha256(found.tobytes()).hexdigest(),
            "probabilities": model.probabilities(text),
            "vector": embedder.embed(embedding_text(c)).tolist(),
        }
    for name, spec in topics.items():
        examples = [e["text"] if isinstance(e, dict) else e for e in spec.get("examples", [])]
        for i, text in enumerate([spec.get("about", ""), *examples]):
            texts[f"topic {name} {i}"] = {"vector": embedder.embed(text).tolist()}
    return {"cases": cases, "texts": texts}


def compare(before: dict[str, Any], after: dict[str, Any], tolerance: float) -> list[str]:
    """What differs, in plain lines (none: the same results)."""
    problems: list[str] = []
    if len(before["cases"]) != len(after["cases"]):
        problems.append(f"{len(before['cases'])} cases before, {len(after['cases'])} after")
    for old, new in zip(before["cases"], after["cases"], strict=False):
        if old != new:
            problems.append(f"case differs: {old} -> {new}")
    for key, old in before["texts"].items():
        new = after["texts"].get(key)
        if new is None:
            problems.append(f"{key}: missing after")
            continue
        if old.get("features") != new.get("features"):
            problems.append(f"{key}: hashed features differ")
        for head, p in old.get("probabilities", {}).items():
            if abs(p - new["probabilities"][head]) > tolerance:
                problems.append(f"{key}: {head} probability {p} -> {new['probabilities'][head]}")
        if max((abs(a - b) for a, b in zip(old["vector"], new["vector"], strict=True)), default=0.0) > tolerance:
            problems.append(f"{key}: vector differs beyond {tolerance}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Dump or compare; compare exits 1 when anything differs."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("out", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    cmp.add_argument("--tolerance", type=float, default=1e-6)
    args = parser.parse_args(argv)
    if args.command == "dump":
        args.out.write_text(json.dumps(dump()))
        return 0
    problems = compare(json.loads(args.before.read_text()), json.loads(args.after.read_text()), args.tolerance)
    for line in problems[:50]:
        print(line)
    print(
        f"{len(problems)} differences"
        if problems
        else "identical: every case, score and reason; models within tolerance"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
