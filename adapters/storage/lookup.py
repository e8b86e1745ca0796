"""Looking things up for people: a stored conversation by URL or alert, alerts by state, topic or conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.rows import ALERT_COLUMNS, ALERT_JOIN, UnitBase, alert_from_row, url_key
from earshot.bot.domain import Alert, Conversation, DeliveryState
from earshot.bot.ports import StoredConversation
from earshot.bot.urls import canonical_url


def _conversation(row: Row[Any]) -> StoredConversation:
    item = Conversation(
        source=row.source,
        external_id=row.external_id,
        url=row.url,
        title=row.title,
        text=row.text,
        author=row.author,
        created_at=row.created_at,
        thread_size=row.thread_size,
        points=row.points,
        link=row.link,
        community=row.community,
        kind=row.kind,
        state=row.state,
        language=row.language,
        untitled=bool(row.untitled),
    )
    return StoredConversation(row.id, item, row.feed, row.first_seen_at)


class LookupMixin(UnitBase):
    """The Unit methods behind `earshot explain` and `earshot alerts list`."""

    async def find_conversation(
        self, *, url: str | None = None, alert_id: int | None = None
    ) -> StoredConversation | None:
        """The stored conversation at ``url`` (any form that canonicalises to its URL or its link) or of an alert."""
        c = t.conversations.c
        if alert_id is not None:
            statement = select(t.conversations).join(t.alerts, t.alerts.c.conversation_id == c.id)
            row = (await self._conn.execute(statement.where(t.alerts.c.id == alert_id))).first()
            return _conversation(row) if row is not None else None
        if not url:
            return None
        key = url_key(url)
        if key is not None:
            row = (await self._conn.execute(select(t.conversations).where(c.url_key == key))).first()
            if row is not None:
                return _conversation(row)
        # A link (what a story points at) is stored as given: try the forms people paste.
        forms = {url, canonical_url(url)} - {""}
        statement = select(t.conversations).where(c.link.in_(forms)).order_by(c.id).limit(1)
        row = (await self._conn.execute(statement)).first()
        return _conversation(row) if row is not None else None

    async def list_alerts(
        self,
        *,
        state: DeliveryState | None = None,
        topic: str | None = None,
        conversation_id: int | None = None,
        limit: int = 50,
    ) -> list[Alert]:
        """Alerts, newest first, narrowed by state, topic or conversation."""
        a = t.alerts.c
        statement = select(*ALERT_COLUMNS).select_from(ALERT_JOIN)
        if state is not None:
            statement = statement.where(a.state == state.value)
        if topic is not None:
            statement = statement.where(a.topic == topic)
        if conversation_id is not None:
            statement = statement.where(a.conversation_id == conversation_id)
        rows = await self._conn.execute(statement.order_by(a.id.desc()).limit(max(1, limit)))
        return [alert_from_row(row) for row in rows]

    async def recent_conversations(self, since: datetime, limit: int) -> list[StoredConversation]:
        """Up to ``limit`` conversations first seen at or after ``since``, newest first."""
        c = t.conversations.c
        statement = (
            select(t.conversations)
            .where(c.first_seen_at >= since)
            .order_by(c.first_seen_at.desc(), c.id.desc())
            .limit(max(1, limit))
        )
        return [_conversation(row) for row in await self._conn.execute(statement)]
