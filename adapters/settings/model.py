"""The config file's shape (pydantic models that check each value) and the typed settings the CLI receives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator

from bot import __version__
from bot.catalog import MAX_EVERY, MIN_EVERY
from bot.checks import DEFAULT_CHECKS
from bot.domain import Feed, Handle, Topic
from bot.schedule import Weekly, check_timezone, parse_weekly
from bot.team import fold_handle

from . import fields
from .durations import format_duration, format_size
from .redact import MASK, mask_database_url, mask_url, mask_webhook_url

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///earshot.db"
DEFAULT_USER_AGENT = f"Earshot/{__version__} (+https://pypi.org/project/earshot-bot/)"
PLATFORMS = ("console", "webhook", "slack", "discord")
SLACK_MODES = ("socket", "http")
FEED_KINDS = ("hackernews", "rss", "stackexchange", "github", "discourse", "lobsters", "reddit", "mastodon", "bluesky")
URL_KINDS = ("rss", "discourse", "mastodon")  # kinds whose url is the place itself; the others take base_url
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

    platform: Annotated[str, PlainValidator(fields.choice("platform", PLATFORMS))] = "console"
    channel: _Channel = "conversations"
    webhook_url: _Url = None


class DiscordSection(_Section):
    """[discord]"""

    guild: Annotated[str | None, PlainValidator(fields.text("a server id or name", '"123456789012345678"'))] = None
    api_base: _Url = None
    gateway_url: Annotated[str | None, PlainValidator(fields.ws_url)] = None
    follow_up_after: Annotated[timedelta, PlainValidator(fields.duration(60 * _S, timedelta(days=30)))] = timedelta(
        hours=24
    )


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
    max_per_hour: Annotated[int, PlainValidator(fields.whole(0, 10_000))] = 0


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
    # Kind-specific settings the source checks (Stack Exchange site, Discourse category, ...).
    options: Annotated[dict[str, Any] | None, PlainValidator(fields.feed_options)] = None
    enabled: _Enabled = True


class TopicEntry(_Section):
    """One [[topics]] table."""

    name: _Name
    query: Annotated[str, PlainValidator(fields.topic_query)]
    channel: _OptionalChannel = None
    enabled: _Enabled = True
    min_score: Annotated[int, PlainValidator(fields.whole(0, 100))] = DEFAULT_MIN_SCORE
    languages: list[Annotated[str, PlainValidator(fields.language)]] = []
    exclude_authors: list[Annotated[str, PlainValidator(fields.text("an author name", '"spammer"'))]] = []
    exclude_sources: list[
        Annotated[str, PlainValidator(fields.text("a feed kind or feed name", '"reddit" or "hn-jobs"'))]
    ] = []


class ScoringSection(_Section):
    """[scoring]"""

    team_accounts: list[Annotated[str, PlainValidator(fields.text("an author name", '"alice"', max_length=200))]] = []


class SummarySection(_Section):
    """[summary]"""

    llm_base_url: _Url = None
    model: Annotated[str | None, PlainValidator(fields.text("a model name", '"gpt-4o-mini"'))] = None
    timeout: Annotated[timedelta, PlainValidator(fields.duration(_S, 120 * _S))] = 10 * _S
    daily_budget: Annotated[int, PlainValidator(fields.whole(0, 1_000_000))] = 200
    replies: Annotated[int, PlainValidator(fields.whole(0, 10))] = 3


class SlackSection(_Section):
    """[slack]"""

    mode: Annotated[str, PlainValidator(fields.choice("Slack mode", SLACK_MODES))] = "socket"
    host: Annotated[str, PlainValidator(fields.text("an address to listen on", '"0.0.0.0"', max_length=253))] = (
        "0.0.0.0"  # noqa: S104  # HTTP mode receives Slack's requests from outside
    )
    port: Annotated[int, PlainValidator(fields.whole(1, 65535))] = 3000
    api_url: _Url = None
    follow_up_after: Annotated[timedelta, PlainValidator(fields.duration(60 * _S, timedelta(days=30)))] = timedelta(
        hours=24
    )
    admins: list[Annotated[str, PlainValidator(fields.slack_user_id)]] = []


def _weekly(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError('expected a day and a time in quotes, like "mon 09:00", or "" for no weekly report')
    if value.strip():
        parse_weekly(value)
    return value.strip()


def _timezone(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError('expected a time zone in quotes, like "UTC" or "Europe/Paris"')
    return check_timezone(value.strip())


def _handles(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError('expected a table of source = "handle", like { hackernews = "alice", reddit = "alice_b" }')
    out: dict[str, str] = {}
    for source, handle in value.items():
        if not isinstance(handle, str) or not handle.strip():
            raise ValueError(f'{source}: expected a handle in quotes, like {source} = "alice"')
        out[str(source).lower()] = handle.strip()
    return out


_Duration = Annotated[timedelta, PlainValidator(fields.duration(60 * _S, timedelta(days=90)))]


class ParticipationSection(_Section):
    """[participation]"""

    checks: list[_Duration] = list(DEFAULT_CHECKS)


class OutcomesSection(_Section):
    """[outcomes]"""

    custom: list[
        Annotated[str, PlainValidator(fields.text("an outcome label", '"conference talk"', max_length=60))]
    ] = []


class ReportSection(_Section):
    """[report]"""

    weekly: Annotated[str, PlainValidator(_weekly)] = ""  # off unless asked for (the starter file asks)
    timezone: Annotated[str, PlainValidator(_timezone)] = "UTC"


class ClaimsSection(_Section):
    """[claims]"""

    release_after: Annotated[timedelta, PlainValidator(fields.duration(60 * _S, timedelta(days=90)))] = timedelta(
        days=3
    )


class TeamEntry(_Section):
    """One [[team]] table: a chat member and their accounts on the sources."""

    member: Annotated[str, PlainValidator(fields.text("a chat user id", '"U024BE7LH"', max_length=200))]
    name: Annotated[str | None, PlainValidator(fields.text("a display name", '"Alice"', max_length=200))] = None
    handles: Annotated[dict[str, str], PlainValidator(_handles)] = {}


class ConfigFile(_Section):
    """The whole file, as written (before the environment's overrides are applied)."""

    database: DatabaseSection = DatabaseSection()
    chat: ChatSection = ChatSection()
    fetch: FetchSection = FetchSection()
    schedule: ScheduleSection = ScheduleSection()
    delivery: DeliverySection = DeliverySection()
    log: LogSection = LogSection()
    scoring: ScoringSection = ScoringSection()
    discord: DiscordSection = DiscordSection()
    summary: SummarySection = SummarySection()
    slack: SlackSection = SlackSection()
    participation: ParticipationSection = ParticipationSection()
    outcomes: OutcomesSection = OutcomesSection()
    report: ReportSection = ReportSection()
    claims: ClaimsSection = ClaimsSection()
    ops: OpsSection = OpsSection()
    feeds: list[FeedEntry] = []
    topics: list[TopicEntry] = []
    team: list[TeamEntry] = []


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
    """How pending alerts are sent: how often, how many at a time, the alert lease, the backoff cap, and the flood
    guard's cap of alerts per channel per hour (0: no cap)."""

    every: timedelta = 5 * _S
    batch: int = 20
    lease: timedelta = 60 * _S
    max_backoff: timedelta = timedelta(hours=1)
    max_per_hour: int = 0


@dataclass(frozen=True)
class ScoringSettings:
    """How joinability is scored: the team's own author names, whose posts score 0."""

    team_accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiscordSettings:
    """The Discord bot: its token (from DISCORD_TOKEN), the server, address overrides, when to ask how it went."""

    token: str | None = field(default=None, repr=False)
    guild: str | None = None
    api_base: str | None = None
    gateway_url: str | None = None
    follow_up_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class SummarySettings:
    """Context summaries: extractive by default; a language model when ``llm_base_url`` and ``model`` are set."""

    llm_base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)  # from EARSHOT_LLM_API_KEY only
    timeout: timedelta = 10 * _S
    daily_budget: int = 200
    replies: int = 3

    @property
    def llm(self) -> bool:
        """Whether summaries try the language model."""
        return bool(self.llm_base_url and self.model)


