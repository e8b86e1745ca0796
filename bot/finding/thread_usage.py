"""Counting what reading a thread spent of a metered API (X requests and posts, YouTube quota units).

A poll's own spending goes into its feed's cursor (the source counts it, and the feed's daily cap reads it). Threads
are read outside polls (for an alert's summary, and for each participation check), so what they spend is counted
here: in the store, per source kind and UTC day, shared by every replica and shown by `earshot status`; and in the
``source_usage`` metric with ``feed="(thread reads)"``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

from earshot.bot.ports import Telemetry
from earshot.bot.ports.storage import Metering, StoreOf

log = logging.getLogger(__name__)

THREAD_READS = "(thread reads)"
"""The ``feed`` label of thread reads' usage in the ``source_usage`` metric."""


async def count_thread_usage(
    store: StoreOf[Metering], telemetry: Telemetry, kind: str, spent: Mapping[str, int], day: date
) -> None:
    """Count what one thread read (or failed read) of ``kind`` spent, on ``day`` (UTC); never raises: a count that
    could not be stored is logged, and the alert or check it was for goes on."""
    spent = {what: amount for what, amount in spent.items() if amount > 0}
    if not spent:
        return
    for what, amount in spent.items():
        telemetry.count("source_usage", amount, kind=kind, feed=THREAD_READS, what=what)
    try:
        async with store.unit() as unit:
            await unit.count_usage(kind, day, spent)
    except Exception as exc:
        log.warning("%s thread read: could not count its usage (%s): %s", kind, type(exc).__name__, exc)
