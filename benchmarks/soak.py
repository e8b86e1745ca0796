"""Soak benchmark: the real Runner (APScheduler, Poller, Deliverer, safe HTTP, RSS source, webhook chat, SQL store)
running for minutes at a high rate, printing memory, tasks, throughput and delay as it goes.

Fake RSS feeds and the webhook receiver run in a child process (so that the bot's memory is the bot's alone):
the feeds publish items at ``--rate`` per second, the receiver notes when each alert arrives, and the delay of
an alert is the time from its item appearing at the feed to its arrival at the webhook. Feeds are polled every
``--every`` seconds (shorter than the config file allows, which is the point of a soak).

    python benchmarks/soak.py --minutes 6 --rate 40 --feeds 8
    python benchmarks/soak.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import math
import multiprocessing
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from earshot.adapters.chat.webhook import WebhookChat
from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.scheduling import Runner
from earshot.adapters.sources import build_sources
from earshot.adapters.storage import SqlStore, create_engine, migrate
from earshot.bot.delivering.outbox import Deliverer, DeliveryPolicy
from earshot.bot.domain import Feed, Topic
from earshot.bot.finding.polling import Poller, PollPolicy

WORDS = ("postgres", "rust", "kafka", "kubernetes", "weather")  # the last matches no topic
WINDOW = 300  # items a feed shows at once (newest first), as busy feeds do
DELIVERY_EVERY = 0.5  # seconds between delivery rounds


# ---------------------------------------------------------------------------------------------------------------
# The child process: feeds and webhook on aiohttp.


def _serve(port_out: Any, rate: float, feeds: int) -> None:
    from aiohttp import web

    started = time.time()
    delays: list[float] = []
    received = 0
    seen: set[int] = set()
    repeats = 0

    def appeared(index: int) -> float:
        return started + index / rate

    async def feed(request: web.Request) -> web.Response:
        number = int(request.match_info["n"])
        newest = int((time.time() - started) * rate)
        indexes = [i for i in range(newest, max(-1, newest - WINDOW * feeds), -1) if i % feeds == number][:WINDOW]
        items = []
        for i in indexes:
            word = WORDS[i % len(WORDS)]
            published = format_datetime(datetime.fromtimestamp(appeared(i), UTC))
            items.append(
                f"<item><title>A {word} question, number {i}</title><link>http://example.com/i/{i}</link>"
                f"<description>Which {word} setup would you pick for this?</description>"
                f"<pubDate>{published}</pubDate><guid>item-{i}</guid></item>"
            )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {number}</title>{"".join(items)}'
        return web.Response(text=body + "</channel></rss>", content_type="application/rss+xml")

    async def hook(request: web.Request) -> web.Response:
        nonlocal received, repeats
        payload = await request.json()
        if payload.get("type") == "alert":
            index = int(payload["url"].rsplit("/", 1)[1])
            if index in seen:
                repeats += 1
            else:
                seen.add(index)
                received += 1
                delays.append(time.time() - appeared(index))
        return web.json_response({"ok": True})

    async def stats(request: web.Request) -> web.Response:
        taken = list(delays)
        delays.clear()
        return web.json_response({"received": received, "repeats": repeats, "delays": taken})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed)
        app.router.add_post("/hook", hook)
        app.router.add_get("/stats", stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_out.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


# ---------------------------------------------------------------------------------------------------------------
# The bot, in this process.


def rss_mb() -> float:
    """Resident memory of this process now, in MB (from /proc; ru_maxrss would only give the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Sample:
    """One look at the running bot: seconds since start, memory, tasks, alerts so far, their rate and delays."""

    at: float
    rss: float
    tasks: int
    delivered: int
    rate: float
    p50: float
    p95: float


async def soak(args: argparse.Namespace, base: str) -> tuple[Sample, list[Sample]]:
    """The baseline (the bot built, before any load) and the samples of the run."""
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/soak.db"
    await migrate.upgrade(url)
    store = SqlStore(create_engine(url))
    now = datetime.now(UTC)
    async with store.unit() as unit:
        for word in WORDS[:-1]:
            await unit.add_topic(Topic(word, word, channel=f"{word}-talk", min_score=0))
        for n in range(args.feeds):
            await unit.add_feed(Feed(f"f{n}", "rss", timedelta(seconds=args.every), url=f"{base}/feed/{n}.xml"), now)
    http = SafeHttp(FetchPolicy(allow_private=("127.0.0.1",), max_bytes=20 * 1024**2))
    clock = lambda: datetime.now(UTC)  # noqa: E731
    poller = Poller(store, build_sources(http, {}), clock, "soak", PollPolicy(jitter=0.1, concurrency=4))
    chat = WebhookChat(http, f"{base}/hook", "general")
    deliverer = Deliverer(store, chat, clock, "soak", DeliveryPolicy(batch=50))
    runner = Runner(store, poller, deliverer, clock, timedelta(seconds=DELIVERY_EVERY))
    gc.collect()
    baseline = Sample(0.0, rss_mb(), len(asyncio.all_tasks()), 0, 0.0, float("nan"), float("nan"))
    stop = asyncio.Event()
    running = asyncio.create_task(runner.run(stop))
    samples: list[Sample] = []
    started = time.monotonic()
    last_count, last_at = 0, started
    print(f"{'t (s)':>6} {'RSS MB':>8} {'tasks':>6} {'delivered':>10} {'alerts/s':>9} {'p50 s':>7} {'p95 s':>7}")
    async with httpx.AsyncClient() as probe:
        while time.monotonic() - started < args.minutes * 60:
            await asyncio.sleep(args.sample)
            stats = (await probe.get(f"{base}/stats")).json()
            gc.collect()
            at = time.monotonic()
            sample = Sample(
                at=at - started,
                rss=rss_mb(),
                tasks=len(asyncio.all_tasks()),
                delivered=stats["received"],
                rate=(stats["received"] - last_count) / (at - last_at),
                p50=percentile(stats["delays"], 50),
                p95=percentile(stats["delays"], 95),
            )
            last_count, last_at = stats["received"], at
            samples.append(sample)
            print(
                f"{sample.at:6.0f} {sample.rss:8.1f} {sample.tasks:6d} {sample.delivered:10d} {sample.rate:9.1f} "
                f"{sample.p50:7.2f} {sample.p95:7.2f}",
                flush=True,
            )
        repeats = (await probe.get(f"{base}/stats")).json()["repeats"]
    stop.set()
    await running
    await http.aclose()
    await store.close()
    print(f"alerts delivered twice: {repeats}")
    return baseline, samples


WARM_UP_MIN = 60.0  # seconds: imports, caches and the first polls, at the least
JUDGED_MIN = 180.0  # seconds after the warm-up: fewer samples than this cannot tell a trend from noise
FLAT = 0.05  # memory is flat when it moves less than 5% over the judged span


def warm_up_seconds(rate: float, feeds: int) -> float:
    """How long the run warms up: at least a minute, and two and a half times as long as every feed's window of
    WINDOW items takes to fill. Measured (40 items/s, 8 feeds: windows full at 60 s): memory climbs while the
    windows fill, peaks until about 95 s while the first backlog is stored and sent, and settles by about 145 s."""
    return max(WARM_UP_MIN, 2.5 * WINDOW * feeds / rate)


def verdict(samples: list[Sample], warm_up: float, judged_min: float = JUDGED_MIN) -> str:
    """Whether memory stays flat after the warm-up, or why the run cannot tell yet."""
    judged = [s for s in samples if s.at >= warm_up]
    span = judged[-1].at - judged[0].at if judged else 0.0
    if len(judged) < 3 or span < judged_min:
        needed = math.ceil((warm_up + judged_min) / 60)
        return (
            f"too short to judge (needs at least {needed} minutes: {warm_up:.0f} s of warm-up, "
            f"then {judged_min:.0f} s watched; run with --minutes {needed})"
        )
    first, last = judged[0], judged[-1]
    growth = last.rss - first.rss
    slope = statistics.linear_regression([s.at / 60 for s in judged], [s.rss for s in judged]).slope
    # A leak grows: both the end-to-end change and the fitted trend over the span must stay under FLAT (a sawtooth
    # of collections ends anywhere; a leak climbs steadily). Memory given back is not a leak, and is said.
    trend = slope * span / 60
    if growth > FLAT * first.rss or trend > FLAT * first.rss:
        judged_as = "NOT flat (growing)"
    elif growth < -FLAT * first.rss:
        judged_as = "falling, not growing"
    else:
        judged_as = "flat (within 5%)"
    return (
        f"after warm-up ({first.at:.0f} s) {first.rss:.1f} MB -> end ({last.at:.0f} s) {last.rss:.1f} MB "
        f"({growth:+.1f} MB; trend {slope:+.2f} MB/min): {judged_as}"
    )


def summary(samples: list[Sample], baseline: Sample, args: argparse.Namespace) -> None:
    """The figures of the run, against the baseline measured before its load."""
    warm_up = warm_up_seconds(args.rate, args.feeds)
    warm = [s for s in samples if s.at >= warm_up]
    shown = warm or samples  # a run too short to judge still prints what it saw, said to be warming up
    when = "after warm-up" if warm else "while warming up"
    matching = args.rate * (len(WORDS) - 1) / len(WORDS)
    steady = statistics.mean(s.rate for s in shown)
    # What the intervals alone cost on average: half a poll interval to be seen, half a delivery round to go out.
    expected = args.every / 2 + DELIVERY_EVERY / 2
    p50 = statistics.median(s.p50 for s in shown)
    p95 = statistics.median(s.p95 for s in shown)
    print()
    print(f"baseline, measured before the load in this run: RSS {baseline.rss:.1f} MB, {baseline.tasks} tasks")
    print(f"items published: {args.rate:.0f}/s, of which {len(WORDS) - 1} in {len(WORDS)} match a topic")
    print(f"alerts delivered: {steady:.1f}/s on average {when}, against {matching:.1f}/s matching items published")
    print(
        f"delay p50 {p50:.2f} s, p95 {p95:.2f} s (median over samples {when}; "
        f"the poll and delivery intervals alone give about {expected:.2f} s)"
    )
    print(f"tasks: {min(s.tasks for s in shown)}..{max(s.tasks for s in shown)} (baseline {baseline.tasks})")
    peak = max(s.rss for s in samples)
    print(
        f"RSS: baseline {baseline.rss:.1f} MB, first sample {samples[0].rss:.1f} MB, "
        f"peak {peak:.1f} MB ({peak - baseline.rss:+.1f} MB over baseline)"
    )
    print(f"RSS {verdict(samples, warm_up)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=6.0, help="6 or more to judge memory after the warm-up")
    parser.add_argument("--rate", type=float, default=40.0, help="items published per second, all feeds together")
    parser.add_argument("--feeds", type=int, default=8)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between polls of a feed")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    # A delivery round that outlasts its 0.5 s interval makes APScheduler skip a turn and say so: expected here.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=_serve, args=(send, args.rate, args.feeds), daemon=True)
    child.start()
    port = receive.recv()
    try:
        baseline, samples = asyncio.run(soak(args, f"http://127.0.0.1:{port}"))
    finally:
        child.terminate()
        child.join(5)
    if not samples:
        sys.exit("no samples: run for longer than --sample seconds")
    summary(samples, baseline, args)


if __name__ == "__main__":
    main()
