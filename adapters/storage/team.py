"""Team handles and participation checks: who on the team is who on each source, and what re-reading threads found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, delete, exists, insert, or_, select, update

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import ALERT_COLUMNS, UnitBase, alert_from_row
from earshot.bot.domain import Handle, Participation
from earshot.bot.errors import AlreadyExists, LeaseLost
from earshot.bot.ports import DueCheck
from earshot.bot.records import TeamReply

PLAN_BATCH = 500  # claimed alerts given their checks per round; the rest follow next round


def _participation(row: Row[Any]) -> Participation:
    return Participation(
        alert_id=row.alert_id,
        after=timedelta(seconds=row.after_seconds),
        checked_at=row.checked_at,
        replied_by=row.replied_by,
        replied_at=row.replied_at,
        responses=row.responses or 0,
        votes=row.votes,
        reply_url=row.reply_url,
        promoted=row.promoted,
        disclosed=row.disclosed,
    )


class TeamMixin(UnitBase):
    """The Unit methods for team handles and participation checks."""

    async def list_handles(self, member: str | None = None) -> list[Handle]:
        """Every teammate's handles (or one member's), by member and source."""
        h = t.team_handles.c
        statement = select(t.team_handles).order_by(h.member, h.source)
        if member is not None:
            statement = statement.where(h.member == member)
        return [Handle(r.member, r.source, r.handle, r.name) for r in await self._conn.execute(statement)]

    async def set_handles(self, handles: Sequence[Handle], now: datetime) -> None:
        """Link each handle to its member, replacing that member's earlier handle on the same source;
        AlreadyExists when another member holds one of them (nothing is changed then)."""
        h = t.team_handles.c
        for handle in handles:
            holder = (
                await self._conn.execute(
                    select(h.member, h.name).where(h.source == handle.source, h.handle == handle.handle)
                )
            ).first()
            if holder is not None and holder.member != handle.member:
                raise AlreadyExists(
                    f"{handle.handle} on {handle.source} is linked to {holder.name or holder.member} already; "
                    "they can change it with `me`, or an admin with `earshot team set`"
                )
        for handle in handles:
            await self._conn.execute(delete(t.team_handles).where(h.member == handle.member, h.source == handle.source))
            await self._conn.execute(
                insert(t.team_handles).values(
                    member=handle.member, name=handle.name, source=handle.source, handle=handle.handle, updated_at=now
                )
            )
        names = {handle.member: handle.name for handle in handles if handle.name}
        for member, name in names.items():  # one display name per member, the latest given
            await self._conn.execute(update(t.team_handles).where(h.member == member).values(name=name))

    async def plan_checks(
        self, now: datetime, afters: Sequence[timedelta], sources: Sequence[str], claimed_since: datetime
    ) -> int:
        """Add the missing checks (one per ``after``) of alerts claimed since ``claimed_since`` whose
        conversation comes from one of ``sources``; return how many alerts got them. Safe to run concurrently."""
        if not afters or not sources:
            return 0
        a, c, p = t.alerts.c, t.conversations.c, t.participation.c
        # The source is checked per alert (by the conversation's key), not joined: the plan then starts from the
        # recent claims (ix_alerts_claimed_at), never from every conversation of a source.
        claimed = (
            select(a.id, a.claimed_at)
            .where(
                a.claimed_by.is_not(None),
                a.claimed_at >= claimed_since,
                exists().where(c.id == a.conversation_id, c.source.in_(list(sources))),
                ~exists().where(p.alert_id == a.id, p.claimed_at == a.claimed_at),
            )
            .order_by(a.claimed_at, a.id)
            .limit(PLAN_BATCH)
        )
        rows = list(await self._conn.execute(claimed))
        if not rows:
            return 0
        values = [
            {
                "alert_id": row.id,
                "claimed_at": row.claimed_at,
                "after_seconds": round(after.total_seconds()),
                "due_at": row.claimed_at + after,
                "attempts": 0,
            }
            for row in rows
            for after in afters
        ]
        # Two processes planning at once: the unique (alert_id, claimed_at, after_seconds) keeps one row each.
        statement = self._insert(t.participation).on_conflict_do_nothing(
            index_elements=["alert_id", "claimed_at", "after_seconds"]
        )
        await self._conn.execute(statement, values)
        return len(rows)

    async def lease_checks(self, now: datetime, owner: str, lease_for: timedelta, limit: int) -> list[DueCheck]:
        """Atomically lease due, unfinished checks nobody else holds, earliest first."""
        p = t.participation.c
        candidates = (
            select(p.id)
            .where(
                p.checked_at.is_(None),
                p.due_at <= now,
                or_(p.lease_until.is_(None), p.lease_until <= now, p.lease_owner == owner),
            )
            .order_by(p.due_at, p.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(t.participation)
            .where(p.id.in_(candidates.scalar_subquery()), p.checked_at.is_(None))
            .values(lease_owner=owner, lease_until=now + lease_for)
            .returning(p.id)
        )
        ids = [row.id for row in await self._conn.execute(statement)]
        if not ids:
            return []
        joined = t.participation.join(t.alerts, p.alert_id == t.alerts.c.id).join(
            t.conversations, t.alerts.c.conversation_id == t.conversations.c.id
        )
        rows = await self._conn.execute(
            select(p.id.label("check_id"), p.after_seconds, p.attempts.label("check_attempts"), *ALERT_COLUMNS)
            .select_from(joined)
            .where(p.id.in_(ids))
            .order_by(p.due_at, p.id)
        )
        return [
            DueCheck(row.check_id, alert_from_row(row), timedelta(seconds=row.after_seconds), row.check_attempts)
            for row in rows
        ]

    async def finish_check(self, check_id: int, owner: str, result: Participation) -> None:
        """Store a check's result and release it; LeaseLost if ``owner`` no longer holds it."""
        p = t.participation.c
        done = await self._conn.execute(
            update(t.participation)
            .where(p.id == check_id, p.lease_owner == owner, p.checked_at.is_(None))
            .values(
                checked_at=result.checked_at,
                replied_by=result.replied_by,
                replied_at=result.replied_at,
                responses=result.responses,
                votes=result.votes,
                reply_url=result.reply_url,
                promoted=result.promoted,
                disclosed=result.disclosed,
                last_error=None,
                lease_owner=None,
                lease_until=None,
            )
        )
        if done.rowcount != 1:
            raise LeaseLost(f"participation check {check_id} is no longer held by {owner}")

    async def fail_check(
        self, check_id: int, owner: str, now: datetime, *, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed check: due again at ``retry_at``, or given up (finished, with the error) when None."""
        p = t.participation.c
        values: dict[str, Any] = {
            "attempts": p.attempts + 1,
            "last_error": error[:2000],
            "lease_owner": None,
            "lease_until": None,
        }
        if retry_at is None:
            values["checked_at"] = now
        else:
            values["due_at"] = retry_at
        done = await self._conn.execute(
            update(t.participation)
            .where(p.id == check_id, p.lease_owner == owner, p.checked_at.is_(None))
            .values(**values)
        )
        if done.rowcount != 1:
            raise LeaseLost(f"participation check {check_id} is no longer held by {owner}")

    async def latest_participation(self, alert_id: int, before: datetime | None = None) -> Participation | None:
        """The most recent finished check of an alert (finished before ``before``, if given) that read the thread."""
        p = t.participation.c
        # A check that gave up has no result (responses stays NULL): it says nothing about the thread.
        condition = and_(p.alert_id == alert_id, p.checked_at.is_not(None), p.responses.is_not(None))
        if before is not None:
            condition = and_(condition, p.checked_at < before)
        row = (
            await self._conn.execute(
                select(t.participation)
                .where(condition)
                .order_by(p.checked_at.desc(), p.after_seconds.desc(), p.id.desc())
                .limit(1)
            )
        ).first()
        return _participation(row) if row is not None else None

    async def team_replies(
        self, *, since: datetime | None = None, place: tuple[str, str | None] | None = None, limit: int = 200
    ) -> list[TeamReply]:
        """The team's counted replies, one per alert (its latest finished check), newest check first."""
        p, a, c = t.participation.c, t.alerts.c, t.conversations.c
        condition = and_(p.replied_by.is_not(None), p.checked_at.is_not(None), p.responses.is_not(None))
        if since is not None:
            condition = and_(condition, p.checked_at >= since)
        if place is not None:
            source, community = place
            where = c.community.is_(None) if community is None else c.community == community
            condition = and_(condition, c.source == source, where)
        query = (
            select(p.alert_id, p.checked_at, p.replied_by, p.replied_at, p.responses, p.reply_url, p.promoted)
            .add_columns(p.disclosed, c.source, c.community, c.url, c.title)
            .select_from(
                t.participation.join(t.alerts, a.id == p.alert_id).join(t.conversations, c.id == a.conversation_id)
            )
            .where(condition)
            .order_by(p.checked_at.desc(), p.after_seconds.desc(), p.id.desc())
        )
        found: dict[int, TeamReply] = {}
        for row in await self._conn.execute(query):
            if row.alert_id in found:
                continue  # an earlier check of the same alert
            found[row.alert_id] = TeamReply(
                row.alert_id,
                row.source,
                row.community,
                row.url,
                row.title,
                row.replied_by,
                row.replied_at,
                row.checked_at,
                row.responses,
                row.reply_url,
                row.promoted,
                row.disclosed,
            )
            if len(found) == limit:
                break
        return list(found.values())
