"""Index benchmark: every recurring query's plan and time on a database of 1M conversations, without and with the
indexes the recurring queries got, in one run.

The database is made at the current schema without the indexes the recurring queries got (0012, 0016), filled
with bulk ``INSERT ... SELECT`` statements in the real table shapes (a year of conversations, one in ten alerted,
claims with outcomes and participation checks, sightings and link claims), analysed (PostgreSQL only: Earshot never
analyses SQLite), and each recurring query is run through the real store methods. Every SQL statement a method
executes is captured and explained by the database itself (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL
``EXPLAIN``). Then the indexes are added and the same queries run again.

    python benchmarks/indexes.py --conversations 1000000
    python benchmarks/indexes.py --pg-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

With ``--pg-url`` a database of its own (``earshot_bench_indexes``) is created on that server and dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Index, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from earshot.adapters.storage import SqlStore, create_engine, migrate, tables
from earshot.bot.finding.feedback import FEEDBACK_WINDOW
from earshot.bot.followup.retention import RetentionPolicy
from earshot.bot.followup.stats import STALE_AFTER
from earshot.bot.ports import NewAlert
from earshot.bot.records import Horizons


def _horizons(now: datetime) -> Horizons:
    """The default [retention]: unalerted conversations 30 days, alerts and the audit log a year."""
    return RetentionPolicy().horizons(now)


BASE = datetime(2025, 12, 1, tzinfo=UTC)  # the first conversation; one every 30 s, so 1M make a year
STEP = 30
# Tables that grow with history: a full scan of one of these in a recurring query is what must not happen.
HISTORY = ("conversations", "alerts", "sightings", "outcomes", "participation", "alert_links", "audit_log")

PLANNER_SETTINGS: tuple[str, ...] = ()  # statements run before explaining (tests: "SET enable_seqscan = off")
LINK = "https://blog.example.org/p/"  # what conversation i discusses: LINK + i
# Partial indexes hold only the rows their queries want: reading one whole is no scan of history.
PARTIAL = frozenset(
    str(index.name)
    for table in tables.metadata.tables.values()
    for index in table.indexes
    if index.dialect_options["sqlite"]["where"] is not None
)
Call = Callable[[Any, datetime], Awaitable[Any]]


@dataclass
class Query:
    """A recurring query: the store method(s) a job runs, and how often it runs."""

    name: str
    when: str
    call: Call
    # False for a query that came with its indexes (retention's): without them it reads the alerts once per
    # conversation, hours at 1M rows, so it is measured with them only.
    without_indexes: bool = True


def recurring(n: int) -> list[Query]:
    """The recurring queries of a running Earshot, as the jobs call them (``n``: conversations stored)."""
    middle = n // 2 - n // 2 % 10  # an alerted conversation in the middle of the history
    owner = "bench"
    lease = timedelta(minutes=5)
    hour, day, week = timedelta(hours=1), timedelta(days=1), timedelta(days=7)
    year = timedelta(days=400)
    # A poll finds another discussion of an alerted link: it becomes a sighting (so every crosspost lookup runs).
    again = [NewAlert(middle + 1, f"topic{middle % 20}", None, ("word",), 60, links=(f"{LINK}{middle}",))]
    return [
        Query("outbox lease", "each delivery round", lambda u, now: u.lease_alerts(now, owner, lease, 20)),
        Query("flood: sent this hour", "each delivery round", lambda u, now: u.delivered_since(now - hour)),
        Query("flood: held channels", "each delivery round", lambda u, now: u.held_channels(now)),
        Query("feeds due", "each feed job", lambda u, now: u.lease_feeds(now, owner, lease)),
        Query("feedback texts", "each poll", lambda u, now: u.feedback_texts(now - FEEDBACK_WINDOW, 50)),
        Query("follow-ups due", "every minute", lambda u, now: u.take_followups(now, now - day, 20)),
        Query(
            "crossposts",
            "each poll with alerts",
            lambda u, now: u.insert_alerts(again, now, crosspost_since=now - year),
        ),
        Query("alerts to refresh", "every minute", lambda u, now: u.alerts_to_refresh(20)),
        Query(
            "participation due",
            "every minute",
            lambda u, now: _both(
                u.plan_checks(now, [hour], ["hackernews"], now - 8 * day), u.lease_checks(now, owner, lease, 20)
            ),
        ),
        Query("stale claims", "every 5 minutes", lambda u, now: u.release_stale_claims(now, now - 3 * day, 20)),
        Query("weekly report slot", "every minute", lambda u, now: u.take_report("bench", owner, now, lease)),
        Query("alert by message", "each reaction or button", lambda u, now: u.alert_by_message(f"msg-{middle}")),
        Query("chat event seen", "each chat event", lambda u, now: u.first_time(f"ev-{now}", now, now - day)),
        Query("open claims", "each `claims` command", lambda u, now: u.open_claims("U1", 20)),
        Query("unclaimed", "each `unclaimed` command", lambda u, now: u.unclaimed(now - day, 20)),
        Query("activity", "each `activity` command", lambda u, now: u.activity(now - week)),
        Query("stats (7 days)", "each `stats` and report", lambda u, now: u.stats(now - week, now, STALE_AFTER)),
        Query("day counts (7 days)", "each report", lambda u, now: u.day_counts(now - week, now)),
        Query("alerts by conversation", "each explain", lambda u, now: u.list_alerts(conversation_id=middle, limit=99)),
        Query("lookup by link", "each explain", lambda u, now: u.find_conversation(url=f"{LINK}{middle}")),
        Query("alert with sightings", "each card drawn", lambda u, now: u.get_alert(middle // 10)),
        Query(
            "retention batch",
            "every hour, a batch at a time",
            lambda u, now: u.prune(_horizons(now), 500),
            without_indexes=False,
        ),
    ]


async def _both(*calls: Awaitable[Any]) -> None:
    for call in calls:
        await call


# ---------------------------------------------------------------------------------------------------------------
# Filling: INSERT ... SELECT over a generated series, so a million rows take seconds, not minutes.


class Sql:
    """The few expressions that differ between the dialects."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def series(self, n: int) -> tuple[str, str]:
        """(prefix, FROM clause) of a series i = 1..n."""
        if self.pg:
            return "", f"generate_series(1, {n}) AS s(i)"
        return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})", "s"

    def at(self, seconds: str) -> str:
        """A timestamp ``seconds`` after BASE, stored as the column type stores it."""
        epoch = int(BASE.timestamp())
        if self.pg:
            return f"to_timestamp({epoch} + ({seconds}))"
        return f"strftime('%Y-%m-%d %H:%M:%S', {epoch} + ({seconds}), 'unixepoch') || '.000000'"

    def flag(self, value: bool) -> str:
        """A boolean literal."""
        return ("true" if value else "false") if self.pg else str(int(value))

    def json(self, literal: str) -> str:
        """A JSON literal."""
        return f"'{literal}'::jsonb" if self.pg else f"'{literal}'"

    def insert(self, table: str, n: int, columns: dict[str, str], where: str = "") -> str:
        """INSERT one row per i in 1..n (where ``where`` holds) with these column expressions."""
        prefix, source = self.series(n)
        names = ", ".join(columns)
        values = ", ".join(columns.values())
        condition = f" WHERE {where}" if where else ""
        if self.pg:
            return f"INSERT INTO {table} ({names}) SELECT {values} FROM {source}{condition}"
        return f"INSERT INTO {table} ({names}) {prefix} SELECT {values} FROM {source}{condition}"


