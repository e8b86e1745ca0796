"""Two `earshot run --once` processes at the same moment on one database: nothing polled twice into alerts,
nothing delivered twice, nothing lost; on PostgreSQL (leases with SKIP LOCKED) and on SQLite (one writer at a time).
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from adapters.storage import SqlStore
from bot.domain import Conversation
from bot.ports import NewAlert
from tests.e2e.conftest import Earshot
from tests.e2e.test_run_once import config, now
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.http_server import Reply, Request
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
        out, err = process.communicate(timeout=60)
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
