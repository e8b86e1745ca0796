"""benchmarks/same_results.py finds what a speed change altered: a score, a reason, a hashed feature, a probability
or a vector beyond the tolerance; and a dump compared with itself has no difference."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from earshot.adapters.meaning import default_embedder
from tests.e2e.conftest import REPO


@pytest.fixture(scope="module")
def same() -> ModuleType:
    """benchmarks/same_results.py as a module (benchmarks are scripts, not a package; it imports its neighbours)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    spec = importlib.util.spec_from_file_location("same_results", REPO / "benchmarks" / "same_results.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def a_dump() -> dict[str, Any]:
    return {
        "cases": [[True, "hn-1", "vector-db", True, True, 72, [["asks a question", 15, "intent"]]]],
        "texts": {"hn-1": {"features": "ab12", "probabilities": {"asks": 0.8125}, "vector": [0.6, 0.8]}},
    }


def test_a_dump_is_the_same_as_itself(same: ModuleType) -> None:
    assert same.compare(a_dump(), a_dump(), 1e-6) == []


def test_a_changed_score_reason_feature_probability_or_vector_is_found(same: ModuleType) -> None:
    after = a_dump()
    after["cases"][0][5] = 73
    after["texts"]["hn-1"]["features"] = "ab13"
    after["texts"]["hn-1"]["probabilities"]["asks"] = 0.8126
    after["texts"]["hn-1"]["vector"] = [0.6, 0.80001]
    problems = same.compare(a_dump(), after, 1e-6)
    assert len(problems) == 4
    assert problems[0].startswith("case differs")
    assert any("hashed features differ" in p for p in problems)
    assert any("asks probability" in p for p in problems)
    assert any("vector differs" in p for p in problems)


def test_float_noise_within_the_tolerance_is_no_difference(same: ModuleType) -> None:
    after = a_dump()
    after["texts"]["hn-1"]["probabilities"]["asks"] = 0.8125 + 1e-9
    after["texts"]["hn-1"]["vector"] = [0.6 + 1e-9, 0.8]
    assert same.compare(a_dump(), after, 1e-6) == []


def test_the_evaluation_set_dumps_cases_and_texts(same: ModuleType) -> None:
    dumped = same.dump()
    assert len(dumped["cases"]) > 1000
    assert same.compare(dumped, dumped, 0.0) == []
    dims = default_embedder().dims
    assert all(len(t["vector"]) == dims for t in dumped["texts"].values())
    assert sum("probabilities" in t for t in dumped["texts"].values()) > 1000
