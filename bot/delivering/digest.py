"""Posting held alerts: each channel's alerts over its hourly cap go out together, as one digest message.

Same outbox pattern as single alerts: the held alerts are leased, the digest is posted, then they are marked
delivered with the digest's message reference in one transaction. A crash in between re-posts that one digest
once the lease has run out; two processes never put the same alert in two digests (the lease decides).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from earshot.bot.delivering.flood_guard import FloodPolicy, digest_due
from earshot.bot.domain import Digest, channel_label
from earshot.bot.errors import DeliveryError, LeaseLost
from earshot.bot.ports import Chat, Clock, StoreOf
from earshot.bot.ports.storage import FloodGuard, Outbox
from earshot.bot.timing import delivery_backoff

log = logging.getLogger(__name__)


class OutboxUnit(Outbox, FloodGuard, Protocol):
    """What delivery touches: the outbox and the flood guard's held alerts."""


@dataclass(frozen=True, slots=True)
class DigestReport:
    """What one round of digests did: messages posted, alerts in them, errors."""

    digests: int = 0
    alerts: int = 0
    errors: tuple[str, ...] = ()


class Digester:
    """Posts the held alerts of every channel whose digest is due, on behalf of one process (``owner``)."""

    def __init__(
        self,
        store: StoreOf[OutboxUnit],
        chat: Chat,
        clock: Clock,
        owner: str,
        policy: FloodPolicy,
        lease: timedelta,
        max_backoff: timedelta = timedelta(hours=1),
    ) -> None:
        self.store = store
        self.chat = chat
        self.clock = clock
        self.owner = owner
        self.policy = policy
        self.lease = lease
        self.max_backoff = max_backoff

    async def send(self) -> DigestReport:
        """One digest per channel that has held alerts and is due (see :func:`.flood_guard.digest_due`)."""
        now = self.clock()
        async with self.store.unit() as unit:
            channels = await unit.held_channels(now)
            sent = await unit.delivered_since(now - self.policy.window) if channels else {}
        digests = alerts = 0
        errors: list[str] = []
        for channel, last in channels.items():
            if not digest_due(last, sent.get(channel, 0), now, self.policy):
                continue
            async with self.store.unit() as unit:
                held = await unit.lease_held(channel, self.clock(), self.owner, self.lease, self.policy.digest_limit)
            if not held:
                continue  # another process is posting them
            since = min((a.held_at or a.created_at) for a in held)
            digest = Digest(channel, tuple(held), since)
            try:
                ref = await self.chat.send_digest(digest)
            except Exception as exc:  # any failure: the alerts stay held and are retried after a backoff
                error = exc if isinstance(exc, DeliveryError) else DeliveryError(f"unexpected error: {exc}")
                log.warning("digest for %s (%d alerts): not delivered: %s", channel_label(channel), len(held), error)
                errors.append(str(error))
                await self._retry_later(digest, error)
                continue
            try:
                async with self.store.unit() as unit:
                    marked = await unit.mark_digested([a.id for a in held], self.owner, self.clock(), ref)
            except LeaseLost:
                log.warning(
                    "digest for %s: its lease ran out while posting; it may be posted again", channel_label(channel)
                )
                continue
            digests += 1
            alerts += marked
        return DigestReport(digests, alerts, tuple(errors))

    async def _retry_later(self, digest: Digest, error: DeliveryError) -> None:
        now = self.clock()
        attempts = max(a.attempts for a in digest.alerts) + 1
        wait = delivery_backoff(attempts, self.max_backoff, error.retry_after)
        try:
            async with self.store.unit() as unit:
                for alert in digest.alerts:
                    await unit.mark_failed(alert.id, self.owner, now, error=str(error), next_attempt_at=now + wait)
        except LeaseLost:
            log.warning("digest for %s: lease lost while recording a failed delivery", channel_label(digest.channel))
