"""A local Discord, a migrated store with alerts to post, and DiscordChat wired to both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import discord
import pytest

from earshot.adapters.chat.discord.chat import DiscordChat
from earshot.adapters.chat.discord.config import DiscordConfig, Leadership
from earshot.adapters.http import SafeHttp
from earshot.adapters.sources import build_sources, declarations
from earshot.adapters.storage import SqlStore
from earshot.adapters.storage.leader import SoleLeader
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Alert, Conversation, Feed
from earshot.bot.finding.scoring import Reason, ReasonKind
from earshot.bot.ports import NewAlert
from tests.fakes.clock import T0, Clock
from tests.fakes.discord import TOKEN, WAIT, FakeDiscord

MakeChat = Callable[..., Awaitable[DiscordChat]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """The local Discord; discord.py's addresses are put back afterwards."""
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    server = FakeDiscord()
    await server.start()
    try:
        yield server
    finally:
        await server.close()
        discord.http.Route.BASE = base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@pytest.fixture
def clock() -> Clock:
    """A clock that stands still."""
    return Clock(T0 + timedelta(hours=1))


@pytest.fixture
async def desk(store: SqlStore, clock: Clock) -> AsyncIterator[ChatActions]:
    """ChatActions on the test store, with the real sources."""
    http = SafeHttp()
    try:
        yield ChatActions(store, build_sources(http, {}), clock, kinds=declarations())
    finally:
        await http.aclose()


@pytest.fixture
def config(fake: FakeDiscord) -> DiscordConfig:
    """The Discord config, pointing at the fake."""
    return DiscordConfig(token=TOKEN, guild=None, api_base=fake.api_base, gateway_url=fake.gateway_url)


@pytest.fixture
async def make_chat(fake: FakeDiscord, desk: ChatActions, config: DiscordConfig) -> AsyncIterator[MakeChat]:
    """Starts DiscordChats (each a process's adapter) and waits until the gateway is ready; stops them after."""
    made: list[DiscordChat] = []

    async def make(*, listen: bool = True, leader: Leadership | None = None, **changes: Any) -> DiscordChat:
        chat = DiscordChat(
            replace(config, **changes),
            "conversations",
            desk,
            sorted(desk.sources),
            leader or SoleLeader(),
            guild_ready_timeout=0.1,
            leader_check=0.05,
        )
        made.append(chat)
        if listen:
            await chat.start()
            await asyncio.wait_for(chat.connected.wait(), WAIT)
        return chat

    try:
        yield make
    finally:
        for chat in made:
            await chat.stop()


def conversation(n: int, **fields: Any) -> Conversation:
    """A Hacker News story in the shape the source produces."""
    fields.setdefault("title", f"Which vector database do you recommend? ({n})")
    fields.setdefault("text", "We are choosing between pgvector and a dedicated store. Experiences?")
    fields.setdefault("created_at", T0)
    fields.setdefault("url", f"https://news.ycombinator.com/item?id={40000000 + n}")
    fields.setdefault("author", "pg_fan")
    return Conversation(source="hackernews", external_id=str(40000000 + n), thread_size=3, points=12, **fields)


async def add_alert(store: SqlStore, n: int = 1, *, channel: str | None = None, **fields: Any) -> int:
    """Store a conversation and a pending alert for it; return the alert id."""
    async with store.unit() as unit:
        if await unit.get_feed("hn") is None:
            await unit.add_feed(Feed("hn", "hackernews", timedelta(minutes=5)), T0)
        stored = await unit.insert_conversations([conversation(n, **fields)], "hn", T0)
        reasons = (Reason("asks for a recommendation", 30, ReasonKind.INTENT), Reason("3 replies", 10, ReasonKind.ROOM))
        await unit.insert_alerts([NewAlert(stored[0][0], "vector-db", channel, ("vector database",), 72, reasons)], T0)
    async with store.engine.connect() as connection:
        from sqlalchemy import func, select

        from earshot.adapters.storage import tables

        return int((await connection.execute(select(func.max(tables.alerts.c.id)))).scalar_one())


async def stored(store: SqlStore, alert_id: int) -> Alert:
    """The alert as the database holds it now (it must be there)."""
    async with store.unit() as unit:
        alert = await unit.get_alert(alert_id)
    assert alert is not None
    return alert


async def deliver(store: SqlStore, chat: DiscordChat, clock: Clock) -> Any:
    """Deliver what is pending through the real Deliverer; returns its report."""
    return await Deliverer(store, chat, clock, "test-owner").deliver()


def buttons(message: dict[str, Any]) -> list[str]:
    """The custom_ids (or URLs, for link buttons) of a message's buttons, in order."""
    return [c.get("custom_id") or c.get("url") for row in message["components"] for c in row["components"]]


def fields(message: dict[str, Any]) -> dict[str, str]:
    """The first embed's fields, by name."""
    return {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}


async def posted(fake: FakeDiscord, store: SqlStore, chat: Any, clock: Clock, **alert: Any) -> tuple[int, str]:
    """Store an alert, deliver it, and return its id and its message id."""
    alert_id = await add_alert(store, **alert)
    report = await deliver(store, chat, clock)
    assert report.delivered == 1, report
    return alert_id, list(fake.messages)[-1]


def private_notes(fake: FakeDiscord, interaction_id: str) -> list[dict[str, Any]]:
    """What only the presser sees: an ephemeral answer (type 4), or ephemeral follow-ups after a deferral."""
    answer = fake.callback_for(interaction_id) or {}
    first = [answer["data"]] if answer.get("type") == 4 and answer["data"].get("flags") == 64 else []
    return first + [f for f in fake.followups_for(interaction_id) if f.get("flags") == 64]
