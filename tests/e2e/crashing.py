"""What the crash harnesses share: feeds that publish over time, the config around them, and kill-and-restart loops.

tests/e2e/test_crash.py (webhook, in threads) and test_crash_chat.py (Discord and Slack, whose fakes run in the
test's event loop, so their `earshot run` subprocesses are started, killed and awaited with asyncio) use them.

CI runs a small size; ``EARSHOT_FULL=1`` runs 1,500 items (1,050 matching (item, topic) pairs) and 30 kills.
``EARSHOT_CRASH_SEED`` fixes the kill moments.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from tests.e2e.conftest import DEADLINE, Earshot
from tests.fakes.feeds import RssItem, rss_document
from tests.fakes.http_server import FakeHttpServer, Reply, Request

FULL = os.environ.get("EARSHOT_FULL") == "1"
ITEMS = 1500 if FULL else 200
KILLS = 30 if FULL else 5
FEEDS = 8
# Topic word -> (topic, channel). One in ten items matches none of them.
TOPICS = {
    "postgres": ("databases", "db-talk"),
    "rust": ("rust", "rust-talk"),
    "kafka": ("streaming", "data-talk"),
    "kubernetes": ("infra", None),
}
WORDS = [*TOPICS, "weather"]
DEFAULT_CHANNEL = "general"  # [chat] channel: where the topic without a channel of its own posts
CHANNEL_NAMES = {DEFAULT_CHANNEL, *(channel for _, channel in TOPICS.values() if channel)}


def crash_rng() -> random.Random:
    """The random kill moments: seeded by ``EARSHOT_CRASH_SEED`` when set, else fresh each run."""
    return random.Random(int(os.environ.get("EARSHOT_CRASH_SEED", "0")) or None)


@dataclass
class DrippingFeeds:
    """FEEDS RSS feeds whose items appear one after another over ``window`` seconds from ``start()``."""

    server: FakeHttpServer
    window: float
    items: list[list[RssItem]] = field(default_factory=lambda: [[] for _ in range(FEEDS)])
    started: float | None = None
    fetches: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        base = datetime.now(UTC)
        for i in range(ITEMS):
            word = WORDS[i % len(WORDS)] if i % 10 else "weather"
            feed = i % FEEDS
            self.items[feed].append(
                RssItem(
                    guid=f"item-{i}",
                    title=f"A {word} question number {i}",
                    link=f"http://example.com/f{feed}/{i}",
                    description=f"Which {word} setup would you pick?",
                    published=base + timedelta(seconds=i * self.window / ITEMS),
                )
            )
        for feed in range(FEEDS):
            self.server.route("GET", self.path(feed), self._serve)

    def path(self, feed: int) -> str:
        """The path of feed number ``feed``."""
        return f"/feeds/{feed}.xml"

    def start(self) -> None:
        """Begin publishing."""
        self.started = time.monotonic()

    def visible(self, feed: int) -> list[RssItem]:
        """The items feed ``feed`` shows now."""
        if self.started is None:
            return []
        shown = int((time.monotonic() - self.started) / self.window * ITEMS) + 1
        return [item for item in self.items[feed] if int(item.guid.split("-")[1]) < shown]

    def all_published(self) -> bool:
        """Whether every item is out."""
        return self.started is not None and time.monotonic() - self.started > self.window

    def expected(self) -> set[tuple[str, str]]:
        """(link, topic) of every matching item."""
        found = set()
        for items in self.items:
            for item in items:
                word = item.title.split()[1]
                if word in TOPICS:
                    found.add((item.link, TOPICS[word][0]))
        return found

    def _serve(self, request: Request) -> Reply:
        feed = int(request.path.rsplit("/", 1)[1].split(".")[0])
        self.fetches[request.path] += 1
        body = rss_document(f"Feed {feed}", self.server.url("/"), self.visible(feed))
        return Reply(200, body, {"Content-Type": "application/rss+xml; charset=utf-8"})


def config(feeds: DrippingFeeds, chat: str) -> str:
    """The config: ``chat`` (the [chat] table and the platform's own), then short intervals and leases, so that
    restarts pick up what the killed process held, then the feeds and the topics routed to their channels."""
    feed_tables = "".join(
        f'\n[[feeds]]\nname = "feed{i}"\nkind = "rss"\nurl = "{feeds.server.url(feeds.path(i))}"\nevery = "30s"\n'
        for i in range(FEEDS)
    )
    topic_tables = "".join(
        f'\n[[topics]]\nname = "{topic}"\nquery = "{word}"\nmin_score = 0\n'
        + (f'channel = "{channel}"\n' if channel else "")
        for word, (topic, channel) in TOPICS.items()
    )
    return f"""
{chat.strip()}

[fetch]
allow_private = ["127.0.0.1"]

[schedule]
jitter = 0.5
lease = "30s"
concurrency = 4

[delivery]
every = "1s"
batch = 10
lease = "2s"
max_backoff = "2s"
{feed_tables}{topic_tables}"""


def wait_until(predicate: Callable[[], Any], timeout: float) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds pass; whether it became true (blocks the thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


async def until(predicate: Callable[[], Any], timeout: float) -> bool:
    """Like wait_until, in the event loop: the fakes serving in it keep answering while this waits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return False


async def start(earshot: Earshot, env: dict[str, str], log: IO[str], *args: str) -> asyncio.subprocess.Process:
    """`earshot ARGS` under asyncio, its output going to ``log`` (a file: a pipe nobody reads could block it)."""
    return await asyncio.create_subprocess_exec(
        *earshot.command(*args), cwd=earshot.workdir, env=env, stdout=log, stderr=log
    )


async def complete(earshot: Earshot, env: dict[str, str], log: IO[str], *args: str, timeout: float = DEADLINE) -> int:
    """Run `earshot ARGS` to its end under asyncio; its exit code."""
    process = await start(earshot, env, log, *args)
    return await asyncio.wait_for(process.wait(), timeout)


IN_FLIGHT_WAIT = 25.0  # seconds a run armed to die with a message in flight waits for one (polls come every 15-45s)


@dataclass
class Crasher:
    """Starts `earshot run` again and again and SIGKILLs it: at random moments, and (every other run, after a random
    while) at the moment a fake chat has stored one of its messages and not yet answered: the kill that only the
    platform's idempotency (Discord's nonce, a look in Slack's history) keeps from doubling a message.

    Give ``message_created`` to the fake as its hook; the fake runs in this event loop, so the kill lands before the
    fake answers."""

    earshot: Earshot
    env: dict[str, str]
    log: IO[str]
    rng: random.Random
    process: asyncio.subprocess.Process | None = None
    armed: bool = False
    kills: int = 0
    in_flight: int = 0  # kills made with a message stored at the fake and not yet answered

    def message_created(self, message: object) -> None:
        """The fake's hook: if armed, kill the run now, between the message being stored and its answer."""
        if self.armed and self.process is not None and self.process.returncode is None:
            self.armed = False
            self.process.kill()
            self.in_flight += 1

    async def kill_repeatedly(self, kills: int = KILLS) -> int:
        """Start and SIGKILL `earshot run` ``kills`` times; the number of kills made."""
        for made in range(kills):
            process = self.process = await start(self.earshot, self.env, self.log, "run")
            await asyncio.sleep(self.rng.uniform(0.8, 3.5))  # some kills land during start-up, most while it works
            if made % 2:
                self.armed = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(process.wait()), IN_FLIGHT_WAIT)
                self.armed = False
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            await asyncio.wait_for(process.wait(), 10)
            self.kills += 1
        return self.kills


async def stop(process: asyncio.subprocess.Process, timeout: float = DEADLINE) -> int:
    """SIGTERM a run and wait for it to exit; its exit code."""
    if process.returncode is None:
        process.terminate()
    return await asyncio.wait_for(process.wait(), timeout)


def traceback_excerpt(log_path: Path) -> str:
    """The log around its first Traceback (empty if there is none), for an assertion message."""
    output = log_path.read_text()
    at = output.find("Traceback")
    return "" if at < 0 else output[max(0, at - 500) :][:3000]
