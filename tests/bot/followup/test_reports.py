"""The weekly report: due at its time, posted once across processes, with the chart; stale claims go back."""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from earshot.adapters.chat.console import ConsoleChat
from earshot.adapters.chat.webhook import WebhookChat
from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.reports.chart import render_chart
from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.domain import Conversation, Handle, Outcome, OutcomeKind
from earshot.bot.followup.report_schedule import Weekly
from earshot.bot.followup.reports import WeeklyReporter, worth_posting
from earshot.bot.followup.stale_claims import ClaimSweeper
from earshot.bot.ports import NewAlert
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.webhook import WebhookReceiver

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
WEEKLY = Weekly(0, time(9, 0))
PNG = b"\x89PNG\r\n\x1a\n"


async def posted(store: MemoryStore, n: int, topic: str, at: datetime) -> int:
    item = Conversation("hackernews", str(n), f"https://news.ycombinator.com/item?id={n}", f"Ask HN: item {n}?")
    async with store.unit() as unit:
        ((cid, _),) = await unit.insert_conversations([item], "hn", at)
        await unit.insert_alerts([NewAlert(cid, topic, None, ("x",), 60)], at)
        (alert,) = await unit.lease_alerts(at, "sender", timedelta(minutes=5), 10)
        await unit.mark_delivered(alert.id, "sender", at, f"C:{n}")
    return alert.id


async def week_of_alerts(store: MemoryStore) -> None:
    for n in range(5):
        alert_id = await posted(store, n, "db" if n < 3 else "rust", MONDAY - timedelta(days=n + 1))
        if n % 2 == 0:
            async with store.unit() as unit:
                await unit.claim(alert_id, "U1", MONDAY - timedelta(days=n + 1) + timedelta(hours=1))
                await unit.add_outcome(Outcome(alert_id, OutcomeKind.REPLIED, "U1", MONDAY - timedelta(days=n)))
    await posted(store, 99, "db", MONDAY - timedelta(days=9))  # the week before


async def test_the_weekly_report_is_posted_once_at_its_time_with_its_chart(
    make_store: Callable[[], MemoryStore], tmp_path: Path
) -> None:
    store = make_store()
    await week_of_alerts(store)
    clock = Clock(MONDAY - timedelta(minutes=1))
    out = io.StringIO()
    chats = [ConsoleChat(clock, "c", out, report_dir=tmp_path) for _ in range(3)]
    reporters = [
        WeeklyReporter(make_store(), chat, clock, f"p{n}", WEEKLY, render_chart) for n, chat in enumerate(chats)
    ]
    assert await reporters[0].run() is None  # not Monday 09:00 yet: last week's slot is long past
    clock.advance(timedelta(minutes=1))
    refs = await asyncio.gather(*(r.run() for r in reporters))
    assert [ref for ref in refs if ref] == ["console:report:earshot-weekly-report-2025-02-24-to-2025-03-03"]
    clock.advance(timedelta(hours=3))
    assert [await r.run() for r in reporters] == [None, None, None]  # once per week
    text = out.getvalue()
    assert text.count("Earshot weekly report, 2025-02-24 to 2025-03-03") == 1
    assert "Since 2025-02-24 (7d): 5 alerts, 3 claimed (60%), median time to claim 1 h" in text
    assert "  db: 3 alerts, 2 claimed (67%), replied 2 (100%), answered 0, 1 went stale, recorded: replied 2" in text
    chart = tmp_path / "earshot-weekly-report-2025-02-24-to-2025-03-03.png"
    assert f"chart: {chart}" in text and chart.read_bytes().startswith(PNG)
    clock.advance(timedelta(days=7))
    assert await reporters[1].run() == "console:report:earshot-weekly-report-2025-03-03-to-2025-03-10"


async def test_the_webhook_report_carries_the_numbers_and_the_png(store: MemoryStore) -> None:
    await week_of_alerts(store)
    clock = Clock(MONDAY + timedelta(minutes=5))
    with FakeHttpServer() as server:
        hook = WebhookReceiver(server)
        async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as http:
            chat = WebhookChat(http, hook.url, "conversations")
            ref = await WeeklyReporter(store, chat, clock, "p1", WEEKLY, render_chart).run()
    (payload,) = hook.accepted
    assert ref == f"earshot-report-{MONDAY.isoformat()}"
    assert payload["type"] == "report" and payload["title"] == "Earshot weekly report, 2025-02-24 to 2025-03-03"
    assert payload["totals"] == {
        "alerts": 5,
        "claimed": 3,
        "replied": 3,
        "responded": 0,
        "stale": 2,
        "claim_median_seconds": 3600,
        "outcomes": {"replied": 3},
    }
    assert base64.b64decode(payload["chart_png"]).startswith(PNG)
    assert payload["text"].startswith("Since 2025-02-24 (7d): 5 alerts")


