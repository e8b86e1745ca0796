"""Alerts in the shapes the pipeline makes them, and a fake Slack to post them to."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from earshot.adapters.chat.slack.chat import SlackChat, SlackConfig
from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.sources import build_sources, declarations
from earshot.adapters.storage import SqlStore
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Alert, Conversation, Sighting, Summary
from earshot.bot.ports import NewAlert
from tests.adapters.storage.helpers import alert_ids
from tests.fakes.clock import Clock
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack, form_body, signed, slash_command

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


@dataclass
class Rig:
    """A Slack app wired to real ChatActions on a fresh database, serving HTTP mode, and the fake Slack it talks to."""

    slack: FakeSlack
    store: SqlStore
    desk: ChatActions
    chat: SlackChat
    clock: Clock
    http: aiohttp.ClientSession

    @property
    def events_url(self) -> str:
        assert self.chat.address is not None
        host, port = self.chat.address
        return f"http://{host}:{port}/slack/events"

    async def send(
        self, body: str, *, content_type: str = "application/json", **headers: str
    ) -> aiohttp.ClientResponse:
        """POST a request signed as Slack signs it."""
        signed_headers = signed(body, content_type=content_type) | headers
        async with self.http.post(self.events_url, data=body.encode(), headers=signed_headers) as response:
            await response.read()
            return response

    async def event(self, payload: dict[str, Any], **headers: str) -> aiohttp.ClientResponse:
        return await self.send(json.dumps(payload), **headers)

    async def interact(self, payload: dict[str, Any]) -> aiohttp.ClientResponse:
        return await self.send(form_body(payload), content_type="application/x-www-form-urlencoded")

    async def command(self, text: str, user: str = "U0ALICE01", channel: str = "C0ALERTS1") -> dict[str, Any]:
        """Run /earshot and return what it answered on the response URL."""
        before = len(self.slack.responses)
        await self.send_command(text, user, channel)
        return await self.slack.wait_for(lambda: self.slack.responses[before:] and self.slack.responses[before])

    async def send_command(self, text: str, user: str = "U0ALICE01", channel: str = "C0ALERTS1") -> None:
        """Run /earshot, acked; what it does next (a form, an answer) is for the caller to wait for."""
        fields = slash_command(text, user, channel, response_url=self.slack.response_url("cmd"))
        response = await self.send(urlencode(fields), content_type="application/x-www-form-urlencoded")
        assert response.status == 200

    async def post_alert(self, n: int = 1, *, topic: str = "vector-db", channel: str | None = None) -> Alert:
        """Store a conversation and its alert, deliver it through the real outbox, and return it as delivered."""
        await self.store_alert(n, topic=topic, channel=channel)
        report = await Deliverer(self.store, self.chat, self.clock, "test").deliver()
        assert report.delivered == 1, report
        newest = (await alert_ids(self.store))[-1]
        async with self.store.unit() as unit:
            alert = await unit.get_alert(newest)
        assert alert is not None and alert.message_ref
        return alert

    async def store_alert(self, n: int = 1, *, topic: str = "vector-db", channel: str | None = None) -> None:
        """Store a conversation and its pending alert (the outbox row), as the poller does."""
        async with self.store.unit() as unit:
            stored = await unit.insert_conversations(
                [replace(QUESTION, external_id=str(9000 + n), url=f"https://news.ycombinator.com/item?id={9000 + n}")],
                "hn",
                self.clock(),
            )
            await unit.insert_alerts([NewAlert(stored[0][0], topic, channel, ("pgvector",), 72)], self.clock())


def slack_config(slack: FakeSlack, **fields: Any) -> SlackConfig:
    """SlackChat settings pointing at the fake: HTTP mode on a free local port unless told otherwise."""
    values: dict[str, Any] = {
        "channel": "conversations",
        "bot_token": BOT_TOKEN,
        "app_token": APP_TOKEN,
        "signing_secret": SIGNING_SECRET,
        "mode": "http",
        "api_url": slack.api_url,
        "host": "127.0.0.1",
        "port": 0,
    }
    values.update(fields)
    return SlackConfig(**values)


@pytest.fixture
async def rig(slack: FakeSlack, store: SqlStore) -> AsyncIterator[Rig]:
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    async with SafeHttp(FetchPolicy()) as http:
        desk = ChatActions(store, build_sources(http, {}), clock, kinds=declarations())
        chat = SlackChat(slack_config(slack), desk, clock)
        await chat.start()
        try:
            async with aiohttp.ClientSession() as session:
                yield Rig(slack, store, desk, chat, clock, session)
        finally:
            await chat.stop()
