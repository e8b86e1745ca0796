"""Train the intent model shipped in bot/finding/intent_weights.npz, and print how it does on held-out data.

Usage (scikit-learn is needed here only: ``pip install -e '.[train]'``)::

    python scripts/train_intent.py --tac /tmp/tac/TWEET_DATA.csv [--german /tmp/de/version_1-1.json] [--write]

Data (kept out of the repository; fetch it yourself):

- **Tweet Act Classification (TAC)**, Saha, Saha, Bhattacharyya (2019), https://github.com/sahatulika15/Tweet-Act-classification
  ``Dataset/TWEET_DATA.csv`` at commit 1dca05e51b63a4659b8c1f2e221687d9e70bc209, BSD-2-Clause (the repository's
  licence; the tweets' words are their authors'). 7,500 tweets, each labelled with one speech act: QUE (question),
  REQ (request), SUG (suggestion), STM (statement), EXP (expression), THT (threat), OTH. "Asks a question or makes a
  request" is QUE or REQ. Split once here, stratified and seeded (70/30); the test part is never trained on, never
  used to pick a setting, and is what the F1 printed below is measured on.
- **Our own labelled set**, tests/data/evaluation/items.jsonl: only its development part
  (benchmarks/relevance_set.py: sha256(id) % 100 < 60). Its test part is never read here. An item's trap kind says
  what it does: a relevant post, a paraphrased ask or an ask without "?" asks; a call for papers, a newsletter, a
  launch, a job ad, advice given or an experience report without a question does not.
- Optionally, **German speech acts in tweets** (Plakidis & Rehm 2022), https://github.com/MelinaPl/speech-act-analysis
  ``data/version_1-1.json``, CC BY 4.0: a test beyond English only (a sentence labelled REQUEST, or typed as a
  question, asks), never trained on.

The model: logistic regression (L2) over the hashed n-grams of earshot.bot.finding.intent_model.features (the
function the bot runs), its weights stored as float16. The regularisation and the threshold are
chosen by 5-fold cross-validation on the training part only. Without ``--write`` nothing is written.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "bot" / "finding"))

import intent_reference  # noqa: E402  the rules as they were before the model: "today's rules"
from relevance_set import conversation, load_items, part_of  # noqa: E402

from earshot.bot.finding.intent import OPENING, model_text  # noqa: E402
from earshot.bot.finding.intent_model import BITS, WEIGHTS, IntentModel, features  # noqa: E402

SEED = 15
TEST_SHARE = 0.3
ASKS = ("QUE", "REQ")
SETTINGS = ((10.0, None), (10.0, "balanced"), (30.0, None), (30.0, "balanced"))
OUT = ROOT / "bot" / "finding" / WEIGHTS

# Our own items: what the trap kind says about "asks" (None: not a label for it, left out).
ASKS_BY_TRAP: dict[tuple[str, bool], bool | None] = {
    ("plain", True): True,
    ("no_keyword", True): True,
    ("paraphrased_ask", True): True,
    ("ask_without_question_mark", True): True,
    ("job_idiom", True): True,
    ("experience_report", True): True,
    ("other_language", True): True,
    ("homonym_question", False): True,  # a real question, about another sense of the words
    ("call_for_papers", False): False,
    ("newsletter", False): False,
    ("launch", False): False,
    ("job_post", False): False,
    ("gives_advice", False): False,
    ("experience_report", False): False,
    ("homonym", False): False,
    ("plain", False): False,
    ("solved", False): None,  # it asked, and it is settled: thread state, not intent
    ("other_language", False): None,
}


def read_tac(path: Path) -> tuple[list[str], list[str]]:
    """TAC's tweets and their speech-act labels (the file has no header: text, label)."""
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 2 or not row[-1].strip():
                continue
            texts.append(",".join(row[:-1]))
            labels.append(row[-1].strip())
    if len(texts) < 7000:
        raise SystemExit(f"{path}: {len(texts)} tweets read, expected about 7,500 (is it TAC's TWEET_DATA.csv?)")
    return texts, labels


def read_own_dev() -> tuple[list[str], list[bool]]:
    """The development part of our evaluation set: the text the model reads and whether it asks."""
    texts, asks = [], []
    for item in load_items():
        if part_of(item["id"]) != "dev":
            continue  # the test part is never read for training or tuning
        said = {ASKS_BY_TRAP[(label["trap"], bool(label["worth_joining"]))] for label in item["labels"].values()}
        said.discard(None)
        if len(said) != 1:
            continue  # no label, or its topics disagree
        found = conversation(item)
        title = "" if found.kind == "comment" or found.untitled else found.title
        texts.append(model_text(title, found.text))
        asks.append(said.pop())
    return texts, asks


