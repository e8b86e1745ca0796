"""Statement-cache benchmark: memory and speed of storing polls of every batch size, with SQLite's prepared
statements cached as the driver does by default (128 per connection) and as Earshot bounds them, in one run.

Each poll stores a batch of new conversations through the real store (``insert_conversations``: one multi-row
INSERT per batch, a statement of its own for each batch size). Each setting runs in a fresh child process, so
the resident memory it reports is its own.

    python benchmarks/statements.py --sizes 300 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from earshot.adapters.storage import SqlStore, create_engine, engine, migrate
from earshot.bot.domain import Conversation

DRIVER_DEFAULT = 128


def rss_mb() -> float:
    """Resident memory now (not the peak), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def batch(start: int, size: int) -> list[Conversation]:
    """``size`` new conversations, numbered from ``start``."""
    text = "a conversation long enough to look like one, with words to match and a little more " * 3
    return [
        Conversation(
            source="hackernews",
            external_id=str(n),
            url=f"https://news.example.com/item?id={n}",
            title=f"Item {n}",
            text=text,
            author=f"author{n % 100}",
            link=f"https://blog.example.org/p/{n}",
        )
        for n in range(start, start + size)
    ]


async def phase(cache: int, sizes: int, rounds: int) -> None:
    """Store ``rounds`` polls of each batch size 1..``sizes``; print RSS before and after, and the time taken."""
    engine.STATEMENT_CACHE = cache
    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/statements.db"
    await migrate.upgrade(url)
    store = SqlStore(create_engine(url))
    now = datetime.now(UTC)
    async with store.unit() as unit:  # connect and warm up: the baseline is the store ready to work
        await unit.insert_conversations(batch(0, 1), "f", now)
    gc.collect()
    before = rss_mb()
    stored, n = 0, 10
    started = time.perf_counter()
    for _ in range(rounds):
        for size in range(1, sizes + 1):
            async with store.unit() as unit:
                stored += len(await unit.insert_conversations(batch(n, size), "f", now))
            n += size
    seconds = time.perf_counter() - started
    gc.collect()
    after = rss_mb()
    await store.close()
    print(f"{cache}\t{before:.1f}\t{after:.1f}\t{stored}\t{seconds:.2f}")


def main() -> None:
    """Run each setting in a child process and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, default=300, help="batch sizes 1..N, as polls of busy feeds return")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--phase", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase is not None:
        asyncio.run(phase(args.phase, args.sizes, args.rounds))
        return
    print(f"{args.rounds} x batches of 1..{args.sizes} conversations, one poll each (SQLite)")
    print(f"{'cached statements':<26} {'RSS before':>10} {'RSS after':>10} {'growth':>8} {'stored':>8} {'items/s':>9}")
    for cache, label in ((DRIVER_DEFAULT, "driver default"), (engine.STATEMENT_CACHE, "Earshot")):
        command = [sys.executable, __file__, "--phase", str(cache), "--sizes", str(args.sizes)]
        done = subprocess.run([*command, "--rounds", str(args.rounds)], capture_output=True, text=True, check=True)
        _, before, after, stored, seconds = done.stdout.split()
        growth = float(after) - float(before)
        rate = int(stored) / float(seconds)
        name = f"{cache} ({label})"
        print(f"{name:<26} {before:>7} MB {after:>7} MB {growth:+6.1f} MB {stored:>8} {rate:9.0f}")


if __name__ == "__main__":
    main()
