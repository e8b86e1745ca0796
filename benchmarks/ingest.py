"""Ingest benchmark: synthetic items through dedup, matching and storage, on SQLite and PostgreSQL.

Compares the real pipeline (a poll stores a batch in one transaction) with a naive baseline (one transaction per
item) in the same run, and prints items per second and peak memory for each.

    python benchmarks/ingest.py --items 20000 --topics 100
    python benchmarks/ingest.py --db postgres --pg-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from earshot.adapters.storage import SqlStore, create_engine, migrate
from earshot.bot.domain import Conversation, Feed, FetchResult, Topic
from earshot.bot.finding.matching import TopicIndex, compile_topics
from earshot.bot.finding.polling import Poller, PollPolicy
from earshot.bot.ports import NewAlert

TOPIC_WORDS = tuple(
    "postgres sqlite rust python kubernetes docker vector database search index query latency cache redis kafka "
    "queue stream deploy cloud server client browser react vue svelte typescript compiler linker memory thread "
    "async await tokio actor model embedding retrieval ranking benchmark profile trace metric alert dashboard "
    "team hiring startup pricing billing invoice customer support feedback roadmap release migration schema".split()
)
BATCH = 200


def filler(rng: random.Random, count: int) -> str:
    """Ordinary words that no topic asks for (a 5,000-word vocabulary), with a topic word now and then."""
    words = [f"w{rng.randrange(5000)}" if rng.random() > 0.004 else rng.choice(TOPIC_WORDS) for _ in range(count)]
    return " ".join(words)


def synthetic_items(count: int, seed: int = 7) -> list[Conversation]:
    """About 1 KB each; 10% repeat an earlier item, 5% are an earlier conversation under another id."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    items: list[Conversation] = []
    for i in range(count):
        roll = rng.random()
        if items and roll < 0.10:
            items.append(rng.choice(items))
            continue
        url = f"https://forum.example.com/t/{i}"
        if items and roll < 0.15:
            url = rng.choice(items).url
        title = filler(rng, 10).capitalize() + "?"
        body = filler(rng, 200)[:1000]
        items.append(
            Conversation(
                "rss",
                f"item-{i}",
                url,
                title,
                body,
                author=f"user{i % 97}",
                created_at=now - timedelta(seconds=count - i),
                thread_size=i % 13,
            )
        )
    return items


def synthetic_topics(count: int, seed: int = 11) -> list[Topic]:
    """Topics of the shapes teams write: phrases, alternatives, exclusions."""
    rng = random.Random(seed)
    topics = []
    for i in range(count):
        a, b, c, d = rng.sample(TOPIC_WORDS, 4)
        query = [f'"{a} {b}" OR {c}', f"{a} AND ({b} OR {c}) -{d}", f"{a} {b}"][i % 3]
        topics.append(Topic(f"topic-{i}", query, origin="cli"))
    return topics


class ListSource:
    """A source answering each fetch with the next batch of a list."""

    kind = "rss"

    def __init__(self, items: list[Conversation]) -> None:
        self.batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]

    def check(self, feed: Feed) -> None:
        """Anything goes."""

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """The next batch (none while seeding)."""
        if seeding or not self.batches:
            return FetchResult([], cursor)
        return FetchResult(self.batches.pop(0), cursor)


async def fresh_store(url: str) -> tuple[SqlStore, Any]:
    """A migrated, empty database with the topics and one seeded feed."""
    await migrate.upgrade(url)
    engine = create_engine(url)
    return SqlStore(engine), engine


async def add_fixtures(store: SqlStore, topics: list[Topic]) -> None:
    now = datetime.now(UTC)
    async with store.unit() as unit:
        for topic in topics:
            await unit.add_topic(topic)
        await unit.add_feed(Feed("bench", "rss", timedelta(minutes=1), url="https://example.com/feed"), now)