def read_german(path: Path) -> tuple[list[str], list[bool]]:
    """German tweet sentences and whether each asks: a REQUEST, or a question by its sentence type (f, w-f, alt-f)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    texts, asks = [], []
    for tweet in data.values():
        for sentence in tweet["tweet"]["sentences"].values():
            texts.append(sentence["text"].replace("|LBR|", " "))
            asks.append(sentence["fine"] == "REQUEST" or sentence["stype"] in ("f", "w-f", "alt-f"))
    return texts, asks


def matrix(texts: list[str]) -> sparse.csr_matrix:
    """The texts' hashed n-gram counts, each row divided by the square root of its n-gram count (as at run time)."""
    rows, cols, vals = [], [], []
    for row, text in enumerate(texts):
        found = features(text)
        if found.size:
            buckets, counts = np.unique(found, return_counts=True)
            rows.append(np.full(buckets.size, row))
            cols.append(buckets)
            vals.append(counts / np.sqrt(found.size))
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(texts), 2**BITS)
    )


def best_threshold(y: npt.NDArray[np.bool_], p: npt.NDArray[np.float64]) -> tuple[float, float]:
    """The probability threshold with the best F1 on out-of-fold predictions, and that F1."""
    best = (0.5, 0.0)
    for t in np.arange(0.2, 0.8, 0.01):
        f1 = float(f1_score(y, p >= t))
        if f1 > best[1]:
            best = (float(t), f1)
    return best


def fit(x: sparse.csr_matrix, y: npt.NDArray[np.bool_], tac: int) -> tuple[LogisticRegression, float]:
    """The settings and threshold chosen by 5-fold CV on the training part (F1 on its first ``tac`` rows, TAC's:
    the kind of post the target is set on); the model refit on all of it."""
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    scored = []
    for c, weighting in SETTINGS:
        learner = LogisticRegression(C=c, max_iter=3000, class_weight=weighting)
        p = cross_val_predict(learner, x, y, cv=folds, method="predict_proba")[:, 1]
        threshold, f1 = best_threshold(y[:tac], p[:tac])
        print(f"  cv C={c:<4} class_weight={weighting}: F1 {f1:.3f} at threshold {threshold:.2f}")
        scored.append((f1, c, weighting or "", threshold))
    f1, c, weighting, threshold = max(scored)
    return LogisticRegression(C=c, max_iter=3000, class_weight=weighting or None).fit(x, y), threshold


def quantised(model: LogisticRegression, threshold: float) -> IntentModel:
    """The fitted weights as the runtime model: float16, scaled to use its range well (one scale per head)."""
    w = model.coef_[0].astype(np.float64)
    scale = float(np.abs(w).max()) / 1024 or 1.0
    return IntentModel(
        heads=("asks",),
        weights=(w / scale).astype(np.float16).astype(np.float32).reshape(1, -1),
        scales=np.array([scale], dtype=np.float32),
        biases=model.intercept_.astype(np.float32),
        thresholds=np.array([threshold], dtype=np.float32),
    )


def report(name: str, y: list[bool] | npt.NDArray[np.bool_], predicted: list[bool]) -> None:
    """One line: precision, recall and F1 of a predictor of "asks"."""
    p, r, f, _ = precision_recall_fscore_support(y, predicted, average="binary", zero_division=0)
    print(f"  {name:<34} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")


def rules_ask(text: str) -> bool:
    """Today's rules (before the model) say "asks": a question, a recommendation sought or a pain."""
    asking = {intent_reference.Intent.QUESTION, intent_reference.Intent.RECOMMENDATION, intent_reference.Intent.PAIN}
    return any(f.intent in asking for f in intent_reference.find_intents("", text))


def main() -> None:
    """Train, report on the held-out parts, and write the weights when asked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tac", type=Path, required=True, help="TAC's Dataset/TWEET_DATA.csv")
    parser.add_argument("--german", type=Path, help="speech-act-analysis's data/version_1-1.json (test only)")
    parser.add_argument("--no-own", action="store_true", help="train on TAC alone (to compare)")
    parser.add_argument("--write", action="store_true", help=f"write the weights to {OUT.relative_to(ROOT)}")
    args = parser.parse_args()

    texts, labels = read_tac(args.tac)
    train_x, test_x, train_l, test_l = train_test_split(
        texts, labels, test_size=TEST_SHARE, random_state=SEED, stratify=labels
    )
    own_x, own_y = ([], []) if args.no_own else read_own_dev()
    print(f"TAC: {len(train_x)} tweets to train on, {len(test_x)} held out; our dev items: {len(own_x)}")
    x = matrix([t[: OPENING * 2] for t in train_x] + own_x)
    y = np.array([label in ASKS for label in train_l] + own_y)
    model, threshold = fit(x, y, len(train_x))
    shipped = quantised(model, threshold)

    truth = [label in ASKS for label in test_l]
    print(f'TAC held-out part ({len(test_x)} tweets), "asks a question or makes a request" (QUE+REQ):')
    report("model (float16, as shipped)", truth, [shipped.probabilities(t)["asks"] >= threshold for t in test_x])
    report('contains "?"', truth, ["?" in t for t in test_x])
    report("rules before the model", truth, [rules_ask(t) for t in test_x])
    if args.german:
        de_x, de_y = read_german(args.german)
        print(f"German tweet sentences ({len(de_x)}, {sum(de_y)} ask), never trained on:")
        report("model", de_y, [shipped.probabilities(t)["asks"] >= threshold for t in de_x])
        report('contains "?"', de_y, ["?" in t for t in de_x])
    if args.write:
        shipped.save(OUT)
        print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