@dataclass(frozen=True)
class SlackSettings:
    """How the Slack app runs: Socket Mode or HTTP, the Web API base URL, follow-ups, admins, and the tokens."""

    mode: str = "socket"
    host: str = "0.0.0.0"  # noqa: S104
    port: int = 3000
    api_url: str | None = None
    follow_up_after: timedelta = timedelta(hours=24)
    admins: tuple[str, ...] = ()
    bot_token: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class HowItWentSettings:
    """Participation checks after a claim, the team's own outcomes, the weekly report, stale claims, handles."""

    checks: tuple[timedelta, ...] = DEFAULT_CHECKS
    custom_outcomes: tuple[str, ...] = ()
    weekly: Weekly | None = None
    release_after: timedelta = timedelta(days=3)
    team: tuple[Handle, ...] = ()


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
    discord: DiscordSettings = DiscordSettings()
    summary: SummarySettings = SummarySettings()
    slack: SlackSettings = SlackSettings()
    how_it_went: HowItWentSettings = HowItWentSettings()
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
                "max_per_hour": self.delivery.max_per_hour,
            },
            "log_level": self.log_level,
            "log_format": self.log_format,
            "ops": {"port": self.ops.port, "host": self.ops.host},
            "scoring": {"team_accounts": list(self.scoring.team_accounts)},
            "discord": {
                "token": MASK if self.discord.token else None,
                "guild": self.discord.guild,
                "api_base": self.discord.api_base,
                "gateway_url": self.discord.gateway_url,
                "follow_up_after": format_duration(self.discord.follow_up_after),
            },
            "summary": {
                "llm_base_url": mask_url(self.summary.llm_base_url) if self.summary.llm_base_url else None,
                "model": self.summary.model,
                "api_key": MASK if self.summary.api_key else None,
                "timeout": format_duration(self.summary.timeout),
                "daily_budget": self.summary.daily_budget,
                "replies": self.summary.replies,
            },
            "slack": _slack_summary(self.slack),
            "participation": {"checks": [format_duration(c) for c in self.how_it_went.checks]},
            "outcomes": {"custom": list(self.how_it_went.custom_outcomes)},
            "report": _weekly_summary(self.how_it_went.weekly),
            "claims": {"release_after": format_duration(self.how_it_went.release_after)},
            "team": sorted({h.member for h in self.how_it_went.team}),
            "feeds": [_feed_summary(feed) for feed in self.feeds],
            "topics": [_topic_summary(t) for t in self.topics],
        }


