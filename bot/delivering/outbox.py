"""Delivering alerts from the outbox: lease pending alerts, post each, mark it delivered or schedule a retry.

The alert row exists before anything is posted and is marked only after the platform took the message, so a
crash in between re-posts at most the one message that was in flight, and only once its lease has run out.

With a flood cap, alerts over their channel's hourly cap are held instead of sent, and go out in the channel's
next digest (earshot.bot.delivering.digest).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from earshot.bot.delivering.context import Contextualiser
from earshot.bot.delivering.digest import Digester, OutboxUnit
from earshot.bot.delivering.flood_guard import FloodPolicy, split_by_cap
from earshot.bot.domain import Alert, channel_label
from earshot.bot.errors import DeliveryError, LeaseLost
from earshot.bot.ports import NO_TELEMETRY, Chat, Clock, StoreOf, Telemetry
from earshot.bot.timing import delivery_backoff

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How delivery behaves: lease length, batch size and the cap on retry waits."""

    lease: timedelta = timedelta(seconds=60)
    batch: int = 20
    max_backoff: timedelta = timedelta(hours=1)
    # The most a batch's context summaries may take, all made at once; an alert whose summary is late goes out
    # without one rather than wait (keep it well under ``lease``).
    summary_deadline: timedelta = timedelta(seconds=15)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one round of delivery did."""

    delivered: int = 0
    failed: int = 0
    errors: tuple[str, ...] = ()
    held: int = 0  # over their channel's cap, kept for its digest
    digests: int = 0  # digest messages posted
    digested: int = 0  # alerts in them


class Deliverer:
    """Sends pending alerts to one chat, on behalf of one process (``owner``)."""

    def __init__(
        self,
        store: StoreOf[OutboxUnit],
        chat: Chat,
        clock: Clock,
        owner: str,
        policy: DeliveryPolicy = DeliveryPolicy(),
        flood: FloodPolicy | None = None,
        *,
        context: Contextualiser | None = None,
        telemetry: Telemetry = NO_TELEMETRY,
    ):
        self.store = store
        self.telemetry = telemetry
        self.chat = chat
        self.clock = clock
        self.owner = owner
        self.policy = policy
        self.context = context
        self.flood = flood or FloodPolicy()
        self.digester = Digester(store, chat, clock, owner, self.flood, policy.lease, policy.max_backoff)

    async def deliver(self, *, rounds: int = 50) -> DeliveryReport:
        """Send what is pending and due, batch after batch, until nothing is left or a batch made no progress;
        then post the digests that are due."""
        delivered = failed = held = 0
        errors: list[str] = []
        for _ in range(rounds):
            async with self.store.unit() as unit:
                batch = await unit.lease_alerts(self.clock(), self.owner, self.policy.lease, self.policy.batch)
            if not batch:
                break
            if self.flood.enabled:
                batch, over = await self._guard(batch)
                held += over
            batch = await self._with_summaries(batch)
            broken: dict[str | None, Alert] = {}  # channels that refused an alert this round: the one refused
            paused: dict[str | None, list[Alert]] = {}
            for index, alert in enumerate(batch):
                if alert.channel in broken:
                    paused.setdefault(alert.channel, []).append(alert)
                    continue
                error = await self._send(alert)
                if error is None:
                    delivered += 1
                    continue
                failed += 1
                errors.append(error.args[0] if error.args else str(error))
                if not error.permanent:
                    # The platform is throttling or down: hand the rest of the batch back instead of hammering it.
                    await self._pause(broken, paused)
                    await self._hand_back(batch[index + 1 :], error)
                    return DeliveryReport(delivered, failed, tuple(errors), held)
                if error.channel:
                    # The channel refuses posts (archived, deleted, bot removed): its other alerts wait with this one
                    # rather than each asking again, so it costs one request per backoff, not one per alert.
                    broken[alert.channel] = replace(alert, attempts=alert.attempts + 1, last_error=str(error))
            await self._pause(broken, paused)
            if failed and not delivered:
                break
        digests = await self.digester.send()
        return DeliveryReport(delivered, failed, tuple(errors) + digests.errors, held, digests.digests, digests.alerts)

    async def _guard(self, batch: list[Alert]) -> tuple[list[Alert], int]:
        """The alerts of the batch their channels have room for this hour; the others are held for a digest."""
        now = self.clock()
        try:
            async with self.store.unit() as unit:
                sent = await unit.delivered_since(now - self.flood.window)
                send, hold = split_by_cap(batch, sent, self.flood.max_per_hour)
                if hold:
                    await unit.hold_alerts([a.id for a in hold], self.owner, now)
        except LeaseLost:
            # Our lease ran out (a very slow round): another process has these alerts now and will decide.
            log.warning("the batch's lease ran out before the flood guard could hold its excess; left to others")
            return [], 0
        for alert in hold:
            log.info(
                "alert %d (%s): %s is over its hourly cap; held for its digest",
                alert.id,
                alert.topic,
                channel_label(alert.channel),
            )
        return send, len(hold)

    async def _with_summaries(self, batch: list[Alert]) -> list[Alert]:
        """The batch with context summaries for those lacking one; any failure or delay leaves an alert as it was."""
        context = self.context
        if context is None or all(a.summary is not None for a in batch):
            return batch
        # Half the lease at most: the alerts must still be ours when they are posted.
        deadline = min(self.policy.summary_deadline, self.policy.lease / 2).total_seconds()

        async def one(alert: Alert) -> Alert:
            try:
                return await asyncio.wait_for(context.contextualise(alert), deadline)
            except TimeoutError:
                log.info("alert %d: no summary within %.0fs; delivered without one", alert.id, deadline)
            except Exception:  # a summary is a nicety: it never blocks or fails delivery
                log.exception("alert %d: summary failed; delivered without one", alert.id)
            return alert

        return list(await asyncio.gather(*(one(a) for a in batch)))

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

    async def _pause(self, broken: dict[str | None, Alert], paused: dict[str | None, list[Alert]]) -> None:
        """Give back the alerts of channels that refused a post, due when the refused alert is tried again."""
        for channel, alerts in paused.items():
            refused = broken[channel]
            wait = delivery_backoff(refused.attempts, self.policy.max_backoff)
            log.warning(
                "channel %s refuses posts (%s); its %d other alert(s) are kept and wait %s with it",
                channel_label(channel),
                refused.last_error,
                len(alerts),
                wait,
            )
            async with self.store.unit() as unit:
                await unit.release_alerts([a.id for a in alerts], self.owner, next_attempt_at=self.clock() + wait)

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
