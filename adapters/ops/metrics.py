"""The Telemetry port as Prometheus metrics: a name becomes ``earshot_<name>_total`` or ``earshot_<name>_seconds``."""

from __future__ import annotations

import logging
import threading

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

log = logging.getLogger(__name__)

HELP = {
    "polls": "Feed polls, by feed kind and outcome (ok, failed).",
    "items_fetched": "Items sources returned, by feed kind (before deduplication).",
    "alerts_created": "Alerts written to the outbox, by feed kind.",
    "source_usage": "What polls spent of a metered API (X requests and posts, YouTube quota units), by feed.",
    "deliveries": "Alerts the chat platform took.",
    "delivery_failures": "Delivery attempts that failed, by whether the failure is permanent.",
    "claims": "Claim attempts, by outcome (won, taken).",
    "errors": "Unexpected errors, by stage (poll, delivery).",
    "delivery_latency": "Time from an item's publication at its source to its alert's delivery.",
}
# From seconds (a fast feed) to a day (a weekly feed, or an outage).
LATENCY_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class PrometheusTelemetry:
    """Implements :class:`earshot.bot.ports.Telemetry` on a registry of its own; metrics are made on first use."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._counters: dict[str, Counter] = {}
        self._histograms: dict[str, Histogram] = {}
        self._lock = threading.Lock()

    def count(self, name: str, n: int = 1, **labels: str) -> None:
        """Add ``n`` to ``earshot_<name>_total``."""
        if n <= 0:
            return
        try:
            with self._lock:
                counter = self._counters.get(name)
                if counter is None:
                    counter = Counter(f"earshot_{name}", HELP.get(name, name), sorted(labels), registry=self.registry)
                    self._counters[name] = counter
            (counter.labels(**labels) if labels else counter).inc(n)
        except ValueError as exc:  # a label set that differs from the first use: a bug, but never a crash
            log.warning("metric %s not recorded: %s", name, exc)

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        """Record ``seconds`` in ``earshot_<name>_seconds``."""
        try:
            with self._lock:
                histogram = self._histograms.get(name)
                if histogram is None:
                    histogram = Histogram(
                        f"earshot_{name}_seconds",
                        HELP.get(name, name),
                        sorted(labels),
                        registry=self.registry,
                        buckets=LATENCY_BUCKETS,
                    )
                    self._histograms[name] = histogram
            (histogram.labels(**labels) if labels else histogram).observe(max(seconds, 0.0))
        except ValueError as exc:
            log.warning("metric %s not recorded: %s", name, exc)

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)
