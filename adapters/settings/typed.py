"""The typed settings the CLI receives, and their printable summary with secrets masked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from earshot.bot.domain import Feed, Handle, Topic
from earshot.bot.followup.participation_checks import DEFAULT_CHECKS
from earshot.bot.followup.report_schedule import Weekly
from earshot.bot.followup.retention import RetentionPolicy

from .durations import format_duration, format_size
from .guest import GuestSettings
from .redact import MASK, mask_database_url, mask_url, mask_webhook_url
from .sections import DEFAULT_USER_AGENT

_S = timedelta(seconds=1)


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
    """How joinability is scored: the team's own author names, whose posts score 0, and the languages the team
    reads (empty: any), which every topic without its own languages keeps to."""

    team_accounts: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


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
class JudgeSettings:
    """The optional LLM judge: off unless ``enabled``; its endpoint, model, key (read from the variable
    ``api_key_env`` names), the pre-score that asks it, its timeout, calls per hour and the item text sent."""

    enabled: bool = False
    url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    api_key: str | None = field(default=None, repr=False)
    min_score: int = 60
    timeout: timedelta = 10 * _S
    per_hour: int = 60
    max_chars: int = 1000
    suggest: bool = False  # the reply check asks the same endpoint for suggestions on a draft (never a reply)
    suggest_per_hour: int = 30


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
    judge: JudgeSettings = JudgeSettings()
    slack: SlackSettings = SlackSettings()
    how_it_went: HowItWentSettings = HowItWentSettings()
    ops: OpsSettings = OpsSettings()
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    log_format: str = "text"
    guest: GuestSettings = field(default_factory=GuestSettings)

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
            "scoring": {"team_accounts": list(self.scoring.team_accounts), "languages": list(self.scoring.languages)},
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
            "judge": {
                "enabled": self.judge.enabled,
                "url": mask_url(self.judge.url) if self.judge.url else None,
                "model": self.judge.model,
                "api_key_env": self.judge.api_key_env,
                "api_key": MASK if self.judge.api_key else None,
                "min_score": self.judge.min_score,
                "timeout": format_duration(self.judge.timeout),
                "per_hour": self.judge.per_hour,
                "max_chars": self.judge.max_chars,
            },
            "slack": _slack_summary(self.slack),
            "participation": {"checks": [format_duration(c) for c in self.how_it_went.checks]},
            "outcomes": {"custom": list(self.how_it_went.custom_outcomes)},
            "report": _weekly_summary(self.how_it_went.weekly),
            "claims": {"release_after": format_duration(self.how_it_went.release_after)},
            "retention": {
                kind: format_duration(kept) if kept is not None else "forever"
                for kind, kept in (
                    ("conversations", self.retention.conversations),
                    ("alerts", self.retention.alerts),
                    ("audit", self.retention.audit),
                )
            },
            "team": sorted({h.member for h in self.how_it_went.team}),
            "feeds": [_feed_summary(feed) for feed in self.feeds],
            "topics": [_topic_summary(t) for t in self.topics],
            **self.guest.summary(),
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
        ("about", t.about),
        ("examples", t.examples),
        ("counter_examples", t.counter_examples),
        ("without_keyword", t.without_keyword),
        ("accept", t.accept),
    ):
        if value:
            summary[key] = list(value) if isinstance(value, tuple) else value
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
