"""The team's numbers in SQL: per person, topic, source and community, a daily series, and report slots."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, cast, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import UnitBase
from earshot.bot.domain import DeliveryState, OutcomeKind
from earshot.bot.followup.participation import NEGATIVE_KINDS, REPLY_KINDS, RESPONSE_KINDS
from earshot.bot.followup.stats import DayCount, Stats, StatsRow, median

DIMENSIONS = ("topic", "source", "community")


def _any_outcome(kinds: frozenset[OutcomeKind]) -> ColumnElement[bool]:
    o = t.outcomes.c
    return exists().where(o.alert_id == t.alerts.c.id, o.kind.in_(sorted(k.value for k in kinds)))


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def facts(since: datetime, until: datetime, stale_before: datetime) -> Select[Any]:
    """One row per alert posted in [since, until]: its groups and 0/1 flags for what became of it.

    People's records win over the checks: a reply counts when recorded, or when a check found one and nobody
    said "not worth it" or "not relevant".
    """
    a, c, p = t.alerts.c, t.conversations.c, t.participation.c
    negative = _any_outcome(NEGATIVE_KINDS)
    checked_reply = exists().where(p.alert_id == a.id, p.replied_by.is_not(None))
    checked_answer = exists().where(p.alert_id == a.id, p.responses > 0)
    claimed = a.claimed_by.is_not(None)
    replied = and_(claimed, or_(_any_outcome(REPLY_KINDS), and_(checked_reply, ~negative)))
    responded = and_(replied, or_(_any_outcome(RESPONSE_KINDS), and_(checked_answer, ~negative)))
    dismissed = _any_outcome(frozenset({OutcomeKind.NOT_RELEVANT}))
    stale = and_(~claimed, ~dismissed, a.created_at <= stale_before)
    return (
        select(
            a.id.label("id"),
            a.topic.label("topic"),
            c.source.label("source"),
            func.coalesce(c.community, c.source).label("community"),
            a.claimed_by.label("person"),
            func.coalesce(a.delivered_at, a.created_at).label("posted_at"),
            a.created_at.label("created_at"),
            a.claimed_at.label("claimed_at"),
            _flag(claimed).label("claimed"),
            _flag(replied).label("replied"),
            _flag(responded).label("responded"),
            _flag(stale).label("stale"),
        )
        .select_from(t.alerts.join(t.conversations, a.conversation_id == c.id))
        .where(a.state == DeliveryState.DELIVERED.value, a.created_at >= since, a.created_at <= until)
    )


class StatsMixin(UnitBase):
    """The Unit methods behind `stats`, `earshot report` and the weekly report."""

    async def stats(self, since: datetime, until: datetime, stale_after: timedelta) -> Stats:
        """The numbers of the delivered alerts created in [since, until]; stale: unclaimed for ``stale_after``."""
        f = facts(since, until, until - stale_after).subquery("f")
        groups: dict[str, dict[str, dict[str, Any]]] = {}
        for dimension in ("total", "person", *DIMENSIONS):
            key = f.c[dimension] if dimension != "total" else None
            columns = [
                func.count().label("alerts"),
                func.sum(f.c.claimed).label("claimed"),
                func.sum(f.c.replied).label("replied"),
                func.sum(f.c.responded).label("responded"),
                func.sum(f.c.stale).label("stale"),
            ]
            statement = select(*columns) if key is None else select(key.label("key"), *columns).group_by(key)
            if dimension == "person":
                statement = statement.where(f.c.person.is_not(None))
            rows = await self._conn.execute(statement.select_from(f))
            groups[dimension] = {
                ("" if key is None else str(row.key)): {
                    "alerts": int(row.alerts or 0),
                    "claimed": int(row.claimed or 0),
                    "replied": int(row.replied or 0),
                    "responded": int(row.responded or 0),
                    "stale": int(row.stale or 0),
                }
                for row in rows
            }
        outcomes = await self._outcome_counts(f)
        delays = await self._claim_delays(f)
        built: dict[str, tuple[StatsRow, ...]] = {}
        for dimension, by_key in groups.items():
            built[dimension] = tuple(
                StatsRow(
                    key,
                    **numbers,
                    claim_median=median(delays[dimension].get(key, [])),
                    outcomes=dict(outcomes[dimension].get(key, {})),
                )
                for key, numbers in sorted(by_key.items())
                if numbers["alerts"]
            )
        total = built["total"][0] if built["total"] else StatsRow("")
        return Stats(
            since,
            until,
            total,
            people=built["person"],
            topics=built["topic"],
            sources=built["source"],
            communities=built["community"],
        )

    async def _outcome_counts(self, f: Any) -> dict[str, dict[str, dict[str, int]]]:
        """Per dimension and group: alerts per outcome (custom ones by label), each alert once per outcome."""
        o = t.outcomes.c
        name = case((o.kind == OutcomeKind.CUSTOM.value, func.coalesce(o.label, o.kind)), else_=o.kind)
        out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for dimension in ("total", "person", *DIMENSIONS):
            key = f.c[dimension] if dimension != "total" else cast(None, Integer)
            statement = (
                select(key.label("key"), name.label("name"), func.count(func.distinct(f.c.id)).label("n"))
                .select_from(f.join(t.outcomes, o.alert_id == f.c.id))
                .where(o.kind != OutcomeKind.NOTE.value)
                .group_by(key, name)
            )
            if dimension == "person":
                statement = statement.where(f.c.person.is_not(None))
            for row in await self._conn.execute(statement):
                out[dimension]["" if dimension == "total" else str(row.key)][row.name] = int(row.n)
        return out

    async def _claim_delays(self, f: Any) -> dict[str, dict[str, list[timedelta]]]:
        """Per dimension and group: each claimed alert's time from posting to claim (the median is taken here:
        SQLite has no percentile function)."""
        rows = list(
            await self._conn.execute(
                select(f.c.person, f.c.topic, f.c.source, f.c.community, f.c.posted_at, f.c.claimed_at).where(
                    f.c.claimed == 1
                )
            )
        )
        out: dict[str, dict[str, list[timedelta]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            posted, claimed = _aware(row.posted_at), _aware(row.claimed_at)
            if posted is None or claimed is None:
                continue
            delay = max(timedelta(0), claimed - posted)
            out["total"][""].append(delay)
            for dimension in ("person", *DIMENSIONS):
                out[dimension][str(getattr(row, dimension))].append(delay)
        return out

    async def day_counts(self, since: datetime, until: datetime) -> list[DayCount]:
        """Per topic and UTC day: alerts posted, claimed and replied to, days with nothing left out."""
        f = facts(since, until, until).subquery("f")
        rows = await self._conn.execute(select(f.c.topic, f.c.created_at, f.c.claimed, f.c.replied))
        counts: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for row in rows:
            created = _aware(row.created_at)
            assert created is not None
            bucket = counts[(created.date(), row.topic)]
            bucket[0] += 1
            bucket[1] += int(row.claimed)
            bucket[2] += int(row.replied)
        return [DayCount(day, topic, *numbers) for (day, topic), numbers in sorted(counts.items())]

    async def take_report(self, slot: str, owner: str, now: datetime, lease_for: timedelta) -> bool:
        """Take the right to post the report of ``slot``: True once per slot across processes, unless the taker
        failed to post it within the lease (then someone may take it again)."""
        r = t.reports.c
        taken = await self._conn.execute(
            update(t.reports)
            .where(
                r.slot == slot,
                r.sent_at.is_(None),
                or_(r.lease_until.is_(None), r.lease_until <= now, r.lease_owner == owner),
            )
            .values(lease_owner=owner, lease_until=now + lease_for)
        )
        if taken.rowcount == 1:
            return True
        exists_already = (await self._conn.execute(select(r.id).where(r.slot == slot))).first()
        if exists_already is not None:
            return False
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(t.reports).values(slot=slot, lease_owner=owner, lease_until=now + lease_for)
                )
        except IntegrityError:
            return False  # another process inserted it first
        return True

    async def finish_report(self, slot: str, owner: str, now: datetime, message_ref: str) -> None:
        """Mark the report of ``slot`` posted."""
        r = t.reports.c
        await self._conn.execute(
            update(t.reports)
            .where(r.slot == slot, r.lease_owner == owner)
            .values(sent_at=now, message_ref=message_ref, lease_owner=None, lease_until=None)
        )


def _aware(value: Any) -> datetime | None:
    """Subquery columns lose their UTC type on SQLite; make them aware UTC again."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    moment: datetime = value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
