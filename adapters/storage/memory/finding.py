"""The in-memory twin's polling: feed leases, stored conversations, alerts and crossposts, and feedback texts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from earshot.adapters.storage.crossposts import group_crossposts
from earshot.adapters.storage.memory.state import (
    AlertRow,
    ConversationRow,
    MemoryBase,
    as_json,
    free,
    stored_conversation,
)
from earshot.adapters.storage.rows import bounded_key
from earshot.bot.domain import Conversation, DeliveryState, FeedState, OutcomeKind
from earshot.bot.errors import LeaseLost
from earshot.bot.records import NewAlert
from earshot.bot.text import without_surrogates

Key = tuple[str, str]  # (topic, link key)
DISMISSING = frozenset({OutcomeKind.NOT_RELEVANT, OutcomeKind.NOT_WORTH_IT})


class FindingPart(MemoryBase):
    """Polling and Feedback."""

    async def lease_feeds(
        self,
        now: datetime,
        owner: str,
        lease_for: timedelta,
        *,
        names: Sequence[str] | None = None,
        due_only: bool = True,
    ) -> list[FeedState]:
        """Lease enabled feeds nobody else holds: the due ones, or only ``names``."""
        leased: list[FeedState] = []
        for name in sorted(self._t.feeds):
            row = self._t.feeds[name]
            if not row.feed.enabled or not free(row.lease_owner, row.lease_until, owner, now):
                continue
            if due_only and row.next_poll_at is not None and row.next_poll_at > now:
                continue
            if names is not None and name not in names:
                continue
            row.lease_owner, row.lease_until = owner, now + lease_for
            leased.append(row.state())
        return leased

    async def insert_conversations(
        self, items: Sequence[Conversation], feed: str, now: datetime
    ) -> list[tuple[int, Conversation]]:
        """Store items not seen before (same source id, or same conversation URL); return only those, with ids."""
        keys = {row.key for row in self._t.conversations.values()}
        url_keys = {row.url_key for row in self._t.conversations.values() if row.url_key is not None}
        stored: list[tuple[int, Conversation]] = []
        for item in items:
            kept, key, url_key = stored_conversation(item)
            if key in keys or (url_key is not None and url_key in url_keys):
                continue
            keys.add(key)
            if url_key is not None:
                url_keys.add(url_key)
            row = ConversationRow(self._t.next_id("conversations"), kept, key, url_key, feed, now)
            self._t.conversations[row.id] = row
            stored.append((row.id, item))
        return stored

    async def insert_alerts(
        self, alerts: Sequence[NewAlert], now: datetime, *, crosspost_since: datetime | None = None
    ) -> int:
        """Write alerts, skipping (topic, conversation) pairs alerted before; crossposts become sightings."""
        unique = list({(a.topic, a.conversation_id): a for a in reversed(alerts)}.values())[::-1]  # first wins
        if crosspost_since is None:
            return sum(self._write(alert, now) for alert in unique)
        written = 0
        sightings: list[tuple[int, int]] = []
        for group in group_crossposts(unique):
            lead = group[0]
            keys = sorted({(lead.topic, bounded_key(u)) for a in group for u in a.links if u})
            claimed = self._claim_links(keys, lead.conversation_id, now, crosspost_since)
            holders = [self._t.links[k][0] for k in keys if k not in claimed and k in self._t.links]
            holder = next((c for c in holders if c != lead.conversation_id), None)
            primary = self._alert_of(lead.topic, holder, below_min=False) if holder is not None else None
            if holder is not None and primary is not None:
                for key in claimed:  # the group grows as one: its fresh claims now belong to the primary
                    self._t.links[key] = (holder, self._t.links[key][1])
                sightings += [(primary, a.conversation_id) for a in group]
                continue
            written += self._write(lead, now)
            first = self._alert_of(lead.topic, lead.conversation_id, below_min=True)
            if first is not None:
                sightings += [(first, a.conversation_id) for a in group[1:]]
        self._add_sightings(sightings)
        return written

    def _write(self, alert: NewAlert, now: datetime) -> int:
        if self._alert_of(alert.topic, alert.conversation_id, below_min=True) is not None:
            return 0
        row = AlertRow(
            id=self._t.next_id("alerts"),
            topic=alert.topic,
            conversation_id=alert.conversation_id,
            channel=alert.channel,
            matched=tuple(as_json(list(alert.matched))),
            score=alert.score,
            reasons=tuple(as_json({"label": r.label, "weight": r.weight, "kind": r.kind.value}) for r in alert.reasons),
            created_at=now,
            state=alert.state,
        )
        self._t.alerts[row.id] = row
        return 1

    def _claim_links(self, keys: list[Key], conversation_id: int, now: datetime, since: datetime) -> set[Key]:
        """Claim each link not claimed yet, or claimed before ``since``; return those now claimed."""
        claimed: set[Key] = set()
        for key in keys:
            held = self._t.links.get(key)
            if held is None or held[1] < since:
                self._t.links[key] = (conversation_id, now)
                claimed.add(key)
        return claimed

    def _alert_of(self, topic: str, conversation_id: int, *, below_min: bool) -> int | None:
        for row in self._t.alerts.values():
            if row.topic == topic and row.conversation_id == conversation_id:
                return row.id if below_min or row.state != DeliveryState.BELOW_MIN else None
        return None

    def _add_sightings(self, sightings: list[tuple[int, int]]) -> None:
        """Record each (alert, conversation) once; a delivered alert with a new one is flagged for refresh."""
        for pair in dict.fromkeys(sightings):
            if pair in self._t.sightings:
                continue
            self._t.sightings[pair] = self._t.next_id("sightings")
            alert = self._t.alerts[pair[0]]
            if alert.state == DeliveryState.DELIVERED:
                alert.needs_refresh = True

    async def finish_poll(
        self, feed: str, owner: str, now: datetime, *, cursor: dict[str, Any], next_poll_at: datetime
    ) -> None:
        """Record a successful poll: cursor, seeded, failures reset, lease released."""
        row = self._t.feeds.get(feed)
        if row is None or row.lease_owner != owner:
            raise _feed_lease_lost(feed, owner)
        row.cursor = as_json(dict(cursor))
        row.seeded = True
        row.last_polled_at = row.last_success_at = now
        row.last_error = None
        row.consecutive_failures = 0
        row.next_poll_at = next_poll_at
        row.lease_owner = row.lease_until = None

    async def fail_poll(
        self,
        feed: str,
        owner: str,
        now: datetime,
        *,
        error: str,
        next_poll_at: datetime,
        cursor: dict[str, Any] | None = None,
    ) -> int:
        """Record a failed poll (with ``cursor``, the new cursor), release the lease, and return the consecutive
        failure count."""
        row = self._t.feeds.get(feed)
        if row is None or row.lease_owner != owner:
            raise _feed_lease_lost(feed, owner)
        if cursor is not None:
            row.cursor = as_json(dict(cursor))
        row.last_error = without_surrogates(error.replace("\x00", ""))
        row.last_polled_at = now
        row.consecutive_failures += 1
        row.next_poll_at = next_poll_at
        row.lease_owner = row.lease_until = None
        return row.consecutive_failures

    async def feedback_texts(self, since: datetime, limit: int) -> dict[str, tuple[list[str], list[str]]]:
        """Per topic: texts of alerts dismissed and of alerts claimed and not dismissed, newest first."""
        rows = [row for row in self._t.alerts.values() if row.created_at >= since]
        out: dict[str, tuple[list[str], list[str]]] = {}
        for row in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True):
            dismissed = bool(self._kinds(row.id) & DISMISSING)
            if not dismissed and row.claimed_by is None:
                continue
            bad, good = out.setdefault(row.topic, ([], []))
            bucket = bad if dismissed else good
            if len(bucket) < limit:
                item = self._t.conversations[row.conversation_id].conversation
                bucket.append(f"{item.title}\n{item.text or ''}")
        return out


def _feed_lease_lost(feed: str, owner: str) -> LeaseLost:
    return LeaseLost(f"feed {feed!r} is no longer leased to {owner!r}: another process took it over, or it was removed")
