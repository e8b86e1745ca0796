"""The in-memory twin's claims and outcomes, chat events, people's views, team handles and look-ups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from earshot.adapters.storage.memory.state import HandleRow, MemoryBase, text
from earshot.adapters.storage.rows import url_key
from earshot.adapters.storage.tables import NAME
from earshot.bot.domain import Activity, Alert, ClaimResult, DeliveryState, Handle, Outcome, OutcomeKind, TopicActivity
from earshot.bot.errors import AlreadyExists, NotFound
from earshot.bot.records import StoredConversation
from earshot.bot.urls import canonical_url


class ActionsPart(MemoryBase):
    """Claiming, People, Team and Lookup."""

    async def get_alert(self, alert_id: int) -> Alert | None:
        """One alert, or None."""
        row = self._t.alerts.get(alert_id)
        return self._alert(row, sightings=True) if row is not None else None

    async def claim(self, alert_id: int, actor: str, now: datetime) -> ClaimResult:
        """Claim an alert if nobody holds it (one unit at a time: exactly one concurrent claimer wins)."""
        row = self._t.alerts.get(alert_id)
        if row is None:
            raise NotFound(f"alert {alert_id} does not exist")
        if row.claimed_by is None:
            row.claimed_by, row.claimed_at, row.followed_up_at = actor, now, None
            return ClaimResult(alert_id=alert_id, won=True, holder=actor, claimed_at=now)
        assert row.claimed_at is not None
        return ClaimResult(alert_id, won=row.claimed_by == actor, holder=row.claimed_by, claimed_at=row.claimed_at)

    async def release_claim(self, alert_id: int, actor: str, *, force: bool = False) -> bool:
        """Free an alert held by ``actor`` (or by anyone, with ``force``); False if it was not held so."""
        row = self._t.alerts.get(alert_id)
        if row is None:
            raise NotFound(f"alert {alert_id} does not exist")
        if row.claimed_by is None or (not force and row.claimed_by != actor):
            return False
        row.claimed_by = row.claimed_at = row.followed_up_at = None
        return True

    async def add_outcome(self, outcome: Outcome) -> None:
        """Record an outcome; NotFound if its alert does not exist."""
        if outcome.alert_id not in self._t.alerts:
            raise NotFound(f"alert {outcome.alert_id} does not exist")
        self._t.outcomes.append((self._t.next_id("outcomes"), replace(outcome, note=text(outcome.note))))

    async def list_outcomes(self, alert_id: int) -> list[Outcome]:
        """Outcomes of an alert, oldest first."""
        mine = [(o.at, i, o) for i, o in self._t.outcomes if o.alert_id == alert_id]
        return [o for _, _, o in sorted(mine, key=lambda found: (found[0], found[1]))]

    async def first_time(self, event_id: str, at: datetime, forget_before: datetime) -> bool:
        """Record a chat event's id; False when it was recorded before."""
        events = self._t.chat_events
        for old in [key for key, seen in events.items() if seen < forget_before]:
            del events[old]
        key = event_id[:NAME]
        if key in events:
            return False
        events[key] = at
        return True

    async def alert_by_message(self, message_ref: str) -> Alert | None:
        """The alert that was delivered as the message ``message_ref``, or None."""
        found = [self._t.alerts[i] for i in sorted(self._t.alerts) if self._t.alerts[i].message_ref == message_ref]
        return self._alert(found[0]) if found else None

    async def open_claims(self, actor: str, limit: int) -> list[Alert]:
        """Alerts ``actor`` holds with no outcome recorded yet (notes aside), oldest claim first."""
        rows = [r for r in self._t.alerts.values() if r.claimed_by == actor and not self._settled(r.id)]
        rows.sort(key=lambda r: (r.claimed_at, r.id))
        return [self._alert(row) for row in rows[: max(0, limit)]]

    async def unclaimed(self, since: datetime, limit: int) -> list[Alert]:
        """Delivered alerts created since ``since`` that nobody holds and nobody marked not relevant, newest first."""
        rows = [
            r
            for r in self._t.alerts.values()
            if r.state == DeliveryState.DELIVERED
            and r.message_ref is not None
            and r.claimed_by is None
            and r.created_at >= since
            and OutcomeKind.NOT_RELEVANT not in self._kinds(r.id)
        ]
        rows.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return [self._alert(row) for row in rows[: max(0, limit)]]

    async def activity(self, since: datetime) -> Activity:
        """Per topic, the alerts delivered since ``since``, how many were claimed, and their outcomes by kind."""
        per_topic: dict[str, list[int]] = {}
        by_kind: dict[str, dict[str, int]] = {}
        for row in self._t.alerts.values():
            if row.state != DeliveryState.DELIVERED or row.created_at < since:
                continue
            numbers = per_topic.setdefault(row.topic, [0, 0])
            numbers[0] += 1
            numbers[1] += row.claimed_by is not None
            for kind in self._kinds(row.id):  # each alert once per kind
                kinds = by_kind.setdefault(row.topic, {})
                kinds[kind.value] = kinds.get(kind.value, 0) + 1
        topics = tuple(
            TopicActivity(topic, total, claimed, by_kind.get(topic, {}))
            for topic, (total, claimed) in sorted(per_topic.items())
        )
        return Activity(since=since, topics=topics)

    async def list_handles(self, member: str | None = None) -> list[Handle]:
        """Every teammate's handles (or one member's), by member and source."""
        rows = [h for h in self._t.handles if member is None or h.member == member]
        rows.sort(key=lambda h: (h.member, h.source))
        return [Handle(h.member, h.source, h.handle, h.name) for h in rows]

    async def set_handles(self, handles: Sequence[Handle], now: datetime) -> None:
        """Link each handle to its member, replacing that member's earlier handle on the same source."""
        for handle in handles:
            holder = next((h for h in self._t.handles if (h.source, h.handle) == (handle.source, handle.handle)), None)
            if holder is not None and holder.member != handle.member:
                raise AlreadyExists(
                    f"{handle.handle} on {handle.source} is linked to {holder.name or holder.member} already; "
                    "they can change it with `me`, or an admin with `earshot team set`"
                )
        for handle in handles:
            kept = [h for h in self._t.handles if (h.member, h.source) != (handle.member, handle.source)]
            row = HandleRow(handle.member, handle.source, handle.handle, handle.name, now, self._t.next_id("handles"))
            self._t.handles = [*kept, row]
        names = {handle.member: handle.name for handle in handles if handle.name}
        for row in self._t.handles:  # one display name per member, the latest given
            if row.member in names:
                row.name = names[row.member]

    async def find_conversation(
        self, *, url: str | None = None, alert_id: int | None = None
    ) -> StoredConversation | None:
        """The stored conversation at ``url`` (any form that canonicalises to its URL or its link) or of an alert."""
        conversations = self._t.conversations
        if alert_id is not None:
            alert = self._t.alerts.get(alert_id)
            return self._stored(alert.conversation_id) if alert is not None else None
        if not url:
            return None
        key = url_key(url)
        if key is not None:
            found = next((i for i, row in conversations.items() if row.url_key == key), None)
            if found is not None:
                return self._stored(found)
        forms = {url, canonical_url(url)} - {""}
        linked = sorted(i for i, row in conversations.items() if row.conversation.link in forms)
        return self._stored(linked[0]) if linked else None

    async def recent_conversations(self, since: datetime, limit: int) -> list[StoredConversation]:
        """Up to ``limit`` conversations first seen at or after ``since``, newest first."""
        rows = [row for row in self._t.conversations.values() if row.first_seen_at >= since]
        rows.sort(key=lambda row: (row.first_seen_at, row.id), reverse=True)
        return [self._stored(row.id) for row in rows[: max(1, limit)]]

    def _stored(self, conversation_id: int) -> StoredConversation:
        row = self._t.conversations[conversation_id]
        return StoredConversation(row.id, row.conversation, row.feed, row.first_seen_at)

    async def list_alerts(
        self,
        *,
        state: DeliveryState | None = None,
        topic: str | None = None,
        conversation_id: int | None = None,
        limit: int = 50,
    ) -> list[Alert]:
        """Alerts, newest first, narrowed by state, topic or conversation."""
        rows = [
            self._t.alerts[i]
            for i in sorted(self._t.alerts, reverse=True)
            if (state is None or self._t.alerts[i].state == state)
            and (topic is None or self._t.alerts[i].topic == topic)
            and (conversation_id is None or self._t.alerts[i].conversation_id == conversation_id)
        ]
        return [self._alert(row) for row in rows[: max(1, limit)]]
