"""The recurring queries use their indexes: each one's plan, as the database itself explains it, names the index.

The queries run through the real store methods (``benchmarks/indexes.py`` captures every statement they send);
the table is small, so the planner is steered as it would be at a million rows: on PostgreSQL sequential scans
are switched off, on SQLite no statistics are gathered (its planner then takes an indexed column as selective).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from earshot.adapters.storage import SqlStore
from tests.e2e.conftest import REPO


def load_benchmark() -> ModuleType:
    """benchmarks/indexes.py as a module (benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("benchmark_indexes", REPO / "benchmarks" / "indexes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = load_benchmark()
CONVERSATIONS = 2_000
STEP = bench.STEP

# Each recurring query, and the indexes of which its plan must name one (PostgreSQL may take either of two that
# serve the query equally).
EXPECTED = {
    "outbox lease": {"ix_alerts_state_next_attempt_at", "ix_alerts_state_delivered_at", "ix_alerts_state_created_at"},
    "flood: sent this hour": {"ix_alerts_state_delivered_at", "ix_alerts_delivered_at"},
    "flood: held channels": {"ix_alerts_digested"},
    "feedback texts": {"ix_alerts_created_at"},
    "follow-ups due": {"ix_alerts_followed_up_at_claimed_at", "ix_alerts_claimed_at"},
    "alerts to refresh": {"ix_alerts_to_refresh"},
    "participation due": {"ix_alerts_claimed_at"},
    "stale claims": {"ix_alerts_claimed_at"},
    "alert by message": {"ix_alerts_message_ref"},
    "chat event seen": {"ix_chat_events_seen_at"},
    "open claims": {"ix_alerts_claimed_by_claimed_at"},
    "unclaimed": {"ix_alerts_state_created_at", "ix_alerts_created_at"},
    "activity": {"ix_alerts_state_created_at", "ix_alerts_created_at"},
    "stats (7 days)": {"ix_alerts_state_created_at", "ix_alerts_created_at"},
    "day counts (7 days)": {"ix_alerts_state_created_at", "ix_alerts_created_at"},
    "crossposts": {"uq_alerts_topic_conversation_id", "sqlite_autoindex_alerts_1", "ix_alerts_conversation_id"},
    "lookup by link": {"ix_conversations_link"},
    # SQLite takes the conversations' first_seen_at index; PostgreSQL on this small table walks them by key (at
    # 200k rows, with statistics, it takes that index too: benchmarks/indexes.py), and the alerts' created_at.
    "retention batch": {"ix_conversations_first_seen_at", "ix_alerts_created_at"},
}
# Only per-minute and per-round work must never read a history table whole (reports and commands may).
NO_FULL_SCAN = (
    "outbox lease",
    "flood: sent this hour",
    "flood: held channels",
    "follow-ups due",
    "alerts to refresh",
    "participation due",
    "stale claims",
    "alert by message",
    "chat event seen",
    "crossposts",
    "lookup by link",
    "retention batch",
)


@pytest.fixture
async def results(store: SqlStore) -> dict[str, object]:
    """Every recurring query's plans on a small filled database."""
    # Spread over as long a time as a million conversations are, so the time windows are as narrow a part of it.
    bench.STEP = bench.STEP * 1_000_000 // CONVERSATIONS
    await bench.fill_tables(store.engine, CONVERSATIONS)
    if store.engine.dialect.name == "postgresql":
        await bench.analyse(store.engine)
        bench.PLANNER_SETTINGS = ("SET enable_seqscan = off",)
    try:
        return dict(await bench.run_all(store, CONVERSATIONS, 1))
    finally:
        bench.PLANNER_SETTINGS = ()
        bench.STEP = STEP


def test_every_recurring_query_is_covered() -> None:
    names = {query.name for query in bench.recurring(CONVERSATIONS)}
    assert set(EXPECTED) <= names
    assert names - set(EXPECTED) <= {
        "feeds due",
        "weekly report slot",
        "alert with sightings",
        "alerts by conversation",
    }


async def test_each_recurring_query_uses_its_index(results: dict[str, object]) -> None:
    missing = {}
    for name, wanted in EXPECTED.items():
        plans = [line for plan in results[name].plans for line in plan]  # type: ignore[attr-defined]
        if not any(index in line for line in plans for index in wanted):
            missing[name] = plans
    assert sorted(missing) == [], missing


async def test_no_frequent_query_reads_a_history_table_whole(results: dict[str, object]) -> None:
    scans = {name: results[name].plans for name in NO_FULL_SCAN if results[name].scans()}  # type: ignore[attr-defined]
    assert sorted(scans) == [], scans


async def test_the_plan_reader_sees_a_full_scan(store: SqlStore) -> None:
    # The check above can fail: a query on a column without an index is reported as a scan of its table.
    async with store.engine.connect() as connection:
        statement = "SELECT id FROM conversations WHERE title = 'x'"
        plan = await bench.explain(connection, statement, ())
    assert [bench.full_scan(line) for line in plan if bench.full_scan(line)] == ["conversations"]
