"""The config file's shape: pydantic models that check each value as written."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator

from earshot.adapters.sources.registry import declarations
from earshot.bot import __version__
from earshot.bot.actions.topics_and_feeds import (
    ABOUT_MAX,
    ACCEPT_MAX,
    EXAMPLE_MAX,
    EXAMPLES_MAX,
    MAX_EVERY,
    MIN_EVERY,
)
from earshot.bot.followup.participation_checks import DEFAULT_CHECKS
from earshot.bot.followup.report_schedule import check_timezone, parse_weekly
from earshot.bot.team_handles import unknown_source

from . import fields
from .guest import OursSection, RuleEntry, domain

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///earshot.db"
DEFAULT_USER_AGENT = f"Earshot/{__version__} (+https://pypi.org/project/earshot-bot/)"
PLATFORMS = ("console", "webhook", "slack", "discord")
SLACK_MODES = ("socket", "http")
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


def _kind(value: object) -> str:
    """A feed kind the registry knows (built in or a plugin), or what would be right, with each kind's aliases."""
    known = declarations()
    aliases = {word: hint for declared in known.values() for word, hint in declared.aliases.items()}
    return fields.choice("feed kind", tuple(known), aliases=aliases)(value)


def _tag(value: object) -> str:
    """One of the values a kind with a top-level tags key declares (Hacker News's item types)."""
    tags = tuple(dict.fromkeys(tag for declared in declarations().values() for tag in declared.tags))
    return fields.choice("tag", tags)(value)


class FeedEntry(_Section):
    """One [[feeds]] table."""

    name: _Name
    kind: Annotated[str, PlainValidator(_kind)]
    # Left out: the kind's usual interval (its declaration's every), as for a feed added by command.
    every: Annotated[timedelta | None, PlainValidator(fields.duration(MIN_EVERY, MAX_EVERY))] = None
    url: _Url = None
    base_url: _Url = None
    query: Annotated[str | None, PlainValidator(fields.text("search words", '"postgres OR sqlite"'))] = None
    tags: list[Annotated[str, PlainValidator(_tag)]] | None = None
    # Kind-specific settings the source checks (Stack Exchange site, Discourse category, ...).
    options: Annotated[dict[str, Any] | None, PlainValidator(fields.feed_options)] = None
    enabled: _Enabled = True


def _prose(what: str, example: str, max_length: int) -> Callable[[object], str]:
    """A check for plain words that may span lines (about, accept): not empty, at most ``max_length`` characters."""

    def check(value: object) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected {what} in quotes, like {example}")
        result = value.strip()
        if not result:
            raise ValueError(f"empty; give {what}, like {example}, or leave the key out")
        if len(result) > max_length:
            raise ValueError(f"too long ({len(result)} characters); say it in at most {max_length}")
        return result

    return check


def _posts(what: str) -> Callable[[object], list[str]]:
    """A check for a list of example posts: each the words of a post (its opening), a few of them."""
    example = '["Which vector database for 10M embeddings?", "pgvector or Qdrant?"]'

    def check(value: object) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"expected a list of {what} in quotes, like {example}")
        if len(value) > EXAMPLES_MAX:
            raise ValueError(f"{len(value)} given; a few telling ones work best, at most {EXAMPLES_MAX}")
        posts = [v.strip() for v in value]
        for n, post in enumerate(posts, 1):
            if not post:
                raise ValueError(f"number {n} is empty; give a post's words or leave it out")
            if len(post) > EXAMPLE_MAX:
                raise ValueError(f"number {n} is {len(post)} characters long; keep each to {EXAMPLE_MAX} (its opening)")
        return list(dict.fromkeys(posts))

    return check


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
    # What the topic means, in plain words (relevance by meaning, the optional LLM judge).
    about: Annotated[
        str, PlainValidator(_prose("what the topic is about", '"Teams running PostgreSQL in production"', ABOUT_MAX))
    ] = ""
    examples: Annotated[list[str], PlainValidator(_posts("posts worth joining"))] = []
    counter_examples: Annotated[list[str], PlainValidator(_posts("posts not worth joining"))] = []
    without_keyword: Annotated[bool, PlainValidator(fields.flag)] = False
    accept: Annotated[
        str, PlainValidator(_prose("what to accept, in plain words", '"Only questions, not vendor news"', ACCEPT_MAX))
    ] = ""