async def run_pipeline(url: str, items: list[Conversation], topics: list[Topic]) -> tuple[float, int]:
    """The real path: lease, fetch, dedup, match, write a batch per transaction, finish the poll."""
    store, engine = await fresh_store(url)
    await add_fixtures(store, topics)
    source = ListSource(items)
    poller = Poller(store, {"rss": source}, lambda: datetime.now(UTC), "bench", PollPolicy(jitter=0))
    await poller.poll(names=["bench"], due_only=False)  # the first poll seeds
    alerts = 0
    start = time.perf_counter()
    while source.batches:
        for report in await poller.poll(names=["bench"], due_only=False):
            assert report.ok, report.error
            alerts += report.alerts
    elapsed = time.perf_counter() - start
    await engine.dispose()
    return elapsed, alerts


async def run_baseline(url: str, items: list[Conversation], topics: list[Topic]) -> tuple[float, int]:
    """The naive path: one transaction per item (insert, match, write its alerts)."""
    store, engine = await fresh_store(url)
    await add_fixtures(store, topics)
    compiled = TopicIndex(compile_topics(topics))
    alerts = 0
    start = time.perf_counter()
    for item in items:
        async with store.unit() as unit:
            now = datetime.now(UTC)
            for cid, conversation in await unit.insert_conversations([item], "bench", now):
                found = [
                    NewAlert(cid, t.name, t.channel, m.terms, m.score) for t, m in compiled.match(conversation, "bench")
                ]
                alerts += await unit.insert_alerts(found, now) if found else 0
    elapsed = time.perf_counter() - start
    await engine.dispose()
    return elapsed, alerts


async def measure(label: str, runner: Any, url: str, items: list[Conversation], topics: list[Topic]) -> float:
    """Run one path and print its rate; this process runs only this path, so its peak RSS is the path's."""
    elapsed, alerts = await runner(url, items, topics)
    rate = len(items) / elapsed
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {label:<28} {rate:>9,.0f} items/s  {elapsed:6.2f} s  {alerts:>6} alerts  peak RSS {peak:6.0f} MiB")
    return rate


async def postgres_database(server_url: str) -> tuple[str, Any]:
    """A throwaway database on the server; returns its URL and a function that drops it."""
    name = f"earshot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = server_url.rpartition("/")

    async def drop() -> None:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    return f"{base}/{name}", drop


PATHS = {"pipeline": ("pipeline (batch per poll)", run_pipeline), "baseline": ("baseline (txn per item)", run_baseline)}


async def run_phase(args: argparse.Namespace) -> None:
    """One path on one database, in this process."""
    count = args.items if args.phase == "pipeline" else args.baseline_items
    items = synthetic_items(args.items)[:count]
    topics = synthetic_topics(args.topics)
    label, runner = PATHS[args.phase]
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            rate = await measure(label, runner, f"sqlite+aiosqlite:///{tmp}/bench.db", items, topics)
    else:
        url, drop = await postgres_database(args.pg_url)
        try:
            rate = await measure(label, runner, url, items, topics)
        finally:
            await drop()
    print(f"RATE {rate}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--baseline-items", type=int, default=3_000, help="the naive path is slow; fewer items")
    parser.add_argument("--topics", type=int, default=100)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--phase", choices=sorted(PATHS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        asyncio.run(run_phase(args))
        return
    print(f"{args.items} items (~1 KB, 15% duplicates), {args.topics} topics, batches of {BATCH}")
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        print(db)
        rates = []
        for phase in ("pipeline", "baseline"):
            argv = [sys.executable, __file__, "--phase", phase, "--db", db, "--items", str(args.items)]
            argv += [
                "--baseline-items",
                str(args.baseline_items),
                "--topics",
                str(args.topics),
                "--pg-url",
                args.pg_url,
            ]
            out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
            print("".join(line + "\n" for line in out.splitlines() if not line.startswith("RATE")), end="")
            rates.append(float(out.rsplit("RATE ", 1)[1]))
        print(f"  pipeline / baseline: {rates[0] / rates[1]:.1f}x")


if __name__ == "__main__":
    main()