def fill_statements(sql: Sql, n: int) -> list[tuple[str, str]]:
    """(table, statement) to fill a database with ``n`` conversations and what a year of them leaves behind."""
    txt = "'" + "words of a conversation, enough to look like one " * 4 + "'"
    created = sql.at(f"i * {STEP}")
    claimed = "i % 50 = 0"  # one alert in five is claimed (alerts are every tenth conversation)
    return [
        (
            "feeds",
            sql.insert(
                "feeds",
                50,
                {
                    "name": "'feed' || i",
                    "kind": "'hackernews'",
                    "every_seconds": "120",
                    "options": sql.json("{}"),
                    "enabled": sql.flag(True),
                    "origin": "'config'",
                    "created_at": sql.at("0"),
                    "updated_at": sql.at("0"),
                    "cursor": sql.json("{}"),
                    "seeded": sql.flag(True),
                    "next_poll_at": sql.at(f"{n * STEP} + 3600"),
                    "consecutive_failures": "0",
                },
            ),
        ),
        (
            "conversations",
            sql.insert(
                "conversations",
                n,
                {
                    "source": "CASE WHEN i % 2 = 0 THEN 'hackernews' ELSE 'reddit' END",
                    "external_id": "CAST(i AS TEXT)",
                    "url": "'https://news.example.com/item?id=' || i",
                    "url_key": "'https://news.example.com/item?id=' || i",
                    "link": f"'{LINK}' || i",
                    "title": "'Item ' || i",
                    "text": txt,
                    "author": "'author' || (i % 5000)",
                    "community": "'community' || (i % 40)",
                    "kind": "'story'",
                    "created_at": created,
                    "thread_size": "i % 30",
                    "points": "i % 100",
                    "feed": "'feed' || (i % 50 + 1)",
                    "first_seen_at": created,
                },
            ),
        ),
        (
            "alerts",
            sql.insert(
                "alerts",
                n,
                {
                    "topic": "'topic' || (i % 20)",
                    "conversation_id": "i",
                    "channel": "'#chan' || (i % 3)",
                    "matched": sql.json('["word"]'),
                    "score": "60",
                    "reasons": sql.json("[]"),
                    "created_at": created,
                    # The newest few are still in the outbox (one held for a digest), as in a running system.
                    "state": f"CASE WHEN i > {n - 30} THEN 'pending' WHEN i = {n - 40} THEN 'held' "
                    "ELSE 'delivered' END",
                    "attempts": "1",
                    "next_attempt_at": f"CASE WHEN i > {n - 30} THEN {sql.at(f'{n * STEP} + 600')} END",
                    "delivered_at": f"CASE WHEN i <= {n - 30} THEN {sql.at(f'i * {STEP} + 5')} END",
                    "message_ref": "'msg-' || i",
                    "claimed_by": f"CASE WHEN {claimed} THEN 'U' || (i % 7) END",
                    "claimed_at": f"CASE WHEN {claimed} THEN {sql.at(f'i * {STEP} + 600')} END",
                    "followed_up_at": f"CASE WHEN {claimed} THEN {sql.at(f'i * {STEP} + 90000')} END",
                    "needs_refresh": sql.flag(False),
                    "held_at": f"CASE WHEN i % 5000 = 0 OR i = {n - 40} THEN {created} END",
                },
                "i % 10 = 0",
            ),
        ),
        (
            "outcomes",
            sql.insert(
                "outcomes",
                n,
                {
                    "alert_id": "i / 10",
                    "kind": "'replied'",
                    "actor": "'U' || (i % 7)",
                    "at": sql.at(f"i * {STEP} + 900"),
                },
                claimed,
            ),
        ),
        (
            "participation",
            sql.insert(
                "participation",
                n,
                {
                    "alert_id": "i / 10",
                    "claimed_at": sql.at(f"i * {STEP} + 600"),
                    "after_seconds": "3600",
                    "due_at": sql.at(f"i * {STEP} + 4200"),
                    "checked_at": sql.at(f"i * {STEP} + 4300"),
                    "attempts": "1",
                    "responses": "2",
                    "votes": "3",
                },
                claimed,
            ),
        ),
        (
            "alert_links",
            sql.insert(
                "alert_links",
                n,
                {
                    "topic": "'topic' || (i % 20)",
                    "link_key": f"'{LINK}' || i",
                    "conversation_id": "i",
                    "at": created,
                },
                "i % 10 = 0",
            ),
        ),
        (
            "sightings",
            sql.insert(
                "sightings",
                n,
                {"alert_id": "(i - 5) / 10", "conversation_id": "i", "seen_at": created},
                "i % 100 = 15",
            ),
        ),
    ]