class ScoringSection(_Section):
    """[scoring]"""

    team_accounts: list[Annotated[str, PlainValidator(fields.text("an author name", '"alice"', max_length=200))]] = []
    # The languages the team reads (empty: any); a topic's own languages replace them for that topic.
    languages: list[Annotated[str, PlainValidator(fields.language)]] = []


class SummarySection(_Section):
    """[summary]"""

    llm_base_url: _Url = None
    model: Annotated[str | None, PlainValidator(fields.text("a model name", '"gpt-4o-mini"'))] = None
    timeout: Annotated[timedelta, PlainValidator(fields.duration(_S, 120 * _S))] = 10 * _S
    daily_budget: Annotated[int, PlainValidator(fields.whole(0, 1_000_000))] = 200
    replies: Annotated[int, PlainValidator(fields.whole(0, 10))] = 3


_ENV_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _env_variable(value: object) -> str:
    """The name of an environment variable (never the secret it holds: that stays in the environment)."""
    if not isinstance(value, str) or not _ENV_VARIABLE.fullmatch(value.strip()):
        raise ValueError(
            'expected the name of an environment variable, like "OPENAI_API_KEY"; the key itself goes in the '
            "environment, never in this file"
        )
    return value.strip()


class JudgeSection(_Section):
    """[judge]"""

    enabled: _Enabled = False
    url: _Url = None
    model: Annotated[str | None, PlainValidator(fields.text("a model name", '"gpt-4o-mini"'))] = None
    api_key_env: Annotated[str | None, PlainValidator(_env_variable)] = None
    min_score: Annotated[int, PlainValidator(fields.whole(0, 100))] = 60
    timeout: Annotated[timedelta, PlainValidator(fields.duration(_S, 120 * _S))] = 10 * _S
    per_hour: Annotated[int, PlainValidator(fields.whole(0, 100_000))] = 60
    max_chars: Annotated[int, PlainValidator(fields.whole(0, 20_000))] = 1000
    suggest: Annotated[bool, PlainValidator(fields.flag)] = False
    suggest_per_hour: Annotated[int, PlainValidator(fields.whole(0, 10_000))] = 30


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
        if (why := unknown_source(str(source).lower(), tuple(declarations()))) is not None:
            raise ValueError(why)
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


def _kept(minimum: timedelta) -> Callable[[object], timedelta | None]:
    """A retention period: a duration of at least ``minimum``, or "forever"."""
    check = fields.duration(minimum)

    def kept(value: object) -> timedelta | None:
        if value == "forever":
            return None
        try:
            return check(value)
        except ValueError as e:
            raise ValueError(f'{e}, or "forever" to keep them') from None

    return kept


class RetentionSection(_Section):
    """[retention]"""

    conversations: Annotated[timedelta | None, PlainValidator(_kept(timedelta(days=7)))] = timedelta(days=30)
    alerts: Annotated[timedelta | None, PlainValidator(_kept(timedelta(days=30)))] = timedelta(days=365)
    audit: Annotated[timedelta | None, PlainValidator(_kept(timedelta(days=30)))] = timedelta(days=365)


class TeamEntry(_Section):
    """One [[team]] table: a chat member and their accounts on the sources."""

    member: Annotated[str, PlainValidator(fields.text("a chat user id", '"U024BE7LH"', max_length=200))]
    name: Annotated[str | None, PlainValidator(fields.text("a display name", '"Alice"', max_length=200))] = None
    handles: Annotated[dict[str, str], PlainValidator(_handles)] = {}
    # What counts as this person's own, on top of [ours] (a side project, a second product they speak for).
    products: list[Annotated[str, PlainValidator(fields.text("a product name", '"Tidewater"', max_length=100))]] = []
    domains: list[Annotated[str, PlainValidator(domain)]] = []


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
    judge: JudgeSection = JudgeSection()
    slack: SlackSection = SlackSection()
    participation: ParticipationSection = ParticipationSection()
    outcomes: OutcomesSection = OutcomesSection()
    report: ReportSection = ReportSection()
    claims: ClaimsSection = ClaimsSection()
    retention: RetentionSection = RetentionSection()
    ops: OpsSection = OpsSection()
    feeds: list[FeedEntry] = []
    topics: list[TopicEntry] = []
    team: list[TeamEntry] = []
    ours: OursSection = OursSection()
    rules: list[RuleEntry] = []
