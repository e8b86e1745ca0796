"""/healthz and /metrics served by the real aiohttp server, with the health check `earshot run` wires in."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx

from earshot.adapters.cli.app import open_app
from earshot.adapters.cli.builders import utc_now
from earshot.adapters.cli.commands import health_check
from earshot.adapters.ops import OpsServer, PrometheusTelemetry
from earshot.adapters.scheduling import Runner
from earshot.adapters.settings import Settings, load_settings
from earshot.adapters.storage import SqlStore
from tests.fakes.http_server import free_port


def settings_for(tmp_path: Path, database_url: str) -> Settings:
    path = tmp_path / "earshot.toml"
    path.write_text('[chat]\nchannel = "general"\n', encoding="utf-8")
    return load_settings(path, {"EARSHOT_DATABASE_URL": database_url})


async def healthz(port: int) -> tuple[int, dict[str, str]]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/healthz")
    return response.status_code, response.json()


async def test_healthy_only_while_the_scheduler_runs_and_the_database_answers(
    tmp_path: Path, database_url: str, store: SqlStore
) -> None:
    settings = settings_for(tmp_path, database_url)
    port = free_port()
    async with open_app(settings) as app:
        telemetry = PrometheusTelemetry()
        app.telemetry = telemetry
        runner = Runner(app.store, app.poller(), app.deliverer(), utc_now, settings.delivery.every)
        server = OpsServer(telemetry, health_check(app, runner), "127.0.0.1", port)
        await server.start()
        try:
            status, body = await healthz(port)
            assert status == 503 and "scheduler is not running" in body["reason"]
            stop = asyncio.Event()
            running = asyncio.create_task(runner.run(stop))
            for _ in range(100):
                if runner.running:
                    break
                await asyncio.sleep(0.02)
            assert await healthz(port) == (200, {"status": "ok"})
            stop.set()
            await running
            status, body = await healthz(port)
            assert status == 503 and "scheduler is not running" in body["reason"]
        finally:
            await server.stop()


async def test_an_unreachable_database_is_unhealthy_and_the_reason_hides_the_password(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    url = f"postgresql+asyncpg://earshot:hunter2-secret@127.0.0.1:{closed}/earshot"
    settings = settings_for(tmp_path, url)
    port = free_port()
    async with open_app(settings, check_schema=False) as app:
        telemetry = PrometheusTelemetry()
        runner = Runner(app.store, app.poller(), app.deliverer(), utc_now, settings.delivery.every)
        runner.scheduler.start(paused=True)  # the scheduler runs; only the database is missing
        server = OpsServer(telemetry, health_check(app, runner), "127.0.0.1", port)
        await server.start()
        try:
            status, body = await healthz(port)
        finally:
            await server.stop()
            runner.scheduler.shutdown(wait=False)
    assert status == 503
    assert body["reason"].startswith("cannot reach the database at postgresql+asyncpg://earshot:***@127.0.0.1")
    assert "hunter2" not in str(body)


async def test_metrics_are_served_in_the_prometheus_format() -> None:
    telemetry = PrometheusTelemetry()
    telemetry.count("polls", kind="rss", outcome="ok")
    telemetry.count("polls", 2, kind="rss", outcome="failed")
    telemetry.count("items_fetched", 0, kind="rss")  # nothing to add: no sample
    telemetry.count("polls", outcome="ok")  # a different label set: dropped with a warning, never raised
    telemetry.observe("delivery_latency", 42.0)
    port = free_port()

    async def healthy() -> None:
        return None

    server = OpsServer(telemetry, healthy, "127.0.0.1", port)
    await server.start()
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/metrics")
    finally:
        await server.stop()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    assert 'earshot_polls_total{kind="rss",outcome="ok"} 1.0' in text
    assert 'earshot_polls_total{kind="rss",outcome="failed"} 2.0' in text
    assert "earshot_items_fetched" not in text
    assert 'earshot_delivery_latency_seconds_bucket{le="60.0"} 1.0' in text
    assert 'earshot_delivery_latency_seconds_bucket{le="30.0"} 0.0' in text
    assert "earshot_delivery_latency_seconds_sum 42.0" in text
