"""The learned intent model: the shipped weights load, the hashing is stable, and the training script uses it."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from earshot.bot.finding import intent_model
from earshot.bot.finding.intent_model import BITS, IntentModel, features, load, normalise, shipped

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "train_intent.py"
WEIGHTS = ROOT / "bot" / "finding" / intent_model.WEIGHTS


def fnv_bucket(gram: bytes, seed: int) -> int:
    """The bucket of one n-gram, worked out the slow way: the polynomial hash over bytes + 1, then the spread."""
    h = 0
    for byte in gram:
        h = (h * 0x100000001B3 + byte + 1) % 2**64
    return (((h ^ seed) * 0x9E3779B97F4A7C15) % 2**64) >> (64 - BITS)


def test_the_shipped_model_loads_small_with_its_head() -> None:
    model = shipped()
    assert model.heads == ("asks",)
    assert model.weights.shape == (1, 2**BITS)
    assert model.weights.dtype == np.float32
    assert 0.05 < float(model.thresholds[0]) < 0.95
    assert WEIGHTS.stat().st_size < 3_000_000
    assert np.count_nonzero(model.weights) > 10_000  # trained, not an empty table


def test_the_model_hears_asks_and_statements() -> None:
    model = shipped()
    asks = model.probabilities("can anyone tell me where the nearest pharmacy is")["asks"]
    states = model.probabilities("The sun came out this afternoon and the park was full.")["asks"]
    assert asks > float(model.thresholds[0]) > states


def test_features_match_a_slow_reference_hash() -> None:
    text = "Any idea, @bob? See https://x.example/a"
    data = normalise(text).encode()
    assert data == b" any idea, @u? see http "
    # The text padded with three spaces; from each position that has five bytes to go, its 2- to 5-byte grams (so
    # every gram of the text, "? " at its end too); then the words, then the word pairs.
    padded = data + b"   "
    expected = [fnv_bucket(padded[i : i + n], 0x51ED0000 + n) for i in range(len(padded) - 4) for n in (2, 3, 4, 5)]
    assert fnv_bucket(b"? ", 0x51ED0002) in expected
    words = [b"any", b"idea", b"u", b"see", b"http"]
    expected += [fnv_bucket(w, 0x51ED0000 + 100) for w in words]
    got = features(text).tolist()
    assert got[: len(expected)] == expected
    assert len(got) == len(expected) + len(words) - 1  # and one pair per neighbouring words


def test_features_are_the_same_for_the_same_text_and_read_any_script() -> None:
    assert features("Wie kann ich das lösen?").tolist() == features("wie  kann ich das LÖSEN?").tolist()
    assert features("").size == 0
    assert features("¿Cómo configuro esto?").size > 20


def test_a_model_round_trips_through_its_file(tmp_path: Path) -> None:
    weights = np.zeros((1, 2**BITS), dtype=np.float32)
    weights[0, features("help")[0]] = 100
    model = IntentModel(
        ("asks",), weights, np.array([0.05], np.float32), np.array([-1.0], np.float32), np.array([0.5], np.float32)
    )
    model.save(tmp_path / "m.npz")
    again = load(tmp_path / "m.npz")
    assert again.heads == ("asks",)
    assert again.probabilities("help") == pytest.approx(model.probabilities("help"))
    assert again.probabilities("help")["asks"] > again.probabilities("nothing")["asks"]


def test_weights_for_another_hash_size_are_refused(tmp_path: Path) -> None:
    np.savez(
        tmp_path / "bad.npz",
        heads=np.array(["asks"]),
        weights=np.zeros((1, 16), np.float16),
        scales=np.ones(1),
        biases=np.zeros(1),
        thresholds=np.ones(1),
        bits=np.array(4),
    )
    with pytest.raises(ValueError, match="4 bits"):
        load(tmp_path / "bad.npz")


def test_the_training_script_hashes_with_the_runtime_features() -> None:
    tree = ast.parse(SCRIPT.read_text())
    imported = {
        (node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    assert ("earshot.bot.finding.intent_model", "features") in imported
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert "features" not in defined and "normalise" not in defined  # no second hashing of its own


def test_the_training_matrix_is_the_runtime_features_counted() -> None:
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("train_intent", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_intent"] = module
    spec.loader.exec_module(module)
    texts = ["How do I fix this?", "Nice day", "¿Alguien sabe por qué?"]
    rows = module.matrix(texts)
    for row, text in enumerate(texts):
        found = features(text)
        dense = np.bincount(found, minlength=2**BITS) / np.sqrt(found.size)
        assert np.allclose(rows[row].toarray().ravel(), dense)