async def fill(engine: AsyncEngine, n: int) -> None:
    """Fill the tables, then let the planner know what they hold."""
    await fill_tables(engine, n)
    await analyse(engine)


async def fill_tables(engine: AsyncEngine, n: int) -> None:
    """Fill the tables with ``n`` conversations and what they left behind."""
    sql = Sql(engine.dialect.name)
    for table, statement in fill_statements(sql, n):
        started = time.perf_counter()
        async with engine.begin() as connection:
            await connection.execute(text(statement))
        print(f"  filled {table:<14} {time.perf_counter() - started:6.1f} s", flush=True)


async def analyse(engine: AsyncEngine) -> None:
    """Gather the planner's statistics as a running database has them: PostgreSQL's autovacuum keeps them, while
    Earshot never runs ANALYZE on SQLite (whose planner then takes any index equality as selective)."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql("ANALYZE")


# ---------------------------------------------------------------------------------------------------------------
# Running and explaining.


@dataclass
class Result:
    """A query's median time and the plans of the statements it ran."""

    millis: float
    plans: list[list[str]] = field(default_factory=list)

    def scans(self) -> list[str]:
        """The full scans of history tables in its plans."""
        found = (full_scan(line) for plan in self.plans for line in plan)
        return sorted({table for table in found if table})


