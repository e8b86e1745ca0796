"""Replicas on one database.

Two `earshot run --once` processes at the same moment on one database: nothing polled twice into alerts,
nothing delivered twice, nothing lost; on PostgreSQL (leases with SKIP LOCKED) and on SQLite (one writer at a time).
Three long-running `earshot run` processes on PostgreSQL: each feed polled once per interval between them, each
alert delivered once; and three processes racing claims: one holder per alert.
"""

from __future__ import annotations

import itertools
import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Conversation
from earshot.bot.ports import NewAlert
from tests.e2e.conftest import DEADLINE, Earshot, wait_for
from tests.e2e.test_run_once import config, now
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.feeds import FakeRss, RssItem
from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fakes.webhook import WebhookReceiver

ROUNDS = 3
HITS = 20
# Small delivery batches, so that two senders interleave.
DELIVERY = "[delivery]\n        batch = 3\n"


def side_by_side(earshot: Earshot, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess[str]]:
    """Start the commands together and wait for all of them."""
    started = [earshot.start(*argv) for argv in commands]
    done = []
    for process in started:
        out, err = process.communicate(timeout=DEADLINE)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def add_hits(algolia: FakeAlgolia, first: int) -> set[str]:
    """HITS new stories matching the "databases" topic (and no other); their conversation URLs."""
    t = now()
    ids = range(first, first + HITS)
    algolia.hits.extend(algolia_hit(i, t - 30 + (i - first), title=f"Postgres question {i}", points=1) for i in ids)
    return {f"https://news.ycombinator.com/item?id={i}" for i in ids}


def numbers(pattern: str, text: str) -> int:
    """The sum of every number ``pattern`` captures in ``text``."""
    return sum(int(n) for n in re.findall(pattern, text))


async def waiting_alerts(store: SqlStore, round_: int) -> set[str]:
    """HITS alerts already in the outbox, as a process that wrote them and died before sending leaves them."""
    items = [
        Conversation("rss", f"waiting-{round_}-{i}", f"https://blog.example.com/{round_}/{i}", f"Postgres post {i}")
        for i in range(HITS)
    ]
    at = datetime.now(UTC)
    async with store.unit() as unit:
        stored = await unit.insert_conversations(items, "blog", at)
        await unit.insert_alerts([NewAlert(cid, "databases", "db-talk", ("postgres",), 1) for cid, _ in stored], at)
    return {item.url for item in items}


def slowly(request: Request, payload: dict[str, Any]) -> Reply | None:
    """The receiver takes each alert after a moment, so that two senders overlap."""
    time.sleep(0.02)
    return None


async def test_two_processes_at_once_poll_once_and_deliver_every_alert_exactly_once(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver, store: SqlStore
) -> None:
    # On SQLite a second `earshot run` is refused while one runs (tests/e2e/test_one_run.py): one process per file.
    postgres_only(earshot.database_url)
    algolia.hits.append(algolia_hit(1, now() - 600, title="Postgres seed", points=1))
    earshot.write_config(config(algolia, [], hook, extra=DELIVERY))  # `store` has migrated the database
    seed = earshot("run", "--once")
    assert seed.returncode == 0, seed.stderr

    expected: set[str] = set()
    hook.script = slowly
    for round_ in range(ROUNDS):
        # New hits that neither process has polled: both race for the feed ...
        fresh = add_hits(algolia, 1000 * (round_ + 1))
        # ... and alerts already waiting in the outbox: both senders race for them from their first batch.
        waiting = await waiting_alerts(store, round_)
        expected |= fresh | waiting

        runs = side_by_side(earshot, ("run", "--once"), ("run", "--once"))
        for run in runs:
            assert run.returncode == 0, run.stderr
            assert "Traceback" not in run.stderr and "locked" not in run.stderr, run.stderr
        both = "".join(run.stderr for run in runs)
        assert numbers(r"feed hn: ok, \d+ fetched, \d+ new, (\d+) alerts", both) == HITS  # written once
        assert numbers(r"(\d+) alerts delivered", both) == 2 * HITS  # sent once, between them

        alerts = hook.alerts()
        repeats = {alert_id: n for alert_id, n in Counter(a["alert_id"] for a in alerts).items() if n > 1}
        assert repeats == {}, f"round {round_ + 1}: alerts delivered more than once: {repeats}"
        assert len(alerts) == 2 * HITS * (round_ + 1)
        assert {a["url"] for a in alerts} == expected
        assert {a["topic"] for a in alerts} == {"databases"}


