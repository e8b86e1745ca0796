"""What people in the channel ask of the store: the alert behind a message, their claims, the numbers, follow-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, delete, exists, func, or_, select, update
from sqlalchemy.sql.expression import Exists

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import ALERT_COLUMNS, ALERT_JOIN, UnitBase, alert_from_row
from earshot.bot.domain import Activity, Alert, DeliveryState, OutcomeKind, TopicActivity

# Outcomes that settle a claim; a note alone does not.
SETTLING = tuple(k.value for k in OutcomeKind if k is not OutcomeKind.NOTE)


def _settled() -> Exists:
    """An outcome other than a note exists for the alert."""
    outcomes = t.outcomes.c
    return exists().where(outcomes.alert_id == t.alerts.c.id, outcomes.kind.in_(SETTLING))


def _dismissed() -> Exists:
    """Someone marked the alert not relevant."""
    outcomes = t.outcomes.c
    return exists().where(outcomes.alert_id == t.alerts.c.id, outcomes.kind == OutcomeKind.NOT_RELEVANT.value)


class PeopleMixin(UnitBase):
    """The Unit methods behind reactions, buttons and chat commands."""

    async def alert_by_message(self, message_ref: str) -> Alert | None:
        """The alert that was delivered as the message ``message_ref``, or None."""
        statement = select(*ALERT_COLUMNS).select_from(ALERT_JOIN).where(t.alerts.c.message_ref == message_ref)
        row = (await self._conn.execute(statement.order_by(t.alerts.c.id).limit(1))).first()
        return alert_from_row(row) if row is not None else None

    async def first_time(self, event_id: str, at: datetime, forget_before: datetime) -> bool:
        """Record a chat event's id; False when it was recorded before (a retry, maybe to another replica).

        Ids recorded before ``forget_before`` are forgotten first. Two replicas recording one id at once: the
        second waits for the first's transaction, then finds it there.
        """
        c = t.chat_events.c
        await self._conn.execute(delete(t.chat_events).where(c.seen_at < forget_before))
        statement = (
            self._insert(t.chat_events)
            .values(event_id=event_id[: t.NAME], seen_at=at)
            .on_conflict_do_nothing()
            .returning(c.event_id)
        )
        return (await self._conn.execute(statement)).first() is not None

    async def open_claims(self, actor: str, limit: int) -> list[Alert]:
        """Alerts ``actor`` holds with no outcome recorded yet (notes aside), oldest claim first."""
        alerts = t.alerts.c
        statement = (
            select(*ALERT_COLUMNS)
            .select_from(ALERT_JOIN)
            .where(alerts.claimed_by == actor, ~_settled())
            .order_by(alerts.claimed_at, alerts.id)
            .limit(limit)
        )
        return [alert_from_row(row) for row in await self._conn.execute(statement)]

    async def unclaimed(self, since: datetime, limit: int) -> list[Alert]:
        """Delivered alerts created since ``since`` that nobody holds and nobody marked not relevant, newest first."""
        alerts = t.alerts.c
        statement = (
            select(*ALERT_COLUMNS)
            .select_from(ALERT_JOIN)
            .where(
                alerts.state == DeliveryState.DELIVERED.value,
                alerts.message_ref.is_not(None),
                alerts.claimed_by.is_(None),
                alerts.created_at >= since,
                ~_dismissed(),
            )
            .order_by(alerts.created_at.desc(), alerts.id.desc())
            .limit(limit)
        )
        return [alert_from_row(row) for row in await self._conn.execute(statement)]

    async def activity(self, since: datetime) -> Activity:
        """Per topic, the alerts delivered since ``since``, how many were claimed, and their outcomes by kind."""
        alerts, outcomes = t.alerts.c, t.outcomes.c
        delivered = and_(alerts.state == DeliveryState.DELIVERED.value, alerts.created_at >= since)
        counts = select(
            alerts.topic,
            func.count().label("alerts"),
            func.count(alerts.claimed_by).label("claimed"),
        ).where(delivered)
        per_topic = {
            row.topic: (int(row.alerts), int(row.claimed))
            for row in await self._conn.execute(counts.group_by(alerts.topic))
        }
        # Each alert counts once per outcome kind, however many times the kind was recorded on it.
        kinds = (
            select(alerts.topic, outcomes.kind, func.count(func.distinct(alerts.id)).label("n"))
            .select_from(t.alerts.join(t.outcomes, outcomes.alert_id == alerts.id))
            .where(delivered)
            .group_by(alerts.topic, outcomes.kind)
        )
        by_kind: dict[str, dict[str, int]] = {}
        for row in await self._conn.execute(kinds):
            by_kind.setdefault(row.topic, {})[row.kind] = int(row.n)
        topics = tuple(
            TopicActivity(topic, total, claimed, by_kind.get(topic, {}))
            for topic, (total, claimed) in sorted(per_topic.items())
        )
        return Activity(since=since, topics=topics)

    async def take_followups(self, now: datetime, claimed_before: datetime, limit: int) -> list[Alert]:
        """Claimed alerts with no outcome, claimed before ``claimed_before`` and not asked about yet: mark them
        asked at ``now`` and return them (atomically: two processes never take the same one)."""
        alerts = t.alerts.c
        candidates = (
            select(alerts.id)
            .where(
                alerts.claimed_by.is_not(None),
                alerts.claimed_at <= claimed_before,
                alerts.followed_up_at.is_(None),
                ~_settled(),
            )
            .order_by(alerts.claimed_at, alerts.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(t.alerts)
            .where(alerts.id.in_(candidates.scalar_subquery()), alerts.followed_up_at.is_(None))
            .values(followed_up_at=now)
            .returning(alerts.id)
        )
        ids = [row.id for row in await self._conn.execute(statement)]
        if not ids:
            return []
        rows = await self._conn.execute(
            select(*ALERT_COLUMNS).select_from(ALERT_JOIN).where(alerts.id.in_(ids)).order_by(alerts.id)
        )
        return [alert_from_row(row) for row in rows]

    async def release_stale_claims(self, now: datetime, claimed_before: datetime, limit: int) -> list[Alert]:
        """Release claims made before ``claimed_before`` that have no outcome yet (notes aside), and return the
        alerts as they were (``claimed_by`` still set), so the channel can be told; each is released once."""
        alerts = t.alerts.c
        candidates = (
            select(alerts.id)
            .where(alerts.claimed_by.is_not(None), alerts.claimed_at <= claimed_before, ~_settled())
            .order_by(alerts.claimed_at, alerts.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = [row.id for row in await self._conn.execute(candidates)]
        if not ids:
            return []
        rows = await self._conn.execute(
            select(*ALERT_COLUMNS).select_from(ALERT_JOIN).where(alerts.id.in_(ids)).order_by(alerts.id)
        )
        held = [alert_from_row(row) for row in rows]
        released: list[Alert] = []
        for alert in held:
            # The claim must still be the one we read: a claim made since is not stale.
            done = await self._conn.execute(
                update(t.alerts)
                .where(
                    alerts.id == alert.id, alerts.claimed_by == alert.claimed_by, alerts.claimed_at <= claimed_before
                )
                .values(claimed_by=None, claimed_at=None, followed_up_at=None)
            )
            if done.rowcount == 1:
                released.append(alert)
        return released

    async def feedback_texts(self, since: datetime, limit: int) -> dict[str, tuple[list[str], list[str]]]:
        """Per topic, the texts (title and text) of alerts people dismissed ("not relevant", "not worth it") and of
        alerts they claimed without dismissing, created since ``since``, newest first, at most ``limit`` each."""
        alerts, c, o = t.alerts.c, t.conversations.c, t.outcomes.c
        dismissed = exists().where(
            o.alert_id == alerts.id,
            o.kind.in_([OutcomeKind.NOT_RELEVANT.value, OutcomeKind.NOT_WORTH_IT.value]),
        )
        statement = (
            select(alerts.topic, c.title, c.text, case((dismissed, 1), else_=0).label("dismissed"))
            .select_from(ALERT_JOIN)
            .where(alerts.created_at >= since, or_(dismissed, alerts.claimed_by.is_not(None)))
            .order_by(alerts.created_at.desc(), alerts.id.desc())
        )
        out: dict[str, tuple[list[str], list[str]]] = {}
        for row in await self._conn.execute(statement):
            bad, good = out.setdefault(row.topic, ([], []))
            bucket = bad if row.dismissed else good
            if len(bucket) < limit:
                bucket.append(f"{row.title}\n{row.text or ''}")
        return out
