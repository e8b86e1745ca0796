"""The feedback simulation runs on the evaluation set and says what it is: simulated from the dev part's labels."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_the_simulation_learns_only_where_the_simulated_team_dismissed_enough(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("feedback_simulation", REPO / "benchmarks" / "feedback_simulation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.main([]) == 0
    posted = capsys.readouterr().out
    assert posted.startswith("SIMULATED feedback from the dev part's labels (posted alerts only)")
    assert "model by meaning" not in posted  # too few posted alerts are traps: nothing reaches 5 dismissed

    assert module.main(["--all-matched"]) == 0
    every = capsys.readouterr().out
    topics = [line for line in every.splitlines() if "joined" in line and "dismissed" in line]
    assert topics and all(line.endswith("-> model by meaning") for line in topics)
    assert {"no feedback", "words only (before)", "words + model"} <= {line[:20].strip() for line in every.splitlines()}
