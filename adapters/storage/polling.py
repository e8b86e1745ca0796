"""Polling: leasing due feeds, storing what they return, and recording how the poll went."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.crossposts import CrosspostMixin, alert_row, group_crossposts
from earshot.adapters.storage.rows import conversation_values, feed_state_from_row
from earshot.bot.domain import Conversation, FeedState
from earshot.bot.errors import LeaseLost
from earshot.bot.ports import NewAlert


class PollingMixin(CrosspostMixin):
    """The Unit methods a poll uses."""

    async def lease_feeds(
        self,
        now: datetime,
        owner: str,
        lease_for: timedelta,
        *,
        names: Sequence[str] | None = None,
        due_only: bool = True,
    ) -> list[FeedState]:
        """Atomically lease enabled feeds nobody else holds: the due ones, or only ``names``.

        A lease the same owner holds already counts as free, so an owner that lost track of its own lease
        (a crash and a restart under the same name) does not wait it out.
        """
        feeds = t.feeds.c
        candidates = select(feeds.id).where(
            feeds.enabled,
            or_(feeds.lease_until.is_(None), feeds.lease_until <= now, feeds.lease_owner == owner),
        )
        if due_only:
            candidates = candidates.where(or_(feeds.next_poll_at.is_(None), feeds.next_poll_at <= now))
        if names is not None:
            candidates = candidates.where(feeds.name.in_(list(names)))
        # SKIP LOCKED: a feed another transaction is leasing right now is simply not ours this time.
        # SQLite has no FOR UPDATE (SQLAlchemy omits it); its write lock serialises the whole statement instead.
        candidates = candidates.order_by(feeds.id).with_for_update(skip_locked=True)
        statement = (
            update(t.feeds)
            .where(feeds.id.in_(candidates.scalar_subquery()))
            .values(lease_owner=owner, lease_until=now + lease_for)
            .returning(*t.feeds.c)
        )
        leased = [feed_state_from_row(row) for row in await self._conn.execute(statement)]
        return sorted(leased, key=lambda state: state.feed.name)

    async def insert_conversations(
        self, items: Sequence[Conversation], feed: str, now: datetime
    ) -> list[tuple[int, Conversation]]:
        """Store items not seen before (same source id, or same conversation URL); return only those, with ids.

        The returned conversations are the ones given, with their full text; the stored text is capped.
        """
        fresh: list[tuple[Conversation, dict[str, Any]]] = []
        keys: set[tuple[str, str]] = set()
        url_keys: set[str] = set()
        for item in items:
            values = conversation_values(item)
            key = (values["source"], values["external_id"])
            if key in keys or (values["url_key"] is not None and values["url_key"] in url_keys):
                continue
            keys.add(key)
            if values["url_key"] is not None:
                url_keys.add(values["url_key"])
            fresh.append((item, dict(values, feed=feed, first_seen_at=now)))
        ids: dict[tuple[str, str], int] = {}
        if fresh:
            # No conflict target: a row that collides on either unique key, the source id or the URL, is skipped.
            # Executed with a list of rows, so SQLAlchemy batches them ("insertmanyvalues") from one cached
            # compiled statement instead of compiling a new multi-row VALUES clause per poll.
            statement = (
                self._insert(t.conversations)
                .on_conflict_do_nothing()
                .returning(t.conversations.c.id, t.conversations.c.source, t.conversations.c.external_id)
            )
            for row in await self._conn.execute(statement, [values for _, values in fresh]):
                ids[(row.source, row.external_id)] = row.id
        # RETURNING promises no order; the source key maps each new id back to its item.
        stored: list[tuple[int, Conversation]] = []
        for item, values in fresh:
            conversation_id = ids.get((values["source"], values["external_id"]))
            if conversation_id is not None:
                stored.append((conversation_id, item))
        return stored

    async def insert_alerts(
        self, alerts: Sequence[NewAlert], now: datetime, *, crosspost_since: datetime | None = None
    ) -> int:
        """Write alerts (pending or below_min), skipping (topic, conversation) pairs alerted before; return how many.

        With ``crosspost_since``, alerts of one topic that share a link (in this batch, or with an alert written
        since then) make one alert; the others become sightings on it (see ``CrosspostMixin``).
        """
        if not alerts:
            return 0
        names = sorted({alert.topic for alert in alerts})
        known = await self._conn.execute(select(t.topics.c.name, t.topics.c.id).where(t.topics.c.name.in_(names)))
        topic_ids = {row.name: row.id for row in known}
        unique = list({(a.topic, a.conversation_id): a for a in reversed(alerts)}.values())[::-1]  # first wins
        if crosspost_since is not None:
            return await self._insert_grouped(group_crossposts(unique), topic_ids, now, crosspost_since)
        rows = [alert_row(alert, topic_ids.get(alert.topic), now) for alert in unique]
        statement = self._insert(t.alerts).on_conflict_do_nothing().returning(t.alerts.c.id)
        return len((await self._conn.execute(statement, rows)).all())

    async def finish_poll(
        self, feed: str, owner: str, now: datetime, *, cursor: dict[str, Any], next_poll_at: datetime
    ) -> None:
        """Record a successful poll: cursor, seeded, failures reset, lease released."""
        statement = (
            update(t.feeds)
            .where(t.feeds.c.name == feed, t.feeds.c.lease_owner == owner)
            .values(
                cursor=cursor,
                seeded=True,
                last_polled_at=now,
                last_success_at=now,
                last_error=None,
                consecutive_failures=0,
                next_poll_at=next_poll_at,
                lease_owner=None,
                lease_until=None,
            )
        )
        if (await self._conn.execute(statement)).rowcount == 0:
            raise _feed_lease_lost(feed, owner)

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
        kept = {} if cursor is None else {"cursor": cursor}
        statement = (
            update(t.feeds)
            .where(t.feeds.c.name == feed, t.feeds.c.lease_owner == owner)
            .values(
                **kept,
                last_error=error,
                last_polled_at=now,
                consecutive_failures=t.feeds.c.consecutive_failures + 1,
                next_poll_at=next_poll_at,
                lease_owner=None,
                lease_until=None,
            )
            .returning(t.feeds.c.consecutive_failures)
        )
        failures = (await self._conn.execute(statement)).scalar_one_or_none()
        if failures is None:
            raise _feed_lease_lost(feed, owner)
        return int(failures)


def _feed_lease_lost(feed: str, owner: str) -> LeaseLost:
    return LeaseLost(f"feed {feed!r} is no longer leased to {owner!r}: another process took it over, or it was removed")
