"""Running in production: /healthz and /metrics on [ops] port, JSON logs, and SIGTERM finishing a delivery in hand."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.e2e.conftest import DEADLINE, Earshot, wait_for
from tests.e2e.test_run_forever import FAST_DELIVERY, service
from tests.e2e.test_run_once import config, now
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.feeds import FakeRss
from tests.fakes.http_server import Reply, Request, free_port
from tests.fakes.webhook import WebhookReceiver


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def metric(text: str, name: str) -> float:
    """The sum of every sample of ``name`` (all label sets) in a Prometheus exposition."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.any_database  # the ops endpoint and the logs: the same on any database
def test_healthz_metrics_and_json_logs(
    earshot: Earshot, algolia: FakeAlgolia, blog: FakeRss, hook: WebhookReceiver
) -> None:
    port = free_port()
    ops = f'[ops]\n        port = {port}\n        [log]\n        format = "json"\n' + FAST_DELIVERY
    algolia.hits.append(algolia_hit(1, now() - 100, title="Postgres seed", points=1))
    earshot.write_config(config(algolia, [], hook, extra=ops))
    earshot.upgrade()
    assert earshot("run", "--once").returncode == 0  # seeds hn
    # An alert the webhook refuses once, so that `run` delivers it on its own and a failure is counted too.
    algolia.hits.append(algolia_hit(2, now() - 30, title="Postgres in production", points=3))
    hook.script = lambda request, payload: Reply(400, b"receiver misconfigured")
    assert earshot("run", "--once").returncode == 0
    hook.script = None
    # A feed new to `run`, polled (seeded) at once when it starts.
    earshot.write_config(config(algolia, [blog], hook, extra=ops))

    base = f"http://127.0.0.1:{port}"
    with service(earshot) as running:
        wait_for(lambda: "delivered 1 alert(s)" in running.log and "feed blog0: " in running.log)
        status, body = get(base + "/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, metrics = get(base + "/metrics")
        assert status == 200
        code = running.stop(signal.SIGTERM)
    assert code == 0, running.log
    assert metric(metrics, "earshot_polls_total") >= 1
    assert 'earshot_polls_total{kind="rss",outcome="ok"} 1.0' in metrics
    assert metric(metrics, "earshot_deliveries_total") == 1
    assert metric(metrics, "earshot_delivery_latency_seconds_count") == 1
    # Published 30 s before the first run; delivered by the second: between 30 s and a few minutes.
    assert metric(metrics, "earshot_delivery_latency_seconds_sum") >= 30
    assert 'earshot_delivery_latency_seconds_bucket{le="15.0"} 0.0' in metrics
    assert "# HELP earshot_delivery_latency_seconds Time from an item's publication" in metrics

    entries = [json.loads(line) for line in running.log.splitlines() if line.strip()]
    assert entries, running.log
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    messages = [e["message"] for e in entries]
    assert any("health and metrics on http://127.0.0.1:" in m for m in messages)
    assert "stopped" in messages


@pytest.mark.any_database  # the ops endpoint and the logs: the same on any database
def test_ops_is_off_by_default_and_a_taken_port_is_a_clear_error(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        earshot.write_config(config(algolia, [], hook, extra=f"[ops]\n        port = {port}\n"))
        earshot.upgrade()
        process = earshot.start("run")
        _, err = process.communicate(timeout=DEADLINE)
    assert process.returncode == 1, err
    assert f"[ops] cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


def test_sigterm_while_a_delivery_is_in_flight_finishes_it_and_posts_nothing_twice(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver
) -> None:
    algolia.hits.append(algolia_hit(1, now() - 100, title="Postgres seed", points=1))
    earshot.write_config(config(algolia, [], hook, extra=FAST_DELIVERY))
    earshot.upgrade()
    assert earshot("run", "--once").returncode == 0
    algolia.hits.append(algolia_hit(2, now() - 5, title="Postgres in production", points=3))
    hook.script = lambda request, payload: Reply(503, b"not yet")
    assert earshot("run", "--once").returncode == 0  # the alert waits in the outbox

    held, release = threading.Event(), threading.Event()

    def hold(request: Request, payload: dict[str, Any]) -> Reply | None:
        held.set()
        release.wait(10)
        return None  # accepted

    hook.script = hold
    try:
        with service(earshot) as running:
            wait_for(held.is_set)  # after the 503's backoff, `run` posts it again
            running.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            still_running = running.process.poll() is None
            release.set()
            code = running.process.wait(15)
            running._reader.join(5)
    finally:
        release.set()
    assert still_running, "it exited with a delivery in flight"
    assert code == 0, running.log
    assert "finishing" in running.log and "stopped" in running.log
    assert len(hook.alerts()) == 1
    again = earshot("run", "--once")
    assert again.returncode == 0, again.stderr
    assert "0 waiting" in again.stderr
    assert len(hook.alerts()) == 1  # marked delivered before the exit: never posted again
