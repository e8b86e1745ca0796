"""`earshot run` (long-running) end to end: it polls and delivers on its own, and SIGTERM or Ctrl-C stop it cleanly."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from tests.e2e.conftest import Earshot, wait_for
from tests.e2e.test_run_once import config, now
from tests.fakes.algolia import PATH as ALGOLIA_PATH
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.feeds import FakeRss
from tests.fakes.http_server import Reply, Request
from tests.fakes.webhook import WebhookReceiver

# Deliver every second, and retry a refused alert one second later (the default waits are 5 s and up).
FAST_DELIVERY = '[delivery]\n        every = "1s"\n        max_backoff = "1s"\n'
SEEDED = "first poll: recorded what is there"


@dataclass
class Service:
    """A running `earshot run` whose log (standard error) is read as it comes."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    @property
    def log(self) -> str:
        """Standard error so far."""
        return "".join(self.lines)

    def stop(self, sig: int, timeout: float = 10) -> int:
        """Send ``sig``, wait for the exit, return the exit code."""
        self.process.send_signal(sig)
        code = self.process.wait(timeout)
        self._reader.join(5)
        return code


@contextmanager
def service(earshot: Earshot) -> Iterator[Service]:
    """`earshot run`, killed at the end if the test left it running."""
    process = earshot.start("run")
    try:
        yield Service(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def configured(earshot: Earshot, algolia: FakeAlgolia, blog: FakeRss, hook: WebhookReceiver) -> None:
    """Config written (Hacker News and one blog, a webhook), schema migrated, nothing polled yet."""
    algolia.hits.append(algolia_hit(1, now() - 100, title="Postgres seed", points=1))
    earshot.write_config(config(algolia, [blog], hook, extra=FAST_DELIVERY))
    earshot.upgrade()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_polls_new_feeds_at_once_then_stops_cleanly_on_a_signal(
    earshot: Earshot, algolia: FakeAlgolia, blog: FakeRss, hook: WebhookReceiver, sig: signal.Signals
) -> None:
    configured(earshot, algolia, blog, hook)
    with service(earshot) as running:
        wait_for(lambda: running.log.count(SEEDED) == 2)  # both new feeds seeded, without waiting their interval
        assert algolia.server.hits(ALGOLIA_PATH)
        assert running.process.poll() is None  # it keeps running
        started = time.monotonic()
        code = running.stop(sig)
        assert time.monotonic() - started < 10
    assert code == 0, running.log
    assert "stopped" in running.log
    assert "Traceback" not in running.log
    assert hook.alerts() == []  # seeding alerts nothing


def test_run_delivers_on_its_own_what_an_earlier_run_could_not(
    earshot: Earshot, algolia: FakeAlgolia, blog: FakeRss, hook: WebhookReceiver
) -> None:
    configured(earshot, algolia, blog, hook)
    assert earshot("run", "--once").returncode == 0  # seeds
    algolia.hits.append(algolia_hit(2, now() - 5, title="Postgres in production", points=3))
    hook.script = lambda request, payload: Reply(400, b"receiver misconfigured")
    refused = earshot("run", "--once")
    assert refused.returncode == 0, refused.stderr
    assert "1 delivery failures, 1 waiting" in refused.stderr

    hook.script = None
    with service(earshot) as running:
        wait_for(lambda: "delivered 1 alert(s)" in running.log)  # posted and marked, on the delivery schedule
        code = running.stop(signal.SIGTERM)
    assert code == 0, running.log
    assert "Traceback" not in running.log
    assert [a["url"] for a in hook.alerts()] == ["https://news.ycombinator.com/item?id=2"]


def test_sigterm_during_a_poll_lets_it_finish_and_loses_nothing(
    earshot: Earshot, algolia: FakeAlgolia, blog: FakeRss, hook: WebhookReceiver
) -> None:
    configured(earshot, algolia, blog, hook)
    held, release = threading.Event(), threading.Event()

    def slow_search(request: Request) -> Reply:
        held.set()
        release.wait(10)
        return algolia._search(request)

    algolia.server.route("GET", ALGOLIA_PATH, slow_search)
    try:
        with service(earshot) as running:
            wait_for(held.is_set)
            running.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            still_running = running.process.poll() is None
            release.set()
            code = running.stop(signal.SIGTERM)
    finally:
        release.set()
    assert "Traceback" not in running.log
    assert still_running, "the process exited before the poll in hand finished"
    assert code == 0, running.log
    assert "stopped" in running.log

    assert "finishing" in running.log
    # The first poll, under way at the signal, was recorded and the feed's lease released: the next run polls the
    # feed and alerts what is new since. (Were that poll cancelled instead, the feed would stay leased by the dead
    # process for [schedule] lease and be polled by nobody meanwhile.)
    algolia.server.route("GET", ALGOLIA_PATH, algolia._search)
    algolia.hits.append(algolia_hit(2, now() - 5, title="Postgres in production", points=3))
    again = earshot("run", "--once")
    assert again.returncode == 0, again.stderr
    assert [a["url"] for a in hook.alerts()] == ["https://news.ycombinator.com/item?id=2"]
