"""Translation between rows and domain objects, and what the unit's parts share."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from earshot.adapters.storage import tables as t
from earshot.adapters.storage.types import storable
from earshot.bot.domain import Alert, Conversation, DeliveryState, Feed, FeedState, Sighting, Summary, Topic
from earshot.bot.urls import canonical_url

KEY_LIMIT = 1000  # characters of a unique key; PostgreSQL cannot index much more than 2,700 bytes


class UnitBase:
    """The connection a unit runs on, and the dialect-specific insert its parts need."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert:
        """An INSERT that knows ``ON CONFLICT`` in this dialect."""
        if self._conn.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)


def bounded_key(value: str) -> str:
    """``value`` (:func:`storable`) when short enough to index; otherwise a prefix and a digest, unique and stable."""
    value = storable(value)  # as stored, so a key compared in Python is the key the database returns
    if len(value) <= KEY_LIMIT:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()
    return f"{value[: KEY_LIMIT - len(digest) - 1]}#{digest}"


def url_key(url: str) -> str | None:
    """The dedup key of a conversation URL, or None when there is no URL."""
    canonical = canonical_url(url)
    return bounded_key(canonical) if canonical else None


def topic_from_row(row: Row[Any]) -> Topic:
    """A Topic from a ``topics`` row."""
    return Topic(
        name=row.name,
        query=row.query,
        channel=row.channel,
        enabled=row.enabled,
        origin=row.origin,
        min_score=row.min_score,
        languages=tuple(row.languages or ()),
        exclude_authors=tuple(row.exclude_authors or ()),
        exclude_sources=tuple(row.exclude_sources or ()),
        about=row.about or "",
        examples=tuple(row.examples or ()),
        counter_examples=tuple(row.counter_examples or ()),
        without_keyword=bool(row.without_keyword),
        accept=row.accept or "",
    )


def feed_from_row(row: Row[Any]) -> Feed:
    """A Feed from a ``feeds`` row."""
    return Feed(
        name=row.name,
        kind=row.kind,
        every=timedelta(seconds=row.every_seconds),
        url=row.url,
        query=row.query,
        options=dict(row.options or {}),
        enabled=row.enabled,
        origin=row.origin,
    )


def feed_state_from_row(row: Row[Any]) -> FeedState:
    """A FeedState from a ``feeds`` row."""
    return FeedState(
        feed=feed_from_row(row),
        cursor=dict(row.cursor or {}),
        seeded=row.seeded,
        next_poll_at=row.next_poll_at,
        last_polled_at=row.last_polled_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures,
    )


def feed_values(feed: Feed) -> dict[str, Any]:
    """The ``feeds`` columns a Feed defines (not its state)."""
    return {
        "name": feed.name,
        "kind": feed.kind,
        "url": feed.url,
        "query": feed.query,
        "every_seconds": max(1, round(feed.every.total_seconds())),
        "options": dict(feed.options),
        "enabled": feed.enabled,
        "origin": feed.origin,
    }


def topic_values(topic: Topic) -> dict[str, Any]:
    """The ``topics`` columns a Topic defines."""
    return {
        "name": topic.name,
        "query": topic.query,
        "channel": topic.channel,
        "enabled": topic.enabled,
        "origin": topic.origin,
        "min_score": topic.min_score,
        "languages": list(topic.languages),
        "exclude_authors": list(topic.exclude_authors),
        "exclude_sources": list(topic.exclude_sources),
        "about": topic.about,
        "examples": list(topic.examples),
        "counter_examples": list(topic.counter_examples),
        "without_keyword": topic.without_keyword,
        "accept": topic.accept,
    }


def _text(value: str | None) -> str | None:
    # The columns would store it so anyway; done here too so the keys compared below are the ones stored.
    return storable(value) if value else value


def conversation_values(item: Conversation) -> dict[str, Any]:
    """The ``conversations`` columns of an item (without ``feed`` and ``first_seen_at``)."""
    return {
        "source": item.source,
        "external_id": bounded_key(item.external_id),
        "url": _text(item.url),
        "url_key": url_key(storable(item.url)),
        "link": _text(item.link),
        "title": _text(item.title),
        "text": (_text(item.text) or "")[: t.TEXT_LIMIT],
        "author": _text(item.author),
        "community": _text(item.community),
        "kind": item.kind,
        "created_at": item.created_at,
        "thread_size": item.thread_size,
        "points": item.points,
        "state": stored_code(item.state),
        "language": stored_code(item.language),
        "untitled": item.untitled,
    }


