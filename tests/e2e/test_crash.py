"""Crash safety: the real `earshot run`, killed with SIGKILL at random moments while it ingests and delivers.

Several RSS feeds publish items over time (most match one of four topics routed to different channels), the
webhook receiver records every request with its Idempotency-Key, and the process is killed and restarted again
and again. At the end every matching item must have exactly one alert, every alert must have reached the
receiver, and no two alerts may carry the same item and topic.

A kill between the receiver's answer and the process marking the alert delivered makes the process send that
alert again after a restart, with the same Idempotency-Key: that is what the key is for, and the receiver drops
the repeat. Such repeats are counted and printed, not failed; a second *alert* for one item would fail.

CI runs a small size; ``EARSHOT_FULL=1`` runs 1,500 items (1,050 matching) and 30 kills; ``-s`` shows the counts.
The feeds, the config and the sizes are shared with the Discord and Slack harnesses (tests/e2e/crashing.py). Every
other run is killed, after a random while, at the moment the receiver has an alert and has not answered yet: the
kill that only the Idempotency-Key keeps from a second alert at the receiver.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from tests.e2e.conftest import DEADLINE, Earshot
from tests.e2e.crashing import (
    CHANNEL_NAMES,
    DEFAULT_CHANNEL,
    IN_FLIGHT_WAIT,
    ITEMS,
    KILLS,
    DrippingFeeds,
    config,
    crash_rng,
    wait_until,
)
from tests.fakes.http_server import FakeHttpServer, Reply, Request


@dataclass
class Receiver:
    """A webhook that keeps every request it answered 200, keyed by Idempotency-Key, as a receiver would."""

    server: FakeHttpServer
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    armed: subprocess.Popen[str] | None = None  # a run to SIGKILL when its next alert arrives, before the answer
    in_flight: int = 0  # kills made that way

    def __post_init__(self) -> None:
        self.server.route("POST", "/hook", self._receive)

    @property
    def url(self) -> str:
        """The webhook URL."""
        return self.server.url("/hook")

    def _receive(self, request: Request) -> Reply:
        import json

        payload = json.loads(request.body)
        time.sleep(0.004)  # a receiver takes a moment, so kills land while alerts are in flight
        if payload.get("type") == "alert":
            with self.lock:
                self.requests.append((request.headers.get("idempotency-key", ""), payload))
                run, self.armed = self.armed, None
            if run is not None:  # received, and the sender dies before it hears so: it must send it again
                run.send_signal(signal.SIGKILL)
                self.in_flight += 1
        return Reply(200, b'{"ok": true}', {"Content-Type": "application/json"})

    def arm(self, run: subprocess.Popen[str] | None) -> None:
        """Kill ``run`` when the next alert arrives (None: no longer)."""
        with self.lock:
            self.armed = run

    def by_key(self) -> dict[str, dict[str, Any]]:
        """Each alert once, as a receiver that drops repeats of a key holds them."""
        with self.lock:
            return {key: payload for key, payload in self.requests}

    def repeats(self) -> int:
        """Requests that repeated a key already received."""
        with self.lock:
            return len(self.requests) - len({key for key, _ in self.requests})


def webhook_config(feeds: DrippingFeeds, hook: Receiver) -> str:
    """The shared crash config, posting to the webhook ``hook``."""
    chat = f'[chat]\nplatform = "webhook"\nchannel = "{DEFAULT_CHANNEL}"\nwebhook_url = "{hook.url}"\n'
    return config(feeds, chat)


def start(earshot: Earshot, log: IO[str]) -> subprocess.Popen[str]:
    """`earshot run` with its log going to ``log`` (a file: a pipe nobody reads could block it)."""
    return subprocess.Popen(
        earshot.command("run"), cwd=earshot.workdir, env=earshot.env(), stdout=log, stderr=log, text=True
    )


@pytest.mark.slow
@pytest.mark.postgresql_pass  # two minutes of kills: CI runs it once, on PostgreSQL
def test_sigkill_at_random_moments_loses_nothing_and_doubles_nothing(earshot: Earshot, tmp_path: Path) -> None:
    rng = crash_rng()
    with FakeHttpServer() as server:
        feeds = DrippingFeeds(server, window=KILLS * 2.0)
        hook = Receiver(server)
        earshot.write_config(webhook_config(feeds, hook))
        earshot.upgrade()
        seeded = earshot("run", "--once")  # every feed's first poll: empty, alerts nothing
        assert seeded.returncode == 0, seeded.stderr

        feeds.start()
        log_path = tmp_path / "runs.log"
        kills = 0
        with log_path.open("w") as log:
            while kills < KILLS:
                process = start(earshot, log)
                time.sleep(rng.uniform(0.8, 3.5))  # some kills land during start-up, most while it works
                if kills % 2:  # every other run dies with an alert received and not yet answered
                    hook.arm(process)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(IN_FLIGHT_WAIT)
                    hook.arm(None)
                process.send_signal(signal.SIGKILL)  # nothing if the receiver killed it already
                process.wait(10)
                kills += 1
            assert wait_until(feeds.all_published, KILLS * 2.0 + 5)
            final = start(earshot, log)
            expected = feeds.expected()
            # Feeds a killed process held stay leased for [schedule] lease, then wait for their next turn.
            done = wait_until(lambda: len(hook.by_key()) >= len(expected), DEADLINE)
            time.sleep(3)  # anything sent twice by now would show
            final.send_signal(signal.SIGTERM)
            code = final.wait(DEADLINE)
        output = log_path.read_text()

    received = hook.by_key()
    pairs = Counter((p["url"], p["topic"]) for p in received.values())
    lost = expected - set(pairs)
    doubled = {pair: n for pair, n in pairs.items() if n > 1}
    unexpected = set(pairs) - expected
    keys_match = all(key == f"earshot-alert-{p['alert_id']}" for key, p in received.items())
    channels = Counter(p["channel"] for p in received.values())
    print(
        f"\ncrash harness: {ITEMS} items, {len(expected)} matching (item, topic) pairs, {kills} SIGKILLs "
        f"({hook.in_flight} with an alert received and not yet answered); "
        f"delivered {len(received)} alerts, lost {len(lost)}, delivered twice {len(doubled)}, "
        f"unexpected {len(unexpected)}; {hook.repeats()} repeated requests with a key already received "
        f"(dropped by the key); channels {dict(channels)}; feed fetches {sum(feeds.fetches.values())}"
    )
    assert done, f"not everything arrived: {len(lost)} missing, e.g. {sorted(lost)[:5]}"
    assert code == 0, output[-3000:]
    assert lost == set()
    assert doubled == {}
    assert unexpected == set()
    assert keys_match
    assert set(channels) == CHANNEL_NAMES
    assert "Traceback" not in output, output[output.index("Traceback") - 500 :][:3000]
