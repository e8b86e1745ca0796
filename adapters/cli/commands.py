"""What each `earshot` subcommand does: thin handlers that build the app, call one use case and print."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy.exc import DBAPIError, OperationalError

from earshot.adapters.chat.console import briefing_text
from earshot.adapters.cli import (
    doctor,
    explain_view,
    feedadd,
    feedtest,
    howitwent,
    replycheck,
    topicargs,
    topicview,
    views,
)
from earshot.adapters.cli.app import App, actor, first_line, open_app
from earshot.adapters.cli.builders import StartupError, fetch_policy, utc_now
from earshot.adapters.cli.runlock import only_run
from earshot.adapters.cli.status import status_data, status_json, status_text
from earshot.adapters.http import SafeHttp
from earshot.adapters.settings import Settings
from earshot.adapters.settings.load import write_starter
from earshot.adapters.sources import build_sources, declarations, secret_env
from earshot.adapters.storage import describe_url, migrate
from earshot.bot.actions.chat_actions import BriefingSink, Member
from earshot.bot.actions.topics_and_feeds import check_feed
from earshot.bot.domain import DeliveryState
from earshot.bot.errors import ConfigError
from earshot.bot.ports import Listener
from earshot.bot.ports.sources import ENV_NAME

if TYPE_CHECKING:
    from earshot.adapters.ops.server import Health
    from earshot.adapters.scheduling import Runner

log = logging.getLogger("earshot")


def secrets_of(settings: Settings) -> list[str]:
    """Values that must never reach a log line."""
    found = [settings.chat.webhook_url or "", settings.chat.webhook_secret or "", settings.discord.token or ""]
    slack = settings.slack
    found += [slack.bot_token or "", slack.app_token or "", slack.signing_secret or ""]
    password = urlsplit(settings.database_url.replace("+asyncpg", "").replace("+aiosqlite", "")).password
    found.append(password or "")
    found += [os.environ.get(name, "") for name in secret_env()]  # -v logs request URLs, and a key may be in one
    kinds = declarations()
    for feed in settings.feeds:  # a variable a feed names for its token (mastodon's token_env), as declared
        declared = kinds.get(feed.kind)
        named = [o.name for o in declared.options if o.type == ENV_NAME] if declared else []
        found += [os.environ.get(str(feed.options[key]), "") for key in named if key in feed.options]
    return [s for s in found if s]


def init(path: Path, *, force: bool) -> int:
    """Write the starter config."""
    write_starter(path, force=force)
    print(f"wrote {path}; edit it, then `earshot check-config` and `earshot run`")
    return 0


async def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the subcommand named in ``args``."""
    command = args.command
    if command == "check-config":
        return await check_config(settings)
    if command == "db" and args.db_command == "prune":
        async with open_app(settings) as app:
            return await prune(app, dry_run=args.dry_run)
    if command == "db":
        return await db(args, settings)
    if command == "doctor":
        return await doctor.doctor(settings)
    if command == "discord":
        return await doctor.discord_invite(args, settings)
    if command == "feeds" and args.feeds_command == "test":  # stores nothing, so opens no database of its own
        return await feedtest.feed_test(settings, args.feed)
    async with only_run(command, settings.database_url), open_app(settings) as app:
        if command == "run":
            return await run(app, once=args.once)
        if command == "status":
            return await status(app, as_json=args.json)
        if command == "check-reply":  # reads only: the config's topics and feeds need no sync for it
            return await replycheck.check_reply(app, args)
        await app.catalog.sync(settings.topics, settings.feeds)
        await howitwent.sync_team(app)
        if command == "topics" and args.topics_command == "suggest":
            check_limit(args.limit)
            return await howitwent.suggest(app, args.name, args.limit)
        if command == "team":
            return await howitwent.team(app, args)
        if command == "report":
            return await howitwent.report(app, args)
        if command == "topics":
            return await topics(app, args)
        if command == "feeds":
            return await feeds(app, args)
        if command == "explain":
            return await explain(app, args.target)
        if command == "alerts":
            return await alerts(app, args)
    raise ConfigError(f"unknown command {command!r}")


async def check_config(settings: Settings) -> int:
    """Validate the config (already loaded) and the feeds' kind-specific settings; say what it holds."""
    async with SafeHttp(fetch_policy(settings)) as http:
        sources = build_sources(http, os.environ)
        for feed in settings.feeds:
            check_feed(feed, sources)
    print(views.config_summary(settings))
    return 0


async def prune(app: App, *, dry_run: bool) -> int:
    """Remove (or with ``dry_run``, count) what ``[retention]`` lets go now."""
    pruner = app.pruner()
    kept = app.settings.retention
    if kept.keeps_everything:
        print('[retention] keeps everything (every period is "forever"): nothing to remove')
        return 0
    found = await pruner.prunable() if dry_run else await pruner.prune()
    print(views.pruned(found, kept, dry_run=dry_run))
    return 0