async def test_a_stale_claim_is_released_with_a_note_and_only_once(store: MemoryStore) -> None:
    now = MONDAY
    stale = await posted(store, 1, "db", now)
    settled = await posted(store, 2, "db", now)
    fresh = await posted(store, 3, "db", now)
    async with store.unit() as unit:
        await unit.claim(stale, "U1", now)
        await unit.add_outcome(Outcome(stale, OutcomeKind.NOTE, "U1", now, note="on it"))  # a note settles nothing
        await unit.claim(settled, "U1", now)
        await unit.add_outcome(Outcome(settled, OutcomeKind.LEAD, "U1", now))
        await unit.claim(fresh, "U2", now + timedelta(days=2))
        await unit.set_handles([Handle("U1", "hackernews", "alice", "Alice")], now)
    clock = Clock(now + timedelta(days=3))
    out = io.StringIO()
    sweeper = ClaimSweeper(store, ConsoleChat(clock, "c", out), clock, timedelta(days=3))
    released = await sweeper.run()
    assert [(a.id, a.claimed_by) for a in released] == [(stale, "U1")]
    assert out.getvalue() == (
        "[earshot info] “Ask HN: item 1?” (db) was claimed by Alice 3d ago with no outcome since, so it is open "
        "again for anyone: https://news.ycombinator.com/item?id=1 . Alice, if you are still on it, just claim it "
        "again.\n\n"
    )
    assert await sweeper.run() == []
    async with store.unit() as unit:
        assert (await unit.get_alert(stale)).claimed_by is None  # type: ignore[union-attr]
        assert (await unit.get_alert(settled)).claimed_by == "U1"  # type: ignore[union-attr]
        assert (await unit.get_alert(fresh)).claimed_by == "U2"  # type: ignore[union-attr]
        assert [a.id for a in await unit.unclaimed(now - timedelta(days=7), 10)] == [stale]


@pytest.mark.parametrize(
    ("alerts", "alerts_before", "expected"),
    [(0, 0, False), (3, 0, True), (0, 12, True), (5, 40, True)],
)
def test_a_report_is_worth_posting_with_alerts_or_after_earlier_ones(
    alerts: int, alerts_before: int, expected: bool
) -> None:
    assert worth_posting(alerts, alerts_before) is expected


async def test_a_new_teams_first_monday_posts_no_empty_report_and_its_first_alerts_are_reported(
    make_store: Callable[[], MemoryStore], tmp_path: Path
) -> None:
    store = make_store()
    clock = Clock(MONDAY + timedelta(minutes=5))  # the very first run, on a Monday after 09:00
    out = io.StringIO()
    reporters = [
        WeeklyReporter(make_store(), ConsoleChat(clock, "c", out, report_dir=tmp_path), clock, p, WEEKLY) for p in "ab"
    ]
    assert [await r.run() for r in reporters] == [None, None]
    clock.advance(timedelta(minutes=1))
    assert await reporters[0].run() is None  # the slot is settled once, not weighed again every minute
    assert out.getvalue() == ""
    await posted(store, 1, "db", MONDAY + timedelta(days=2))  # the team's first alert, that Wednesday
    clock.advance(timedelta(days=7))
    assert await reporters[1].run() == "console:report:earshot-weekly-report-2025-03-03-to-2025-03-10"
    assert "Since 2025-03-03 (7d): 1 alert" in out.getvalue()


async def test_an_established_team_hears_that_a_week_was_quiet(store: MemoryStore, tmp_path: Path) -> None:
    await posted(store, 1, "db", MONDAY - timedelta(days=9))  # the week before last
    clock = Clock(MONDAY + timedelta(minutes=5))
    out = io.StringIO()
    ref = await WeeklyReporter(store, ConsoleChat(clock, "c", out, report_dir=tmp_path), clock, "p", WEEKLY).run()
    assert ref == "console:report:earshot-weekly-report-2025-02-24-to-2025-03-03"
    assert "No alerts were posted since 2025-02-24" in out.getvalue()
