"""The config file's shape (pydantic models that check each value) and the typed settings the CLI receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator

from bot import __version__
from bot.catalog import MAX_EVERY, MIN_EVERY
from bot.domain import Feed, Topic

from . import fields
from .durations import format_duration, format_size
from .redact import MASK, mask_database_url, mask_url, mask_webhook_url

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///earshot.db"
DEFAULT_USER_AGENT = f"Earshot/{__version__} (+https://pypi.org/project/earshot-bot/)"
PLATFORMS = ("console", "webhook")
FEED_KINDS = ("hackernews", "rss")
HN_TAGS = ("story", "comment", "ask_hn", "show_hn")
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")
DEFAULT_MIN_SCORE = 50

_S = timedelta(seconds=1)
_Name = Annotated[str, PlainValidator(fields.name)]
_Url = Annotated[str | None, PlainValidator(fields.http_url)]
_Channel = Annotated[str, PlainValidator(fields.text("a channel name", '"conversations"', max_length=80))]
_OptionalChannel = Annotated[str | None, PlainValidator(fields.text("a channel name", '"vector-db"', max_length=80))]
_Enabled = Annotated[bool, PlainValidator(fields.flag)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DatabaseSection(_Section):
    """[database]"""

    url: Annotated[str, PlainValidator(fields.database_url)] = DEFAULT_DATABASE_URL


class ChatSection(_Section):
    """[chat]"""

    platform: Annotated[str, PlainValidator(fields.choice("platform", PLATFORMS, later=("slack", "discord")))] = (
        "console"
    )
    channel: _Channel = "conversations"
    webhook_url: _Url = None


class FetchSection(_Section):
    """[fetch]"""

    allow_private: list[Annotated[str, PlainValidator(fields.host)]] = []
    timeout: Annotated[timedelta, PlainValidator(fields.duration(_S, 300 * _S))] = 10 * _S
    deadline: Annotated[timedelta, PlainValidator(fields.duration(_S, 600 * _S))] = 30 * _S
    max_body: Annotated[int, PlainValidator(fields.size(1024, 1024**3))] = 5 * 1024**2
    user_agent: Annotated[str, PlainValidator(fields.text("a User-Agent", '"Earshot/0.1 (+https://...)"'))] = (
        DEFAULT_USER_AGENT
    )


class ScheduleSection(_Section):
    """[schedule]"""

    jitter: Annotated[float, PlainValidator(fields.fraction(0.0, 0.5))] = 0.1
    max_backoff: Annotated[timedelta, PlainValidator(fields.duration(60 * _S, timedelta(days=7)))] = timedelta(hours=6)
    concurrency: Annotated[int, PlainValidator(fields.whole(1, 32))] = 4
    notify_after: Annotated[int, PlainValidator(fields.whole(1, 1000))] = 3
    lease: Annotated[timedelta, PlainValidator(fields.duration(30 * _S, timedelta(hours=1)))] = timedelta(minutes=5)


class DeliverySection(_Section):
    """[delivery]"""

    every: Annotated[timedelta, PlainValidator(fields.duration(_S, timedelta(hours=1)))] = 5 * _S
    batch: Annotated[int, PlainValidator(fields.whole(1, 1000))] = 20
    lease: Annotated[timedelta, PlainValidator(fields.duration(1 * _S, timedelta(hours=1)))] = 60 * _S
    max_backoff: Annotated[timedelta, PlainValidator(fields.duration(_S, timedelta(days=1)))] = timedelta(hours=1)


class LogSection(_Section):
    """[log]"""

    level: Annotated[str, PlainValidator(fields.choice("log level", LOG_LEVELS, aliases={"warn": "warning"}))] = "info"
    format: Annotated[str, PlainValidator(fields.choice("log format", LOG_FORMATS))] = "text"


class OpsSection(_Section):
    """[ops]"""

    port: Annotated[int | None, PlainValidator(fields.whole(1, 65535))] = None
    host: Annotated[str, PlainValidator(fields.text("an address to listen on", '"127.0.0.1"', max_length=255))] = (
        "127.0.0.1"
    )


class FeedEntry(_Section):
    """One [[feeds]] table."""

    name: _Name
    kind: Annotated[str, PlainValidator(fields.choice("feed kind", FEED_KINDS, aliases=fields.KIND_ALIASES))]
    every: Annotated[timedelta, PlainValidator(fields.duration(MIN_EVERY, MAX_EVERY))]
    url: _Url = None
    base_url: _Url = None
    query: Annotated[str | None, PlainValidator(fields.text("search words", '"postgres OR sqlite"'))] = None
    tags: list[Annotated[str, PlainValidator(fields.choice("tag", HN_TAGS))]] | None = None
    enabled: _Enabled = True


class TopicEntry(_Section):
    """One [[topics]] table."""

    name: _Name
    query: Annotated[str, PlainValidator(fields.topic_query)]
    channel: _OptionalChannel = None
    enabled: _Enabled = True
    min_score: Annotated[int, PlainValidator(fields.whole(0, 100))] = DEFAULT_MIN_SCORE


class ScoringSection(_Section):
    """[scoring]"""

    team_accounts: list[Annotated[str, PlainValidator(fields.text("an author name", '"alice"', max_length=200))]] = []


class ConfigFile(_Section):
    """The whole file, as written (before the environment's overrides are applied)."""

    database: DatabaseSection = DatabaseSection()
    chat: ChatSection = ChatSection()
    fetch: FetchSection = FetchSection()
    schedule: ScheduleSection = ScheduleSection()
    delivery: DeliverySection = DeliverySection()
    log: LogSection = LogSection()
    scoring: ScoringSection = ScoringSection()
    ops: OpsSection = OpsSection()
    feeds: list[FeedEntry] = []
    topics: list[TopicEntry] = []


@dataclass(frozen=True)
class ChatSettings:
    """Where alerts go: the platform, the default channel and the webhook's address and signing secret."""

    platform: str
    channel: str
    webhook_url: str | None = field(default=None, repr=False)  # its path is usually a token
    webhook_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class FetchSettings:
    """How feeds are fetched: private hosts allowed, timeouts in seconds, the body cap in bytes, the User-Agent."""

    allow_private: tuple[str, ...] = ()
    timeout: float = 10.0
    deadline: float = 30.0
    max_body: int = 5 * 1024**2
    user_agent: str = DEFAULT_USER_AGENT


@dataclass(frozen=True)
class ScheduleSettings:
    """How polling is paced: jitter, backoff cap, parallelism, when to tell the channel, the feed lease."""

    jitter: float = 0.1
    max_backoff: timedelta = timedelta(hours=6)
    concurrency: int = 4
    notify_after: int = 3
    lease: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class DeliverySettings:
    """How pending alerts are sent: how often, how many at a time, the alert lease and the backoff cap."""

    every: timedelta = 5 * _S
    batch: int = 20
    lease: timedelta = 60 * _S
    max_backoff: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class ScoringSettings:
    """How joinability is scored: the team's own author names, whose posts score 0."""

    team_accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpsSettings:
    """The health and metrics endpoint: off unless a port is given; on 127.0.0.1 unless a host is given."""

    port: int | None = None
    host: str = "127.0.0.1"


@dataclass(frozen=True)
class Settings:
    """Everything Earshot was configured with, validated and typed; ``path`` is the file it came from, if any."""

    path: Path | None
    database_url: str = field(repr=False)  # may hold a password
    chat: ChatSettings
    fetch: FetchSettings
    schedule: ScheduleSettings
    delivery: DeliverySettings
    log_level: str
    feeds: tuple[Feed, ...]
    topics: tuple[Topic, ...]
    scoring: ScoringSettings = ScoringSettings()
    ops: OpsSettings = OpsSettings()
    log_format: str = "text"

    def redacted(self) -> dict[str, Any]:
        """A printable summary with secrets masked: webhook URL path and query, the signing secret, DB password."""
        chat = self.chat
        return {
            "path": str(self.path) if self.path else None,
            "database_url": mask_database_url(self.database_url),
            "chat": {
                "platform": chat.platform,
                "channel": chat.channel,
                "webhook_url": mask_webhook_url(chat.webhook_url) if chat.webhook_url else None,
                "webhook_secret": MASK if chat.webhook_secret else None,
            },
            "fetch": {
                "allow_private": list(self.fetch.allow_private),
                "timeout": format_duration(timedelta(seconds=self.fetch.timeout)),
                "deadline": format_duration(timedelta(seconds=self.fetch.deadline)),
                "max_body": format_size(self.fetch.max_body),
                "user_agent": self.fetch.user_agent,
            },
            "schedule": {
                "jitter": self.schedule.jitter,
                "max_backoff": format_duration(self.schedule.max_backoff),
                "concurrency": self.schedule.concurrency,
                "notify_after": self.schedule.notify_after,
                "lease": format_duration(self.schedule.lease),
            },
            "delivery": {
                "every": format_duration(self.delivery.every),
                "batch": self.delivery.batch,
                "lease": format_duration(self.delivery.lease),
                "max_backoff": format_duration(self.delivery.max_backoff),
            },
            "log_level": self.log_level,
            "log_format": self.log_format,
            "ops": {"port": self.ops.port, "host": self.ops.host},
            "scoring": {"team_accounts": list(self.scoring.team_accounts)},
            "feeds": [_feed_summary(feed) for feed in self.feeds],
            "topics": [
                {"name": t.name, "query": t.query, "channel": t.channel, "enabled": t.enabled, "min_score": t.min_score}
                for t in self.topics
            ],
        }


def _feed_summary(feed: Feed) -> dict[str, Any]:
    summary: dict[str, Any] = {"name": feed.name, "kind": feed.kind, "every": format_duration(feed.every)}
    if feed.url:
        summary["url"] = mask_url(feed.url)
    if feed.query:
        summary["query"] = feed.query
    summary.update(feed.options)
    summary["enabled"] = feed.enabled
    return summary


def build_settings(path: Path | None, file: ConfigFile, *, webhook_secret: str | None) -> Settings:
    """Turn a checked file (overrides already applied) into the typed settings the CLI hands out."""
    feeds = tuple(
        Feed(
            name=f.name,
            kind=f.kind,
            every=f.every,
            url=f.url if f.kind == "rss" else f.base_url,
            query=f.query,
            options={"tags": list(dict.fromkeys(f.tags))} if f.tags else {},
            enabled=f.enabled,
            origin="config",
        )
        for f in file.feeds
    )
    topics = tuple(
        Topic(name=t.name, query=t.query, channel=t.channel, enabled=t.enabled, origin="config", min_score=t.min_score)
        for t in file.topics
    )
    chat = file.chat
    fetch = file.fetch
    schedule = file.schedule
    delivery = file.delivery
    return Settings(
        path=path,
        database_url=file.database.url,
        chat=ChatSettings(chat.platform, chat.channel, chat.webhook_url, webhook_secret),
        fetch=FetchSettings(
            allow_private=tuple(dict.fromkeys(fetch.allow_private)),
            timeout=fetch.timeout.total_seconds(),
            deadline=fetch.deadline.total_seconds(),
            max_body=fetch.max_body,
            user_agent=fetch.user_agent,
        ),
        schedule=ScheduleSettings(
            schedule.jitter, schedule.max_backoff, schedule.concurrency, schedule.notify_after, schedule.lease
        ),
        delivery=DeliverySettings(delivery.every, delivery.batch, delivery.lease, delivery.max_backoff),
        log_level=file.log.level,
        feeds=feeds,
        topics=topics,
        scoring=ScoringSettings(tuple(dict.fromkeys(file.scoring.team_accounts))),
        ops=OpsSettings(file.ops.port, file.ops.host),
        log_format=file.log.format,
    )