def _topic_summary(t: Topic) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "name": t.name,
        "query": t.query,
        "channel": t.channel,
        "enabled": t.enabled,
        "min_score": t.min_score,
    }
    # Filters only when set, so a summary of a file without them reads as before.
    for key, value in (
        ("languages", t.languages),
        ("exclude_authors", t.exclude_authors),
        ("exclude_sources", t.exclude_sources),
    ):
        if value:
            summary[key] = list(value)
    return summary


def _slack_summary(slack: SlackSettings) -> dict[str, Any]:
    return {
        "mode": slack.mode,
        "host": slack.host,
        "port": slack.port,
        "api_url": mask_url(slack.api_url) if slack.api_url else None,
        "follow_up_after": format_duration(slack.follow_up_after),
        "admins": list(slack.admins),
        "bot_token": MASK if slack.bot_token else None,
        "app_token": MASK if slack.app_token else None,
        "signing_secret": MASK if slack.signing_secret else None,
    }


def _weekly_summary(weekly: Weekly | None) -> dict[str, Any]:
    if weekly is None:
        return {"weekly": ""}
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[weekly.weekday]
    return {"weekly": f"{day} {weekly.at:%H:%M}", "timezone": weekly.timezone}


def _feed_summary(feed: Feed) -> dict[str, Any]:
    summary: dict[str, Any] = {"name": feed.name, "kind": feed.kind, "every": format_duration(feed.every)}
    if feed.url:
        summary["url"] = mask_url(feed.url)
    if feed.query:
        summary["query"] = feed.query
    summary.update(feed.options)
    summary["enabled"] = feed.enabled
    return summary


