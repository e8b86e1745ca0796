"""Faults from outside: sources that time out, fail, throttle, drip or flood, and a webhook that throttles.

Each fault stays with its feed (the others are polled and alert as usual), is retried politely (backoff,
Retry-After), and shows in `earshot status`, as a table and as JSON.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from tests.e2e.conftest import Earshot
from tests.e2e.test_run_once import config, now
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fakes.webhook import WebhookReceiver

FAST = '[fetch]\ntimeout = "1s"\ndeadline = "2s"\nmax_body = "1MB"\nallow_private = ["127.0.0.1"]\n'


@contextmanager
def dripping_server() -> Iterator[tuple[str, list[int]]]:
    """A server on 127.0.0.1 that answers a feed one byte every 0.3 s (well within any read timeout)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    sent: list[int] = []
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b"<")
                except OSError:
                    return
                sent.append(1)
                time.sleep(0.3)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/drip.xml", sent
    finally:
        stop.set()
        listener.close()


def feed_tables(urls: dict[str, str]) -> str:
    return "".join(
        f'\n[[feeds]]\nname = "{name}"\nkind = "rss"\nurl = "{url}"\nevery = "15m"\n' for name, url in urls.items()
    )


def alert_posts(hook: WebhookReceiver) -> int:
    """Alert requests the webhook received, whatever it answered (notices aside)."""
    return sum(1 for r in hook.received if json.loads(r.body).get("type") == "alert")


def status(earshot: Earshot) -> dict[str, Any]:
    done = earshot("status", "--json")
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_each_fault_stays_with_its_feed_is_retried_politely_and_shows_in_status(
    earshot: Earshot, server: FakeHttpServer, algolia: FakeAlgolia, hook: WebhookReceiver
) -> None:
    def slow(request: Request) -> Reply:
        time.sleep(3)  # longer than [fetch] timeout
        return Reply(200, b"<rss/>")

    server.route("GET", "/slow.xml", slow)
    server.route("GET", "/500.xml", lambda r: Reply(503, b"down for maintenance", {"Content-Type": "text/plain"}))
    server.route("GET", "/429.xml", lambda r: Reply(429, b"slow down", {"Retry-After": "3600"}))
    big = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b"<item></item>" * 200_000
    server.route("GET", "/huge.xml", lambda r: Reply(200, big, {"Content-Type": "application/rss+xml"}))
    algolia.hits.append(algolia_hit(1, now() - 100, title="Seed", points=1))
    with dripping_server() as (drip_url, dripped):
        bad = {
            "slow": server.url("/slow.xml"),
            "down": server.url("/500.xml"),
            "throttled": server.url("/429.xml"),
            "huge": server.url("/huge.xml"),
            "drip": drip_url,
        }
        text = config(algolia, [], hook).replace('\n        [fetch]\n        allow_private = ["127.0.0.1"]\n', "")
        earshot.write_config(FAST + text + feed_tables(bad))
        earshot.upgrade()
        first = earshot("run", "--once")
    assert first.returncode == 0, first.stderr
    report = first.stderr
    assert "feed hn: ok" in report  # the others keep going
    assert "feed slow: FAILED: timed out" in report
    assert "feed down: FAILED: HTTP 503" in report
    assert "feed throttled: FAILED:" in report and "429" in report
    assert "feed huge: FAILED:" in report and "cap" in report
    assert "feed drip: FAILED:" in report and "deadline" in report
    assert 0 < len(dripped) < 30  # the deadline cut it after about 2 s, not after 100,000 bytes

    # The webhook throttles: the new alert waits, with its error and the receiver's Retry-After.
    hook.script = lambda request, payload: Reply(429, b"too many", {"Retry-After": "120"})
    algolia.hits.append(algolia_hit(2, now() - 5, title="Postgres at scale", points=3))
    second = earshot("run", "--once")
    assert second.returncode == 0, second.stderr
    assert "1 waiting" in second.stderr

    data = status(earshot)
    at = datetime.fromisoformat(data["at"])
    feeds = {f["name"]: f for f in data["feeds"]}
    assert feeds["hn"]["state"] == "ok" and feeds["hn"]["last_error"] is None
    for name in bad:
        assert feeds[name]["state"] == "failing (2x)", feeds[name]  # both runs polled every feed
        assert feeds[name]["last_error"]
    assert "429" in feeds["throttled"]["last_error"]
    # Polite: the throttled feed waits the hour its server asked for; the others back off by their interval.
    throttled_next = datetime.fromisoformat(feeds["throttled"]["next_poll_at"])
    assert (throttled_next - at).total_seconds() > 3500
    assert data["feeds_failing"] == 5
    assert data["backlog"]["total"] == 1
    assert data["backlog"]["by_channel"] == {"db-talk": 1}
    (problem,) = data["delivery_errors"]
    assert "429" in problem["error"] and problem["topic"] == "databases" and problem["attempts"] == 1
    assert (datetime.fromisoformat(problem["next_attempt_at"]) - at).total_seconds() > 100

    table = earshot("status")
    assert table.returncode == 0, table.stderr
    out = table.stdout
    assert "feeds: 6, 5 failing" in out
    assert "undelivered alerts: 1" in out and "#db-talk  1" in out
    assert "last delivery errors:" in out and "429" in out
    row = next(line for line in out.splitlines() if line.startswith("throttled "))
    assert "failing (2x)" in row and "429" in row

    # Polite: a run now does not try the alert again before the receiver's Retry-After.
    hook.script = None
    tried = alert_posts(hook)
    fourth = earshot("run", "--once")
    assert fourth.returncode == 0, fourth.stderr
    assert alert_posts(hook) == tried == 1
    assert status(earshot)["backlog"]["total"] == 1


def test_status_on_an_empty_database_says_so(earshot: Earshot) -> None:
    earshot.write_config('[chat]\nchannel = "general"\n')
    earshot.upgrade()
    done = earshot("status")
    assert done.returncode == 0, done.stderr
    assert "feeds: 0, 0 failing" in done.stdout
    assert "undelivered alerts: 0" in done.stdout
    data = status(earshot)
    assert data["backlog"] == {"total": 0, "by_channel": {}, "oldest_created_at": None}
    assert data["delivery_errors"] == []
    assert datetime.fromisoformat(data["at"]).tzinfo == UTC