def stored_code(value: str | None) -> str | None:
    """A short code (a state, a language) as its column holds it: at most 20 characters; None when empty."""
    return (storable(value)[:20] or None) if value else None


# Columns of the alert-with-conversation join, labelled so the two tables' names do not clash.
ALERT_COLUMNS = (
    *t.alerts.c,
    t.conversations.c.source.label("c_source"),
    t.conversations.c.external_id.label("c_external_id"),
    t.conversations.c.url.label("c_url"),
    t.conversations.c.title.label("c_title"),
    t.conversations.c.text.label("c_text"),
    t.conversations.c.author.label("c_author"),
    t.conversations.c.created_at.label("c_created_at"),
    t.conversations.c.thread_size.label("c_thread_size"),
    t.conversations.c.points.label("c_points"),
    t.conversations.c.link.label("c_link"),
    t.conversations.c.community.label("c_community"),
    t.conversations.c.kind.label("c_kind"),
    t.conversations.c.state.label("c_state"),
    t.conversations.c.language.label("c_language"),
    t.conversations.c.untitled.label("c_untitled"),
)
ALERT_JOIN = t.alerts.join(t.conversations, t.alerts.c.conversation_id == t.conversations.c.id)


def alert_from_row(row: Row[Any]) -> Alert:
    """An Alert from a row of ``ALERT_COLUMNS``."""
    conversation = Conversation(
        source=row.c_source,
        external_id=row.c_external_id,
        url=row.c_url,
        title=row.c_title,
        text=row.c_text,
        author=row.c_author,
        created_at=row.c_created_at,
        thread_size=row.c_thread_size,
        points=row.c_points,
        link=row.c_link,
        community=row.c_community,
        kind=row.c_kind,
        state=row.c_state,
        language=row.c_language,
        untitled=bool(row.c_untitled),
    )
    return Alert(
        id=row.id,
        topic=row.topic,
        channel=row.channel,
        conversation=conversation,
        matched=tuple(row.matched or ()),
        score=row.score,
        created_at=row.created_at,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        delivered_at=row.delivered_at,
        message_ref=row.message_ref,
        last_error=row.last_error,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        reasons=tuple(str(r.get("label", "")) for r in row.reasons or () if isinstance(r, dict)),
        summary=summary_from_json(row.summary),
        held_at=row.held_at,
    )


def summary_values(summary: Summary) -> dict[str, Any]:
    """The ``alerts.summary`` JSON of a Summary."""
    return {"question": summary.question, "said": list(summary.said), "method": summary.method}


def summary_from_json(value: Any) -> Summary | None:
    """A Summary from ``alerts.summary``, or None when there is none (or it is not one)."""
    if not isinstance(value, dict) or not isinstance(value.get("question"), str):
        return None
    said = value.get("said")
    return Summary(
        question=value["question"],
        said=tuple(s for s in said if isinstance(s, str)) if isinstance(said, list) else (),
        method=str(value.get("method") or "extractive"),
    )


async def load_sightings(connection: AsyncConnection, alerts: list[Alert]) -> list[Alert]:
    """The alerts with their sightings (other discussions of the same link), oldest sighting first."""
    if not alerts:
        return alerts
    c = t.conversations.c
    statement = (
        select(t.sightings.c.alert_id, c.source, c.url, c.title, c.community, c.thread_size, c.points)
        .select_from(t.sightings.join(t.conversations, t.sightings.c.conversation_id == c.id))
        .where(t.sightings.c.alert_id.in_([a.id for a in alerts]))
        .order_by(t.sightings.c.id)
    )
    seen: dict[int, list[Sighting]] = {}
    for row in await connection.execute(statement):
        sighting = Sighting(row.source, row.url, row.title, row.community, row.thread_size, row.points)
        seen.setdefault(row.alert_id, []).append(sighting)
    return [replace(a, also_seen=tuple(seen.get(a.id, ()))) for a in alerts]
