"""The composition root: settings in, adapters built, core services wired. Nothing here runs at import time."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.chat.console import ConsoleChat
from adapters.chat.webhook import WebhookChat
from adapters.http import FetchPolicy, SafeHttp
from adapters.settings import Settings
from adapters.sources import build_sources
from adapters.storage import SqlStore, create_engine, describe_url, migrate
from bot.catalog import Catalog
from bot.claims import Claims
from bot.delivery import Deliverer, DeliveryPolicy
from bot.desk import Desk
from bot.errors import EarshotError
from bot.polling import Poller, PollPolicy
from bot.ports import NO_TELEMETRY, Chat, Source, Telemetry
from bot.scoring import ScoringPolicy

log = logging.getLogger("earshot")


class StartupError(EarshotError):
    """Earshot cannot run: the database is unreachable or behind, or a platform cannot be set up."""


def utc_now() -> datetime:
    """The clock every service gets."""
    return datetime.now(UTC)


def process_owner() -> str:
    """A name for this process in leases: host, pid and a random part (pids repeat across containers)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class App:
    """Everything a command needs, built once from the settings."""

    settings: Settings
    engine: AsyncEngine
    http: SafeHttp
    store: SqlStore
    sources: dict[str, Source]
    chat: Chat
    owner: str
    telemetry: Telemetry = NO_TELEMETRY

    @property
    def catalog(self) -> Catalog:
        """Topic and feed use cases."""
        return Catalog(self.store, self.sources, utc_now)

    @property
    def desk(self) -> Desk:
        """What people in the channel can do (commands, claims, outcomes)."""
        return Desk(self.store, self.sources, utc_now, self.telemetry)

    @property
    def claims(self) -> Claims:
        """Claim and outcome use cases."""
        return Claims(self.store, utc_now, self.telemetry)

    def poller(self) -> Poller:
        """The feed poller for this process."""
        s = self.settings.schedule
        policy = PollPolicy(s.jitter, s.max_backoff, s.lease, s.notify_after, s.concurrency)
        scoring = ScoringPolicy(team_accounts=frozenset(self.settings.scoring.team_accounts))
        return Poller(
            self.store,
            self.sources,
            utc_now,
            self.owner,
            policy,
            notices=self.chat,
            scoring=scoring,
            telemetry=self.telemetry,
        )

    def deliverer(self) -> Deliverer:
        """The alert sender for this process."""
        d = self.settings.delivery
        policy = DeliveryPolicy(d.lease, d.batch, d.max_backoff)
        return Deliverer(self.store, self.chat, utc_now, self.owner, policy, self.telemetry)

    async def database_problem(self) -> str | None:
        """Why the database cannot be used right now, or None when it answers."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (OSError, OperationalError, DBAPIError) as exc:
            return f"cannot reach the database at {describe_url(self.settings.database_url)}: {first_line(exc)}"
        return None


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The safe-HTTP policy from ``[fetch]``."""
    f = settings.fetch
    return FetchPolicy(
        allow_private=f.allow_private,
        timeout=f.timeout,
        deadline=f.deadline,
        max_bytes=f.max_body,
        user_agent=f.user_agent,
    )


def build_chat(settings: Settings, http: SafeHttp) -> Chat:
    """The chat adapter ``[chat] platform`` names."""
    chat = settings.chat
    if chat.platform == "webhook":
        assert chat.webhook_url is not None  # the settings refuse a webhook platform without a URL
        return WebhookChat(http, chat.webhook_url, chat.channel, chat.webhook_secret)
    return ConsoleChat(utc_now, chat.channel)


async def ensure_schema(settings: Settings, engine: AsyncEngine) -> None:
    """Check the database is reachable and current; bring an embedded SQLite database up to date by itself.

    PostgreSQL is shared by replicas, so its migrations stay an explicit step (`earshot db upgrade`).
    """
    url = settings.database_url
    try:
        current = await migrate.current(url)
    except (OSError, OperationalError, DBAPIError) as exc:
        raise StartupError(f"cannot reach the database at {describe_url(url)}: {first_line(exc)}") from exc
    if current == migrate.head():
        return
    if engine.dialect.name == "sqlite":
        await migrate.upgrade(url)
        log.info("database %s: schema brought up to %s", describe_url(url), migrate.head())
        return
    raise StartupError(
        f"the database at {describe_url(url)} is at schema {current or 'none'}, not {migrate.head()}; "
        "run `earshot db upgrade` first"
    )


def first_line(exc: BaseException) -> str:
    """The first line of a database error, for a one-line message."""
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


@asynccontextmanager
async def open_app(settings: Settings, *, check_schema: bool = True) -> AsyncIterator[App]:
    """Build the app, check the database, and close everything afterwards."""
    engine = create_engine(settings.database_url)
    http = SafeHttp(fetch_policy(settings))
    try:
        if check_schema:
            await ensure_schema(settings, engine)
        app = App(
            settings=settings,
            engine=engine,
            http=http,
            store=SqlStore(engine),
            sources=build_sources(http, os.environ),
            chat=build_chat(settings, http),
            owner=process_owner(),
        )
        yield app
    finally:
        await http.aclose()
        await engine.dispose()
