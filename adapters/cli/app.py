"""The composition root: settings in, adapters built, core services wired. Nothing here runs at import time."""

from __future__ import annotations

import getpass
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from earshot.adapters.cli.builders import (
    StartupError,
    build_chat,
    build_judge_http,
    build_summariser,
    fetch_policy,
    guest_policy,
    remember_feeds,
    reply_checker,
    scoring_policy,
    utc_now,
)
from earshot.adapters.cli.runlock import migrating
from earshot.adapters.http import SafeHttp
from earshot.adapters.judge import OpenAiJudge
from earshot.adapters.reports import draw_chart
from earshot.adapters.settings import Settings
from earshot.adapters.sources import build_sources, declarations
from earshot.adapters.sources.reddit.rules import SubredditRules
from earshot.adapters.storage import SqlStore, create_engine, describe_url, migrate
from earshot.bot.actions.chat_actions import BriefingSink, ChatActions
from earshot.bot.actions.claims import Claims
from earshot.bot.actions.draft_check import DraftCheck
from earshot.bot.actions.topics_and_feeds import TopicsAndFeeds
from earshot.bot.delivering.context import ContextPolicy, Contextualiser
from earshot.bot.delivering.flood_guard import FloodPolicy
from earshot.bot.delivering.outbox import Deliverer, DeliveryPolicy
from earshot.bot.delivering.summary import SummaryPolicy
from earshot.bot.finding.explain import Explainer
from earshot.bot.finding.judge import JudgePolicy, Judging
from earshot.bot.finding.polling import Poller, PollPolicy
from earshot.bot.finding.scoring import ScoringPolicy
from earshot.bot.followup.participation_checks import CheckPolicy, ParticipationChecker
from earshot.bot.followup.reports import WeeklyReporter
from earshot.bot.followup.retention import Pruner
from earshot.bot.followup.stale_claims import ClaimSweeper
from earshot.bot.guest.briefer import Briefer
from earshot.bot.guest.check import manners_judge
from earshot.bot.guest.checker import ReplyChecker
from earshot.bot.ports import NO_TELEMETRY, Chat, Source, Telemetry

log = logging.getLogger("earshot")


