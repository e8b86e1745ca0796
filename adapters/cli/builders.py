"""How the command line builds Earshot's parts from the settings: the chat platform, the HTTP policy, the
scoring policy and its shared reader of meaning, the reply check and the optional language-model helpers."""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from earshot.adapters.chat.console import ConsoleChat
from earshot.adapters.chat.discord.config import DiscordConfig
from earshot.adapters.chat.webhook import WebhookChat
from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.judge import judge_http
from earshot.adapters.judge.suggest import OpenAiAdvisor
from earshot.adapters.llm import LlmSummariser
from earshot.adapters.meaning import shipped_embedder
from earshot.adapters.settings import Settings
from earshot.adapters.sources.reddit.rules import SubredditRules
from earshot.adapters.sources.registry import half_lives
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.errors import ConfigError, EarshotError
from earshot.bot.finding.meaning import Meaning
from earshot.bot.finding.scoring import ScoringPolicy
from earshot.bot.guest.checker import GuestPolicy, ReplyChecker
from earshot.bot.ports import Chat, Embedder, Source, Store, Summariser

log = logging.getLogger("earshot")


class StartupError(EarshotError):
    """Earshot cannot run: the database is unreachable or behind, or a platform cannot be set up."""


def utc_now() -> datetime:
    """The clock every service gets."""
    return datetime.now(UTC)


def reply_checker(settings: Settings, store: Store, http: SafeHttp) -> ReplyChecker:
    """The reply check, with the team's [ours] and [[rules]] and each subreddit's own rules (cached by the one
    reader it keeps)."""
    g = settings.guest
    policy = GuestPolicy(g.ours, g.people, g.rules, g.dropped)
    return ReplyChecker(store, policy, SubredditRules(http, os.environ), shared_embedder(), advisor(settings, store))


def advisor(settings: Settings, store: Store) -> OpenAiAdvisor | None:
    """The LLM's suggestions on drafts, when ``[judge] suggest`` is on: the judge's endpoint, key and timeout."""
    j = settings.judge
    if not (j.suggest and j.url and j.model):
        return None
    seconds = j.timeout.total_seconds()
    client = judge_http(j.url, replace(fetch_policy(settings), timeout=seconds, deadline=seconds))
    return OpenAiAdvisor(
        client,
        j.url,
        j.model,
        store,
        utc_now,
        api_key=j.api_key,
        per_hour=j.suggest_per_hour,
        max_chars=j.max_chars,
    )


def build_summariser(settings: Settings, http: SafeHttp) -> Summariser | None:
    """The language-model summariser, when ``[summary]`` turns it on; None keeps summaries extractive."""
    s = settings.summary
    if not (s.llm_base_url and s.model):
        return None
    return LlmSummariser(http, s.llm_base_url, s.model, s.api_key)


def build_judge_http(settings: Settings) -> SafeHttp | None:
    """The judge's own HTTP client, when ``[judge]`` is on: [fetch]'s limits with the judge's timeout, and the
    endpoint's host allowed even when private (the operator named it in the config file)."""
    j = settings.judge
    if not (j.enabled and j.url and j.model):
        return None
    seconds = j.timeout.total_seconds()
    policy = replace(fetch_policy(settings), timeout=seconds, deadline=seconds)
    return judge_http(j.url, policy)


def remember_feeds(settings: Settings, sources: dict[str, Source]) -> None:
    """Show each source the configured feeds, so one that reads threads knows which API its feeds use."""
    for feed in settings.feeds:
        source = sources.get(feed.kind)
        if source is None:
            continue
        try:
            source.check(feed)
        except ConfigError as exc:  # the feed's own polls report it where people look
            log.debug("feed %s: %s", feed.name, exc)


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


def build_chat(
    settings: Settings, http: SafeHttp, *, desk: ChatActions | None = None, engine: AsyncEngine | None = None
) -> Chat:
    """The chat adapter ``[chat] platform`` names; listening ones get ChatActions, and Discord the engine to elect a
    leader."""
    chat = settings.chat
    if chat.platform == "discord":
        assert desk is not None and engine is not None  # open_app passes them
        return build_discord(settings, desk, engine)
    if chat.platform == "slack":
        from earshot.adapters.chat.slack.chat import SlackChat, SlackConfig

        s = settings.slack
        if desk is None or s.bot_token is None:
            raise StartupError("Slack needs ChatActions and SLACK_BOT_TOKEN")  # the settings check the token
        config = SlackConfig(
            channel=chat.channel,
            bot_token=s.bot_token,
            mode=s.mode,
            app_token=s.app_token,
            signing_secret=s.signing_secret,
            api_url=s.api_url,
            host=s.host,
            port=s.port,
            admins=s.admins,
        )
        return SlackChat(config, desk, utc_now)
    if chat.platform == "webhook":
        assert chat.webhook_url is not None  # the settings refuse a webhook platform without a URL
        return WebhookChat(http, chat.webhook_url, chat.channel, chat.webhook_secret)
    return ConsoleChat(utc_now, chat.channel)


def discord_config(settings: Settings) -> DiscordConfig:
    """What the Discord chat, its doctor and its invite need from ``[discord]`` and DISCORD_TOKEN."""
    d = settings.discord
    return DiscordConfig(token=d.token, guild=d.guild, api_base=d.api_base, gateway_url=d.gateway_url)


def build_discord(settings: Settings, desk: ChatActions, engine: AsyncEngine) -> Chat:
    """The Discord chat; the gateway is held by one process per token (an advisory lock on PostgreSQL)."""
    from earshot.adapters.chat.discord.chat import DiscordChat, token_fingerprint
    from earshot.adapters.storage.leader import leadership

    config = discord_config(settings)
    name = f"discord-gateway:{token_fingerprint(config.token or '')}"
    return DiscordChat(config, settings.chat.channel, desk, sorted(desk.sources), leadership(engine, name))


def scoring_policy(settings: Settings) -> ScoringPolicy:
    """How joinability is scored: each kind's declared freshness half-life, the team's own accounts and languages,
    and relevance by meaning for topics that say what they mean (the shipped table loads on first use, so a setup
    whose topics have no ``about`` or examples never loads it)."""
    return ScoringPolicy(
        half_lives=half_lives(),
        team_accounts=frozenset(settings.scoring.team_accounts),
        languages=frozenset(settings.scoring.languages) or None,
        meaning=shared_meaning(),
    )


def guest_policy(settings: Settings) -> GuestPolicy:
    """What counts as ours and the team's rule cards, from [ours], [[team]] and [[rules]]."""
    g = settings.guest
    return GuestPolicy(g.ours, g.people, g.rules, g.dropped)


@functools.cache
def shared_meaning() -> Meaning:
    """One reader of meaning per process: item and topic vectors are worked out once, whoever asks."""
    return Meaning(shared_embedder())


@functools.cache
def shared_embedder() -> Embedder:
    """The shipped embedding table, one per process, loaded (with numpy) the first time something is read by
    meaning: a command that scores nothing and checks no reply never loads it."""
    return shipped_embedder()