async def db(args: argparse.Namespace, settings: Settings) -> int:
    """Schema migrations; an unreachable database is a clear error, not a traceback."""
    try:
        return await _db(args, settings)
    except BrokenPipeError:  # the reader of our output left: not the database's fault
        raise
    except (OSError, OperationalError, DBAPIError) as exc:
        where = describe_url(settings.database_url)
        raise StartupError(f"cannot reach the database at {where}: {first_line(exc)}") from exc


async def _db(args: argparse.Namespace, settings: Settings) -> int:
    url = settings.database_url
    where = describe_url(url)
    if args.db_command == "history":
        current = await migrate.current(url)
        for revision in migrate.revisions():
            print(f"{revision}{'  <- the database is here' if revision == current else ''}")
        if current is None:
            print("(the database is empty: base)")
        return 0
    if args.db_command == "current":
        current = await migrate.current(url)
        latest = "latest" if current == migrate.head() else f"latest is {migrate.head()}"
        print(f"{where}: schema at {current or 'base (empty)'} ({latest})")
        return 0
    target = schema_revision(args.revision, await migrate.current(url))
    if args.db_command == "upgrade":
        await migrate.upgrade(url, target or "base")
        print(f"{where}: schema at {await migrate.current(url)}")
        return 0
    current = await migrate.current(url)
    known = migrate.revisions()
    if current is not None and (target is None or known.index(target) < known.index(current)):
        confirm_downgrade(args, where, current, target)
    await migrate.downgrade(url, target or "base")
    print(f"{where}: schema at {await migrate.current(url) or 'base (empty)'}")
    return 0


def schema_revision(revision: str, current: str | None) -> str | None:
    """The revision ``db upgrade``/``db downgrade`` names: an id (or a prefix), head, base, or -N/+N from the
    current one; None for base. A name that is none of these is a usage error listing the real ones."""
    known = migrate.revisions()
    steps = revision.lstrip("+-")
    if revision[:1] in "+-" and steps.isdigit():
        here = known.index(current) if current in known else -1
        moved = here + int(revision)
        if not -1 <= moved < len(known):
            raise ConfigError(f"{revision}: the schema has {len(known)} revisions; `earshot db history` lists them")
        return None if moved == -1 else known[moved]
    try:
        return migrate.resolve(revision)
    except ValueError as exc:
        raise ConfigError(f"{exc} (`earshot db history` shows where the database is)") from None


def confirm_downgrade(args: argparse.Namespace, where: str, current: str, target: str | None) -> None:
    """A downgrade drops tables and columns with their data: go on only with --yes, or a "yes" typed at a terminal."""
    dropped = "the tables and columns added since" if target else "every table Earshot keeps"
    what = f"downgrading {where} from {current} to {target or 'base'} drops {dropped}, with their data"
    if args.yes:
        return
    if sys.stdin.isatty() and sys.stdout.isatty():
        answer = input(f"{what}. Type yes to go on: ")
        if answer.strip().lower() == "yes":
            return
        raise ConfigError("downgrade cancelled; nothing was changed")
    raise ConfigError(f"{what}; nothing was changed. Run it again with --yes to do it")


async def run(app: App, *, once: bool) -> int:
    """Sync the config, then poll and deliver: once, or until Ctrl-C / SIGTERM."""
    report = await app.catalog.sync(app.settings.topics, app.settings.feeds)
    await howitwent.sync_team(app)
    if report.added or report.updated or report.removed:
        log.info("config synced: added %s, updated %s, removed %s", report.added, report.updated, report.removed)
    if once:
        return await run_once(app)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ops = app.settings.ops
    # Here, not at the top: aiohttp and prometheus_client load only in a process that serves /metrics, and
    # APScheduler only in one that runs until stopped.
    from earshot.adapters.ops import OpsServer, PrometheusTelemetry
    from earshot.adapters.scheduling import Runner

    telemetry = app.telemetry if isinstance(app.telemetry, PrometheusTelemetry) else None
    listener = app.chat if isinstance(app.chat, Listener) else None
    runner = Runner(
        app.store,
        app.poller(),
        app.deliverer(),
        utc_now,
        app.settings.delivery.every,
        listener=listener,
        desk=app.desk,
        follow_up_after=app.follow_up_after,
        checker=app.checker(),
        sweeper=app.sweeper(),
        reporter=app.reporter(),
        pruner=app.pruner(),
    )
    server = None
    if telemetry is not None and ops.port:
        server = OpsServer(telemetry, health_check(app, runner), ops.host, ops.port)
        try:
            await server.start()
        except OSError as exc:
            raise StartupError(f"[ops] cannot listen on {ops.host}:{ops.port}: {exc.strerror or exc}") from exc
    try:
        await runner.run(stop)
    finally:
        if server is not None:
            await server.stop()
    log.info("stopped")
    return 0


