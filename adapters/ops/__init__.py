"""Operations: Prometheus metrics behind the core's Telemetry port, and the /healthz and /metrics endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from earshot.adapters.ops.metrics import PrometheusTelemetry
    from earshot.adapters.ops.server import OpsServer

__all__ = ["OpsServer", "PrometheusTelemetry"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: a process with the ops endpoint off needs neither aiohttp nor prometheus_client.
    if name == "OpsServer":
        from earshot.adapters.ops.server import OpsServer

        return OpsServer
    if name == "PrometheusTelemetry":
        from earshot.adapters.ops.metrics import PrometheusTelemetry

        return PrometheusTelemetry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
