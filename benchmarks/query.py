"""Query parsing: the slowest input shapes at the length limit, and why there is one.

For each shape (juxtaposed fuzzy terms, empty regexes, stray quotes, deep groups, ...) prints the best of a few
parses at 250, 500 and 1,000 characters (MAX_LENGTH, beyond which parse_query refuses at once), then luqum's own
parse at 4,000, 16,000 and 64,000 characters: its time grows with the square of the number of terms, which is what the
limit bounds. tests/bot/finding/test_query_properties.py asserts the worst shapes stay within its budget.

    python benchmarks/query.py
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from luqum.thread import parse as luqum_parse

from earshot.bot.errors import InvalidQuery
from earshot.bot.finding.query import MAX_LENGTH, parse_query

SHAPES: dict[str, Callable[[int], str]] = {
    "juxtaposed words": lambda n: "rust " * (n // 5),
    "flat OR": lambda n: "a OR " * (n // 5) + "a",
    "AND and OR mixed": lambda n: "a b OR c AND d " * (n // 15),
    "groups": lambda n: "(a OR b) " * (n // 9),
    "deep groups": lambda n: "(" * (n // 2) + "a" + ")" * (n // 2),
    "unclosed groups": lambda n: "(a " * (n // 3),
    "NOTs": lambda n: "NOT " * (n // 4) + "a",
    "stray quotes": lambda n: 'a" ' * (n // 3),
    "unclosed phrase": lambda n: '"' + "a " * (n // 2),
    "juxtaposed fuzzy terms": lambda n: "a~" * (n // 2),
    "empty regexes": lambda n: "/" * n,
    "fields": lambda n: "a:" * (n // 2) + "b",
    "backslashes": lambda n: "\\" * n,
    "unicode": lambda n: "é漢 " * (n // 3),
}


def best_of(parse: Callable[[str], object], text: str, runs: int = 5) -> float:
    """The fastest of ``runs`` parses, in seconds: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        with contextlib.suppress(InvalidQuery, ValueError, ArithmeticError, RecursionError):
            parse(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    sizes = (MAX_LENGTH // 4, MAX_LENGTH // 2, MAX_LENGTH)
    beyond = (MAX_LENGTH * 4, MAX_LENGTH * 16, MAX_LENGTH * 64)
    head = "".join(f"{n:>9}" for n in sizes) + "".join(f"{f'luqum {n}':>13}" for n in beyond)
    print(f"{'shape (ms, best of 5)':26}{head}")
    worst = ("", 0.0)
    for name, shape in SHAPES.items():
        ours = [best_of(parse_query, shape(n)[:n]) for n in sizes]
        theirs = [best_of(luqum_parse, shape(n)[:n], runs=1) for n in beyond]
        worst = max(worst, (name, ours[-1]), key=lambda pair: pair[1])
        cells = "".join(f"{t * 1000:9.2f}" for t in ours) + "".join(f"{t * 1000:13.1f}" for t in theirs)
        print(f"{name:26}{cells}")
    print(f"slowest at the limit ({MAX_LENGTH} characters): {worst[0]}, {worst[1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