def health_check(app: App, runner: Runner) -> Health:
    """Healthy when the scheduler runs and the database answers; else the reason."""

    async def health() -> str | None:
        if not runner.running:
            return "the scheduler is not running (starting or stopping)"
        return await app.database_problem()

    return health


async def run_once(app: App) -> int:
    """Poll every enabled feed now, deliver what is pending, report, exit 0 even when some feeds failed."""
    polls = await app.poller().poll(due_only=False)
    delivery = await app.deliverer().deliver()
    async with app.store.unit() as unit:
        left = await unit.count_undelivered()
    print(views.once_summary(polls, delivery, left), file=sys.stderr)
    return 0


async def status(app: App, *, as_json: bool) -> int:
    """How the feeds and the outbox are doing (read only: the config is not synced)."""
    async with app.store.unit() as unit:
        states = await unit.list_feeds()
        backlog = await unit.backlog()
        now = utc_now()
        threads = await unit.usage_since(now.date())
    channel = app.settings.chat.channel
    print(
        status_json(status_data(states, backlog, channel, now, threads))
        if as_json
        else status_text(states, backlog, channel, now, threads)
    )
    return 0


async def topics(app: App, args: argparse.Namespace) -> int:
    """topics add|edit|show|preview|list|remove."""
    command = args.topics_command
    if command == "add":
        topic = await app.catalog.add_topic(topicargs.topic_from_args(args), actor())
        print(f"added topic {topic.name}: {topic.query}")
    elif command == "edit":
        topic = await app.catalog.edit_topic(args.name, topicargs.change_from_args(args), actor())
        print(f"changed topic {topic.name}:")
        print(topicview.topic_text(topic, app.settings.chat.channel, app.settings.scoring.languages))
    elif command == "show":
        topic = await app.catalog.topic(args.name)
        print(topicview.topic_text(topic, app.settings.chat.channel, app.settings.scoring.languages))
    elif command == "preview":
        print(await topicview.preview(app, args))
    elif command == "remove":
        await app.catalog.remove_topic(args.name, actor())
        print(f"removed topic {args.name}")
    else:
        print(views.topics_table(await app.catalog.topics(), app.settings.chat.channel))
    return 0


async def feeds(app: App, args: argparse.Namespace) -> int:
    """feeds add|list|remove|test."""
    if args.feeds_command == "add":
        return await feedadd.add(app, args)
    elif args.feeds_command == "remove":
        await app.catalog.remove_feed(args.name, actor())
        print(f"removed feed {args.name}")
    else:
        print(views.feeds_table(await app.catalog.feeds(), utc_now()))
    return 0


async def explain(app: App, target: str) -> int:
    """explain: why an alert or a conversation was alerted, held or passed over."""
    print(explain_view.explanation(await app.explainer.explain(target), app.settings.chat.channel))
    return 0


async def alerts(app: App, args: argparse.Namespace) -> int:
    """alerts list; alerts claim."""
    if args.alerts_command == "claim":
        return await claim(app, args)
    check_limit(args.limit)
    state = DeliveryState(args.state) if args.state else None
    async with app.store.unit() as unit:
        found = await unit.list_alerts(state=state, topic=args.topic, limit=args.limit)
    filtered = state is not None or args.topic is not None
    print(explain_view.alerts_table(found, app.settings.chat.channel, filtered))
    return 0


async def claim(app: App, args: argparse.Namespace) -> int:
    """Claim an alert for ``--as``; the chat shows the briefing where it can (console, webhook), else it is
    printed here. 1 when someone else holds it."""
    alert_id = replycheck.alert_number(args.alert_id)
    member = args.member.strip()
    if not member:
        raise ConfigError("--as: give the teammate's chat id or name")
    desk = app.desk
    desk.briefings = app.chat if isinstance(app.chat, BriefingSink) else None
    result = await desk.claim(alert_id, Member(id=member, name=member))
    if not result.won:
        print(f"alert {alert_id} is claimed by {result.holder} already")
        return 1
    print(f"alert {alert_id} claimed by {member}")
    briefing = None if desk.briefings is not None else await desk.briefing(alert_id)
    if briefing is not None:
        print(briefing_text(alert_id, member, briefing))
    return 0


def check_limit(limit: int) -> None:
    """Refuse a --limit below 1 or past what a query can take."""
    if not 1 <= limit <= 10_000:
        raise ConfigError(f"--limit {limit}: give a whole number from 1 to 10000")
