"""Delivering alerts from the outbox: lease pending alerts, post each, mark it delivered or schedule a retry.

The alert row exists before anything is posted and is marked only after the platform took the message, so a
crash in between re-posts at most the one message that was in flight, and only once its lease has run out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.domain import Alert
from bot.errors import DeliveryError, LeaseLost
from bot.ports import NO_TELEMETRY, Chat, Clock, Store, Telemetry
from bot.timing import delivery_backoff

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How delivery behaves: lease length, batch size and the cap on retry waits."""

    lease: timedelta = timedelta(seconds=60)
    batch: int = 20
    max_backoff: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one round of delivery did."""

    delivered: int = 0
    failed: int = 0
    errors: tuple[str, ...] = ()


class Deliverer:
    """Sends pending alerts to one chat, on behalf of one process (``owner``)."""

    def __init__(
        self,
        store: Store,
        chat: Chat,
        clock: Clock,
        owner: str,
        policy: DeliveryPolicy = DeliveryPolicy(),
        telemetry: Telemetry = NO_TELEMETRY,
    ):
        self.store = store
        self.telemetry = telemetry
        self.chat = chat
        self.clock = clock
        self.owner = owner
        self.policy = policy

    async def deliver(self, *, rounds: int = 50) -> DeliveryReport:
        """Send what is pending and due, batch after batch, until nothing is left or a batch made no progress."""
        delivered = failed = 0
        errors: list[str] = []
        for _ in range(rounds):
            async with self.store.unit() as unit:
                batch = await unit.lease_alerts(self.clock(), self.owner, self.policy.lease, self.policy.batch)
            if not batch:
                break
            for index, alert in enumerate(batch):
                error = await self._send(alert)
                if error is None:
                    delivered += 1
                    continue
                failed += 1
                errors.append(error.args[0] if error.args else str(error))
                if not error.permanent:
                    # The platform is throttling or down: hand the rest of the batch back instead of hammering it.
                    await self._hand_back(batch[index + 1 :], error)
                    return DeliveryReport(delivered, failed, tuple(errors))
            if failed and not delivered:
                break
        return DeliveryReport(delivered, failed, tuple(errors))

    async def _send(self, alert: Alert) -> DeliveryError | None:
        try:
            ref = await self.chat.send_alert(alert)
        except DeliveryError as exc:
            log.warning("alert %d (%s): not delivered: %s", alert.id, alert.topic, exc)
            self.telemetry.count("delivery_failures", permanent=str(exc.permanent).lower())
            await self._retry_later(alert, exc)
            return exc
        except Exception as exc:  # a bug in an adapter must not wedge the outbox behind one alert
            log.exception("alert %d (%s): unexpected error while posting", alert.id, alert.topic)
            self.telemetry.count("errors", stage="delivery")
            error = DeliveryError(f"unexpected error: {type(exc).__name__}: {exc}", permanent=True)
            await self._retry_later(alert, error)
            return error
        now = self.clock()
        self.telemetry.count("deliveries")
        if alert.conversation.created_at is not None:
            self.telemetry.observe("delivery_latency", (now - alert.conversation.created_at).total_seconds())
        try:
            async with self.store.unit() as unit:
                await unit.mark_delivered(alert.id, self.owner, now, ref)
        except LeaseLost:
            log.warning(
                "alert %d: its lease ran out while it was being posted; another process may post it again", alert.id
            )
        return None

    async def _hand_back(self, alerts: list[Alert], error: DeliveryError) -> None:
        """Release alerts that were leased but not tried, to be tried when the platform may be back."""
        if not alerts:
            return
        wait = delivery_backoff(1, self.policy.max_backoff, error.retry_after)
        async with self.store.unit() as unit:
            await unit.release_alerts([a.id for a in alerts], self.owner, next_attempt_at=self.clock() + wait)

    async def _retry_later(self, alert: Alert, error: DeliveryError) -> None:
        now = self.clock()
        wait = delivery_backoff(alert.attempts + 1, self.policy.max_backoff, error.retry_after)
        try:
            async with self.store.unit() as unit:
                await unit.mark_failed(alert.id, self.owner, now, error=str(error), next_attempt_at=now + wait)
        except LeaseLost:
            log.warning("alert %d: lease lost while recording a failed delivery", alert.id)