def build_settings(
    path: Path | None,
    file: ConfigFile,
    *,
    webhook_secret: str | None,
    llm_api_key: str | None = None,
    slack_tokens: Mapping[str, str] | None = None,
    discord_token: str | None = None,
) -> Settings:
    """Turn a checked file (overrides already applied) into the typed settings the CLI hands out."""
    feeds = tuple(
        Feed(
            name=f.name,
            kind=f.kind,
            every=f.every,
            url=f.url if f.kind in URL_KINDS else f.base_url,  # the cross checks allow only the right one per kind
            query=f.query,
            options={**({"tags": list(dict.fromkeys(f.tags))} if f.tags else {}), **(f.options or {})},
            enabled=f.enabled,
            origin="config",
        )
        for f in file.feeds
    )
    topics = tuple(
        Topic(
            name=t.name,
            query=t.query,
            channel=t.channel,
            enabled=t.enabled,
            origin="config",
            min_score=t.min_score,
            languages=tuple(dict.fromkeys(t.languages)),
            exclude_authors=tuple(dict.fromkeys(t.exclude_authors)),
            exclude_sources=tuple(dict.fromkeys(t.exclude_sources)),
        )
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
        delivery=DeliverySettings(
            delivery.every, delivery.batch, delivery.lease, delivery.max_backoff, delivery.max_per_hour
        ),
        log_level=file.log.level,
        feeds=feeds,
        topics=topics,
        scoring=ScoringSettings(tuple(dict.fromkeys(file.scoring.team_accounts))),
        discord=DiscordSettings(
            discord_token,
            file.discord.guild,
            file.discord.api_base,
            file.discord.gateway_url,
            file.discord.follow_up_after,
        ),
        summary=SummarySettings(
            llm_base_url=file.summary.llm_base_url,
            model=file.summary.model,
            api_key=llm_api_key,
            timeout=file.summary.timeout,
            daily_budget=file.summary.daily_budget,
            replies=file.summary.replies,
        ),
        slack=_slack_settings(file.slack, slack_tokens or {}),
        how_it_went=HowItWentSettings(
            checks=tuple(sorted(set(file.participation.checks))),
            custom_outcomes=tuple(dict.fromkeys(file.outcomes.custom)),
            weekly=parse_weekly(file.report.weekly, file.report.timezone) if file.report.weekly else None,
            release_after=file.claims.release_after,
            team=tuple(
                Handle(entry.member, source, fold_handle(source, handle), entry.name)
                for entry in file.team
                for source, handle in entry.handles.items()
            ),
        ),
        ops=OpsSettings(file.ops.port, file.ops.host),
        log_format=file.log.format,
    )


def _slack_settings(slack: SlackSection, tokens: Mapping[str, str]) -> SlackSettings:
    return SlackSettings(
        mode=slack.mode,
        host=slack.host,
        port=slack.port,
        api_url=slack.api_url,
        follow_up_after=slack.follow_up_after,
        admins=tuple(dict.fromkeys(slack.admins)),
        bot_token=tokens.get("bot_token"),
        app_token=tokens.get("app_token"),
        signing_secret=tokens.get("signing_secret"),
    )
