"""GET /healthz and GET /metrics on one small aiohttp server, for load balancers, orchestrators and Prometheus."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from earshot.adapters.ops.metrics import CONTENT_TYPE, PrometheusTelemetry

log = logging.getLogger(__name__)

Health = Callable[[], Awaitable[str | None]]
"""Returns None when healthy, else the reason it is not."""

HEALTH_TIMEOUT = 5.0


class OpsServer:
    """Serves health and metrics on ``host:port`` until stopped."""

    def __init__(self, telemetry: PrometheusTelemetry, health: Health, host: str, port: int) -> None:
        self.telemetry = telemetry
        self.health = health
        self.host = host
        self.port = port
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)

    async def start(self) -> None:
        """Listen; raise OSError when the port is taken."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        log.info("health and metrics on http://%s:%d (/healthz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        await self._runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                problem = await self.health()
        except TimeoutError:
            problem = f"the health check took more than {HEALTH_TIMEOUT:g}s"
        except Exception as exc:  # the check itself failing is an unhealthy answer, not a 500
            problem = f"health check failed: {type(exc).__name__}: {exc}"
        if problem is None:
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "unavailable", "reason": problem}, status=503)

    async def _metrics(self, request: web.Request) -> web.Response:
        body = self.telemetry.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
