"""From the checked config file to the typed settings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from earshot.adapters.sources.registry import declarations
from earshot.bot.actions.topics_and_feeds import default_every
from earshot.bot.domain import Feed, Handle, Topic
from earshot.bot.durations import parse_duration
from earshot.bot.followup.report_schedule import parse_weekly
from earshot.bot.followup.retention import RetentionPolicy
from earshot.bot.team_handles import fold_handle

from .guest import build_guest
from .sections import ConfigFile, SlackSection
from .typed import (
    ChatSettings,
    DeliverySettings,
    DiscordSettings,
    FetchSettings,
    HowItWentSettings,
    JudgeSettings,
    OpsSettings,
    ScheduleSettings,
    ScoringSettings,
    Settings,
    SlackSettings,
    SummarySettings,
)


def build_settings(
    path: Path | None,
    file: ConfigFile,
    *,
    webhook_secret: str | None,
    llm_api_key: str | None = None,
    slack_tokens: Mapping[str, str] | None = None,
    discord_token: str | None = None,
    judge_api_key: str | None = None,
) -> Settings:
    """Turn a checked file (overrides already applied) into the typed settings the CLI hands out."""
    kinds = declarations()
    feeds = tuple(
        Feed(
            name=f.name,
            kind=f.kind,
            every=f.every or parse_duration(default_every(f.kind, kinds)),
            # The cross checks allow only the one its kind declares: its place (url) or an API override (base_url).
            url=f.url if kinds[f.kind].target.takes_url else f.base_url,
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
            about=t.about,
            examples=tuple(t.examples),
            counter_examples=tuple(t.counter_examples),
            without_keyword=t.without_keyword,
            accept=t.accept,
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
        scoring=ScoringSettings(
            tuple(dict.fromkeys(file.scoring.team_accounts)), tuple(dict.fromkeys(file.scoring.languages))
        ),
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
        judge=JudgeSettings(
            enabled=file.judge.enabled,
            url=file.judge.url,
            model=file.judge.model,
            api_key_env=file.judge.api_key_env,
            api_key=judge_api_key,
            min_score=file.judge.min_score,
            timeout=file.judge.timeout,
            per_hour=file.judge.per_hour,
            suggest=file.judge.suggest,
            suggest_per_hour=file.judge.suggest_per_hour,
            max_chars=file.judge.max_chars,
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
        retention=RetentionPolicy(file.retention.conversations, file.retention.alerts, file.retention.audit),
        log_format=file.log.format,
        guest=build_guest(file.ours, file.rules, file.team),
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