# Three long-running replicas on one PostgreSQL database.

INTERVAL = 30  # seconds: the shortest feed interval Earshot accepts
REPLICA_FEEDS = 3
OBSERVE = 2 * INTERVAL + 12  # the first poll, two intervals, and some slack


def postgres_only(database_url: str) -> None:
    """Skip on SQLite: several long-running processes sharing one database is what PostgreSQL is for."""
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "several processes on one database need PostgreSQL (on SQLite, one earshot run per file); "
            "set EARSHOT_TEST_DATABASE_URL=postgresql+asyncpg://... to run it"
        )


@pytest.mark.slow
def test_three_replicas_poll_each_feed_once_per_interval_and_deliver_each_alert_once(
    earshot: Earshot, server: FakeHttpServer, hook: WebhookReceiver, database_url: str
) -> None:
    postgres_only(database_url)
    fetched: dict[str, list[float]] = {}
    feeds = [FakeRss(server, f"/replica/{n}.xml") for n in range(REPLICA_FEEDS)]
    for feed in feeds:
        serve = feed._serve

        def counted(request: Request, serve: Callable[[Request], Reply] = serve) -> Reply:
            fetched.setdefault(request.path, []).append(time.monotonic())
            return serve(request)

        server.route("GET", feed.path, counted)
    tables = "".join(
        f'\n[[feeds]]\nname = "r{n}"\nkind = "rss"\nurl = "{feed.url}"\nevery = "{INTERVAL}s"\n'
        for n, feed in enumerate(feeds)
    )
    earshot.write_config(
        f"""
[chat]
platform = "webhook"
channel = "general"
webhook_url = "{hook.url}"

[fetch]
allow_private = ["127.0.0.1"]

[schedule]
jitter = 0.0

[delivery]
every = "1s"
batch = 3
{tables}
[[topics]]
name = "databases"
query = "postgres"
min_score = 0
"""
    )
    earshot.upgrade()
    hook.script = slowly
    replicas = [earshot.start("run") for _ in range(3)]
    try:
        # Every feed seeded (by one of them: its first poll records what is there); then items appear.
        wait_for(lambda: len(fetched) == REPLICA_FEEDS)
        started = time.monotonic()
        n = 0
        while time.monotonic() - started < OBSERVE:
            for feed in feeds:
                n += 1
                feed.items.append(RssItem(f"g{n}", f"Postgres question {n}", f"http://example.com/q/{n}"))
            time.sleep(3)
        last_added = time.monotonic()
        # Let every feed's next turn pick up the last items, and deliver them.
        deadline = last_added + INTERVAL + 15
        while time.monotonic() < deadline and len({a["alert_id"] for a in hook.alerts()}) < n:
            time.sleep(0.5)
    finally:
        for process in replicas:
            process.send_signal(signal.SIGTERM)
        logs = []
        for process in replicas:
            logs.append(process.communicate(timeout=DEADLINE)[1])
    for process, log in zip(replicas, logs, strict=True):
        assert process.returncode == 0, log
        assert "Traceback" not in log, log

    # Polled once per interval between the three: within the observed span each feed was fetched about once per
    # 30 s (three processes each polling on their own would make three times as many), never twice at once.
    for feed in feeds:
        times = fetched[feed.path]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) <= (times[-1] - times[0]) / INTERVAL + 2, (feed.path, gaps)
        assert all(gap > INTERVAL / 2 for gap in gaps), (feed.path, gaps)
        assert len(times) >= 3, (feed.path, gaps)  # the seeding poll and at least two more turns
    polled_by = [sum(log.count(f"feed r{i}: ") for i in range(REPLICA_FEEDS)) for log in logs]
    assert sum(polled_by) == sum(len(t) for t in fetched.values())

    alerts = hook.alerts()
    repeats = {alert_id: k for alert_id, k in Counter(a["alert_id"] for a in alerts).items() if k > 1}
    assert repeats == {}
    missing = {f"http://example.com/q/{i}" for i in range(1, n + 1)} - {a["url"] for a in alerts}
    when = {path: [round(t - last_added, 1) for t in times] for path, times in fetched.items()}
    assert missing == set(), f"{sorted(missing)}; fetches relative to the last item added: {when}"
    assert len(alerts) == n
    delivered_by = [sum(int(k) for k in re.findall(r"delivered (\d+) alert", log)) for log in logs]
    assert sum(delivered_by) == n


