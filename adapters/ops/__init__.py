"""Operations: Prometheus metrics behind the core's Telemetry port, and the /healthz and /metrics endpoint."""

from adapters.ops.metrics import PrometheusTelemetry
from adapters.ops.server import OpsServer

__all__ = ["OpsServer", "PrometheusTelemetry"]
