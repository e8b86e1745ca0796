"""The soak benchmark's verdict on memory: judged only after the warm-up, and never on a run too short to tell."""

from __future__ import annotations

import importlib.util
import math
import sys
from types import ModuleType

import pytest

from tests.e2e.conftest import REPO


def load_soak() -> ModuleType:
    """benchmarks/soak.py as a module (benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("benchmark_soak", REPO / "benchmarks" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


soak = load_soak()


def run(minutes: float, rss: object, every: float = 10.0) -> list[object]:
    """Samples every ``every`` seconds for ``minutes``, memory given by ``rss(seconds)``."""
    count = int(minutes * 60 / every)
    return [soak.Sample(n * every, rss(n * every), 20, n * 30, 3.0, 1.0, 2.0) for n in range(1, count + 1)]  # type: ignore[operator]


def warming(seconds: float) -> float:
    """Memory climbing steeply for the first 90 s (windows filling), then level with a little noise."""
    return 60 + min(seconds, 90) / 90 * 40 + (1.5 if int(seconds / 10) % 2 else -1.5)


def test_a_one_minute_run_is_too_short_to_judge_and_says_how_long_is_needed() -> None:
    warm_up = soak.warm_up_seconds(40, 8)
    assert warm_up == 150  # 8 feeds of 300 items fill at 40 items/s in 60 s; two and a half times that
    text = soak.verdict(run(1, warming), warm_up)
    assert text.startswith("too short to judge (needs at least 6 minutes") and "--minutes 6" in text
    assert "NOT flat" not in text


@pytest.mark.parametrize("minutes", [3, 5.4])
def test_a_run_that_ends_before_enough_is_watched_after_warm_up_is_not_judged(minutes: float) -> None:
    assert soak.verdict(run(minutes, warming), 150).startswith("too short to judge")


def test_memory_that_levels_off_after_warm_up_is_flat() -> None:
    assert soak.verdict(run(6, warming), 150).endswith(": flat (within 5%)")
    whole_run = run(6, warming)  # judged from the first sample, as before, the warm-up's climb looks like a leak
    assert soak.verdict(whole_run, 0).endswith("NOT flat (growing)")


def test_memory_given_back_after_the_warm_up_peak_is_not_called_a_leak() -> None:
    peak_then_settle = run(8, lambda s: 150 if s < 200 else 100)  # the first backlog's memory is given back
    assert soak.verdict(peak_then_settle, 150).endswith("falling, not growing")


def test_memory_that_keeps_climbing_after_warm_up_is_not_flat() -> None:
    assert soak.verdict(run(10, lambda s: 100 + s / 60 * 2), 150).endswith("NOT flat (growing)")  # +2 MB a minute
    stairs = run(10, lambda s: 100 + 3 * math.floor(s / 120))  # a leak in steps, every two minutes
    assert soak.verdict(stairs, 150).endswith("NOT flat (growing)")


def test_the_warm_up_lasts_at_least_a_minute() -> None:
    assert soak.warm_up_seconds(1000, 1) == 60
