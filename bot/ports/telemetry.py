"""The telemetry port: counts and timings for the people running Earshot, and a default that records none."""

from __future__ import annotations

from typing import Protocol


class Telemetry(Protocol):
    """Counts and timings for the people running Earshot (a metrics endpoint, say).

    Names are short snake_case words (``polls``, ``alerts_created``, ``delivery_latency``); labels are few and
    of low cardinality (a feed kind, an outcome), never a feed name or an alert id. Calls must not block or raise.
    """

    def count(self, name: str, n: int = 1, **labels: str) -> None:
        """Add ``n`` to the counter ``name``."""
        ...

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        """Record one duration in the histogram ``name``."""
        ...


class NoTelemetry:
    """The default Telemetry: records nothing."""

    def count(self, name: str, n: int = 1, **labels: str) -> None:
        """Do nothing."""

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        """Do nothing."""


NO_TELEMETRY = NoTelemetry()