def full_scan(line: str) -> str | None:
    """The history table a plan line reads in full, if it does: SQLite SCAN (of the table or all of an index,
    unless a partial one, which holds only the rows wanted), PostgreSQL Seq Scan."""
    words = line.replace("Seq Scan on", "SCAN").split()
    for i, word in enumerate(words[:-1]):
        if word == "SCAN" and words[i + 1] in HISTORY and not PARTIAL.intersection(words[i + 2 : i + 6]):
            return words[i + 1]
    return None


@contextmanager
def captured(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """Record every statement (with its parameters) the engine sends while inside."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if not many and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def explain(connection: AsyncConnection, statement: str, parameters: Any) -> list[str]:
    """The database's own plan of one statement, a line per step."""
    if connection.dialect.name == "postgresql":
        rows = await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return [row[0].strip().removeprefix("->  ") for row in rows if "Scan" in row[0] or "Join" in row[0]]
    rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    return [row[3] for row in rows]


async def measure(store: SqlStore, query: Query, now: datetime, repeat: int) -> Result:
    """Run a query ``repeat`` times (a unit each, as the jobs do); explain the statements of the first run."""
    times: list[float] = []
    statements: list[tuple[str, Any]] = []
    async with store.unit() as unit:  # once untimed, so every query starts with the same warm cache
        await query.call(unit, now)
    for attempt in range(repeat):
        with captured(store.engine) as seen:
            started = time.perf_counter()
            async with store.unit() as unit:
                await query.call(unit, now)
            times.append((time.perf_counter() - started) * 1000)
        if attempt == 0:
            statements = seen
    result = Result(statistics.median(times))
    async with store.engine.connect() as connection:
        for setting in PLANNER_SETTINGS:  # for tests on small tables; undone by the rollback below
            await connection.exec_driver_sql(setting)
        for statement, parameters in statements:
            result.plans.append(await explain(connection, statement, parameters))
        await connection.rollback()
    return result


async def run_all(store: SqlStore, n: int, repeat: int, *, indexed: bool = True) -> dict[str, Result]:
    """Every recurring query's result, at a time just after the last conversation (without the indexes, those
    that can run without them)."""
    now = BASE + timedelta(seconds=n * STEP + 60)
    queries = [q for q in recurring(n) if indexed or q.without_indexes]
    return {query.name: await measure(store, query, now, repeat) for query in queries}


def report(queries: list[Query], before: dict[str, Result], after: dict[str, Result], verbose: bool) -> None:
    """The two runs side by side, with the plans after and any full scan of history left."""
    print(f"\n{'query':<24} {'runs':<26} {'before ms':>10} {'after ms':>9}  full scans before -> after")
    for query in queries:
        a = after[query.name]
        b = before.get(query.name)
        if b is None:  # measured with its indexes only
            print(f"{query.name:<24} {query.when:<26} {'-':>10} {a.millis:>9.2f}  {','.join(a.scans()) or '-'}")
            continue
        scans = f"{','.join(b.scans()) or '-'} -> {','.join(a.scans()) or '-'}"
        print(f"{query.name:<24} {query.when:<26} {b.millis:>10.2f} {a.millis:>9.2f}  {scans}")
    print("\nPlans after the migration:")
    for query in queries:
        print(f"  {query.name}:")
        shown = after[query.name].plans if verbose else [p for p in after[query.name].plans if p][:6]
        for plan in shown:
            print("      " + " | ".join(plan))
    left = [q.name for q in queries if after[q.name].scans()]
    print(f"\nRecurring queries still reading a history table in full: {', '.join(left) or 'none'}")


def _added_indexes() -> list[Index]:
    """The indexes the recurring queries' migrations added (0012_indexes, 0016_retention), as the tables declare
    them: the tables' other indexes (keys, unique constraints) were there before."""
    older = {"ix_alerts_topic_id", "ix_outcomes_alert_id", "ix_team_handles_member", "ix_chat_events_seen_at"}
    older |= {"ix_alerts_state_next_attempt_at", "ix_alerts_delivered_at", "ix_alerts_message_ref"}
    older |= {"ix_participation_checked_at_due_at"}
    return [
        index
        for table in tables.metadata.sorted_tables
        for index in table.indexes
        if index.name is not None and index.name not in older and not index.unique
    ]


async def bench(url: str, n: int, repeat: int, verbose: bool) -> None:
    """Fill the current schema without the recurring queries' indexes, measure, add them, measure again.

    (The schema of today without them, rather than the revision before them: the store's queries read columns
    that later revisions added.)"""
    await migrate.upgrade(url)
    added = _added_indexes()
    store = SqlStore(create_engine(url))
    try:
        async with store.engine.begin() as connection:
            for index in added:
                await connection.run_sync(lambda sync, index=index: index.drop(sync))
        print(f"{store.engine.dialect.name}: filling with {n:,} conversations", flush=True)
        await fill(store.engine, n)
        before = await run_all(store, n, repeat, indexed=False)
        started = time.perf_counter()
        async with store.engine.begin() as connection:
            for index in added:
                await connection.run_sync(lambda sync, index=index: index.create(sync))
        names = ", ".join(sorted(str(index.name) for index in added))
        print(f"  added {len(added)} indexes in {time.perf_counter() - started:.1f} s: {names}", flush=True)
        # New connections: SQLite re-prepares a cached statement when the schema changed, but not an EXPLAIN
        # (which reads no table), so a pooled connection would go on explaining the old plans.
        await store.engine.dispose()
        await analyse(store.engine)
        after = await run_all(store, n, repeat)
        report(recurring(n), before, after, verbose)
    finally:
        await store.engine.dispose()


async def with_pg_database(server_url: str, work: Callable[[str], Awaitable[None]]) -> None:
    """Run ``work`` on a new database on the server of ``server_url``, dropped afterwards."""
    name = "earshot_bench_indexes"
    admin = create_engine(server_url)
    try:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            await connection.exec_driver_sql(f"CREATE DATABASE {name}")
        try:
            await work(make_url(server_url).set(database=name).render_as_string(hide_password=False))
        finally:
            async with admin.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.dispose()


def main() -> None:
    """Parse arguments and run on SQLite, then on PostgreSQL when a URL is given."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query; the median is shown")
    parser.add_argument("--pg-url", help="also run on a database of its own on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--verbose", action="store_true", help="every statement's plan")
    args = parser.parse_args()

    async def run(url: str) -> None:
        await bench(url, args.conversations, args.repeat, args.verbose)

    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(run(f"sqlite+aiosqlite:///{folder}/bench.db"))
    if args.pg_url:
        asyncio.run(with_pg_database(args.pg_url, run))


if __name__ == "__main__":
    main()
