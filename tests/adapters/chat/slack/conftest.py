"""Alerts in the shapes the pipeline makes them, and a fake Slack to post them to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain import Alert, Conversation, Sighting, Summary
from tests.fakes.slack import FakeSlack

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

QUESTION = Conversation(
    source="hackernews",
    external_id="9003",
    url="https://news.ycombinator.com/item?id=9003",
    title="Ask HN: Which vector database do you run in production?",
    text="We moved from Mongo to Postgres with pgvector, any regrets? <b>Recall</b> dropped at 10M rows.",
    author="alice",
    created_at=datetime(2025, 3, 1, 11, 20, tzinfo=UTC),
    thread_size=14,
    points=31,
    community="Ask HN",
)


def make_alert(alert_id: int = 42, **fields: object) -> Alert:
    """An alert for the vector-db topic, delivered nowhere yet."""
    values: dict[str, object] = {
        "id": alert_id,
        "topic": "vector-db",
        "channel": None,
        "conversation": QUESTION,
        "matched": ("pgvector",),
        "score": 72,
        "created_at": T0,
        "reasons": ("asks for a recommendation", "40 min old", "14 replies"),
        "summary": Summary("Which vector database holds up at 10M rows?", ("two say pgvector with HNSW is fine",)),
        "also_seen": (
            Sighting("reddit", "https://www.reddit.com/r/PostgreSQL/comments/abc/", "Same question", "r/PostgreSQL", 9),
        ),
    }
    values.update(fields)
    return Alert(**values)  # type: ignore[arg-type]


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every mrkdwn string in the blocks (plain_text never pings, so only these matter)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel("C0ALERTS1", "conversations")
        fake.add_channel("C0VECTOR1", "vector-db")
        fake.add_channel("C0LOCKED1", "locked", is_member=False)
        fake.add_channel("C0OLD0001", "old-news", is_archived=True)
        fake.add_user("U0ALICE01", "alice")
        fake.add_user("U0BOB0001", "bob")
        fake.add_user("U0ADMIN01", "ada", is_admin=True)
        yield fake