CLAIMER = """
import asyncio, json, pathlib, random, sys
from earshot.adapters.storage import SqlStore
from datetime import UTC, datetime

async def main(url, actor, ids, barrier):
    store = SqlStore.from_url(url)
    async with store.unit() as unit:  # connected before the race starts
        await unit.get_alert(ids[0])
    # A barrier: each says it is ready, and all start once all three are.
    pathlib.Path(barrier, actor).touch()
    while len(list(pathlib.Path(barrier).iterdir())) < 3:
        await asyncio.sleep(0.005)
    results = {}
    random.shuffle(ids)  # each in its own order, so that they collide all along rather than take turns
    for alert_id in ids:
        async with store.unit() as unit:
            result = await unit.claim(alert_id, actor, datetime.now(UTC))
        results[alert_id] = [result.won, result.holder]
    await store.close()
    print(json.dumps(results))

asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]))
"""


async def test_three_processes_racing_claims_each_alert_gets_exactly_one_holder(
    earshot: Earshot, store: SqlStore, database_url: str
) -> None:
    postgres_only(database_url)
    items = [Conversation("rss", f"claim-{i}", f"https://blog.example.com/c/{i}", f"Postgres {i}") for i in range(150)]
    at = datetime.now(UTC)
    async with store.unit() as unit:
        stored = await unit.insert_conversations(items, "blog", at)
        await unit.insert_alerts([NewAlert(cid, "databases", None, ("postgres",), 1) for cid, _ in stored], at)
    async with store.unit() as unit:
        ids = sorted([a.id for a in await unit.lease_alerts(at, "reader", timedelta(seconds=1), 200)])
    assert len(ids) == 150
    barrier = earshot.workdir / "barrier"
    barrier.mkdir()
    argv = [sys.executable, "-c", CLAIMER, database_url]
    processes = [
        subprocess.Popen(
            [*argv, f"actor-{p}", json.dumps(ids), str(barrier)],
            env=earshot.env(),
            cwd=earshot.workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(3)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=DEADLINE)
        assert process.returncode == 0, err
        results.append({int(k): v for k, v in json.loads(out).items()})
    for alert_id in ids:
        answers = [r[alert_id] for r in results]
        winners = [i for i, (won, _) in enumerate(answers) if won]
        assert len(winners) == 1, (alert_id, answers)
        holder = f"actor-{winners[0]}"
        assert {h for _, h in answers} == {holder}, (alert_id, answers)  # the losers learn who holds it
    async with store.unit() as unit:
        for alert_id in ids:
            alert = await unit.get_alert(alert_id)
            assert alert is not None
            assert alert.claimed_by == next(f"actor-{i}" for i, r in enumerate(results) if r[alert_id][0])
    # The race really interleaved: more than one process won some.
    assert sum(1 for r in results if any(r[i][0] for i in ids)) >= 2