def actor() -> str:
    """Who a CLI change is recorded as."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


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
    judge_http: SafeHttp | None = None  # the LLM judge's own client, when [judge] is on

    @property
    def catalog(self) -> TopicsAndFeeds:
        """Topic and feed use cases."""
        return TopicsAndFeeds(self.store, self.sources, utc_now, kinds=declarations())

    @property
    def desk(self) -> ChatActions:
        """What people in the channel can do (commands, claims, outcomes)."""
        return ChatActions(
            self.store,
            self.sources,
            utc_now,
            self.telemetry,
            custom_outcomes=self.settings.how_it_went.custom_outcomes,
            kinds=declarations(),
            scoring=self.scoring(),
            briefer=self.briefer,
            drafts=DraftCheck(self.store, self.reply_checker),
        )

    @cached_property
    def briefer(self) -> Briefer:
        """The claimer's briefing, with the team's [ours] and [[rules]] and each subreddit's own rules."""
        return Briefer(self.store, utc_now, guest_policy(self.settings), SubredditRules(self.http, os.environ))

    @property
    def follow_up_after(self) -> timedelta:
        """How long after a claim with nothing recorded the claimer is asked how it went (the platform's setting)."""
        if self.settings.chat.platform == "slack":
            return self.settings.slack.follow_up_after
        return self.settings.discord.follow_up_after

    @property
    def claims(self) -> Claims:
        """Claim and outcome use cases."""
        return Claims(self.store, utc_now, self.telemetry)

    @property
    def explainer(self) -> Explainer:
        """The explain use case, scoring as the poller does."""
        return Explainer(self.store, utc_now, self.scoring())

    @cached_property
    def reply_checker(self) -> ReplyChecker:
        """The reply check, with the team's [ours] and [[rules]] and each subreddit's own rules (cached by the one
        reader this app keeps)."""
        return reply_checker(self.settings, self.store, self.http)

    def scoring(self) -> ScoringPolicy:
        """How the poller scores joinability."""
        return scoring_policy(self.settings)

    def poller(self) -> Poller:
        """The feed poller for this process."""
        s = self.settings.schedule
        policy = PollPolicy(
            s.jitter,
            s.max_backoff,
            s.lease,
            s.notify_after,
            s.concurrency,
            forget_after=self.settings.retention.conversations,
        )
        return Poller(
            self.store,
            self.sources,
            utc_now,
            self.owner,
            policy,
            notices=self.chat,
            scoring=self.scoring(),
            telemetry=self.telemetry,
            judging=self.judging(),
        )

    def judging(self) -> Judging | None:
        """The optional LLM judge, when ``[judge] enabled``; None decides alerts from their score alone."""
        j = self.settings.judge
        if self.judge_http is None or not (j.enabled and j.url and j.model):
            return None
        policy = JudgePolicy(min_score=j.min_score, timeout=j.timeout, per_hour=j.per_hour, max_chars=j.max_chars)
        judge = OpenAiJudge(self.judge_http, j.url, j.model, j.api_key)
        return Judging(judge, self.store, utc_now, policy)

    def checker(self) -> ParticipationChecker:
        """The participation checks for this process."""
        policy = CheckPolicy(afters=self.settings.how_it_went.checks)
        g = self.settings.guest
        return ParticipationChecker(
            self.store,
            self.sources,
            utc_now,
            self.owner,
            policy,
            self.chat,
            manners_judge(g.ours, g.people),
            telemetry=self.telemetry,
        )

    def pruner(self) -> Pruner:
        """Removes what ``[retention]`` lets go, a batch at a time."""
        return Pruner(self.store, utc_now, self.settings.retention)

    def sweeper(self) -> ClaimSweeper:
        """Releases claims that went without an outcome for ``[claims] release_after``."""
        return ClaimSweeper(self.store, self.chat, utc_now, self.settings.how_it_went.release_after)

    def reporter(self) -> WeeklyReporter | None:
        """The weekly report, unless ``[report] weekly`` is empty."""
        weekly = self.settings.how_it_went.weekly
        if weekly is None:
            return None
        return WeeklyReporter(self.store, self.chat, utc_now, self.owner, weekly, draw_chart)

    def deliverer(self) -> Deliverer:
        """The alert sender for this process, giving each alert its context summary first."""
        d = self.settings.delivery
        policy = DeliveryPolicy(d.lease, d.batch, d.max_backoff)
        return Deliverer(
            self.store,
            self.chat,
            utc_now,
            self.owner,
            policy,
            context=self.contextualiser(),
            flood=FloodPolicy(d.max_per_hour),
            telemetry=self.telemetry,
        )

    async def database_problem(self) -> str | None:
        """Why the database cannot be used right now, or None when it answers."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (OSError, OperationalError, DBAPIError) as exc:
            return f"cannot reach the database at {describe_url(self.settings.database_url)}: {first_line(exc)}"
        return None

    def contextualiser(self) -> Contextualiser:
        """The context-summary step: extractive, or through the language model ``[summary]`` names."""
        s = self.settings.summary
        policy = ContextPolicy(
            llm_timeout=s.timeout, daily_budget=s.daily_budget, summary=SummaryPolicy(said=s.replies)
        )
        llm = build_summariser(self.settings, self.http)
        return Contextualiser(self.store, self.sources, utc_now, policy, llm=llm, telemetry=self.telemetry)


async def ensure_schema(settings: Settings, engine: AsyncEngine) -> None:
    """Check the database is reachable and current; bring an embedded SQLite database up to date by itself.

    PostgreSQL is shared by replicas, so its migrations stay an explicit step (`earshot db upgrade`).
    """
    url = settings.database_url
    try:
        current = await migrate.current(url)
    except (OSError, OperationalError, DBAPIError) as exc:
        raise StartupError(f"cannot reach the database at {describe_url(url)}: {first_line(exc)}") from exc
    head = migrate.head()
    if current == head:
        return
    if engine.dialect.name == "sqlite":
        async with migrating(url):
            if await migrate.current(url) != head:  # not brought up meanwhile by a command started with us
                await migrate.upgrade(url)
                log.info("database %s: schema brought up to %s", describe_url(url), head)
        return
    raise StartupError(
        f"the database at {describe_url(url)} is at schema {current or 'none'}, not {head}; "
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
    judges_http: SafeHttp | None = None
    chat: Chat | None = None
    try:
        judges_http = build_judge_http(settings)
        store = SqlStore(engine)
        sources = build_sources(http, os.environ)
        remember_feeds(settings, sources)
        # Made here rather than in `run`, so the chat's desk counts claims made from Slack and Discord too.
        telemetry: Telemetry = NO_TELEMETRY
        if settings.ops.port:
            from earshot.adapters.ops.metrics import (
                PrometheusTelemetry,  # prometheus_client only when metrics are served
            )

            telemetry = PrometheusTelemetry()
        outcomes = settings.how_it_went.custom_outcomes
        desk = ChatActions(
            store,
            sources,
            utc_now,
            telemetry,
            custom_outcomes=outcomes,
            kinds=declarations(),
            scoring=scoring_policy(settings),
            briefer=Briefer(store, utc_now, guest_policy(settings), SubredditRules(http, os.environ)),
            drafts=DraftCheck(store, reply_checker(settings, store, http)),
        )
        # The chat first: a platform that cannot be set up stops the command before the database is touched.
        chat = build_chat(settings, http, desk=desk, engine=engine)
        if isinstance(chat, BriefingSink):  # console, webhook: the chat shows briefings itself
            desk.briefings = chat
        if check_schema:
            await ensure_schema(settings, engine)
        app = App(
            settings=settings,
            engine=engine,
            http=http,
            store=store,
            sources=sources,
            chat=chat,
            owner=process_owner(),
            telemetry=telemetry,
            judge_http=judges_http,
        )
        yield app
    finally:
        close = getattr(chat, "aclose", None)  # a chat with connections of its own (Discord's REST client)
        if close is not None:
            await close()
        await http.aclose()
        if judges_http is not None:
            await judges_http.aclose()
        await engine.dispose()
