"""The runner's how-it-went jobs, in real time: participation checks, stale claims and the weekly report."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import pytest

from earshot.adapters import scheduling
from earshot.adapters.scheduling import Runner
from earshot.adapters.storage import SqlStore
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Alert, Handle, Notice, Progress, Topic
from earshot.bot.finding.polling import Poller
from earshot.bot.followup.participation_checks import CheckPolicy, ParticipationChecker
from earshot.bot.followup.report_schedule import Weekly
from earshot.bot.followup.reports import WeeklyReporter
from earshot.bot.followup.stale_claims import ClaimSweeper
from earshot.bot.followup.stats import Report
from tests.adapters.test_scheduling import SECOND, FakeSource, add_feed, utc_now, wait_until
from tests.bot.followup.test_reports import posted
from tests.fakes.threads import FakeThreads


@dataclass
class ShowingChat:
    """A chat that keeps alerts, notices, progress updates and reports."""

    alerts: list[Alert] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    updates: list[tuple[int, str]] = field(default_factory=list)
    reports: list[tuple[str, bytes | None]] = field(default_factory=list)

    async def send_alert(self, alert: Alert) -> str:
        self.alerts.append(alert)
        return f"msg-{alert.id}"

    async def send_notice(self, notice: Notice) -> None:
        self.notices.append(notice)

    async def refresh(self, alert: Alert, progress: Progress) -> None:
        self.updates.append((alert.id, progress.line))

    async def send_report(self, report: Report, chart_png: bytes | None) -> str:
        self.reports.append((report.title, chart_png))
        return "report-1"


async def test_checks_releases_and_the_report_run_on_schedule(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CHECK_EVERY", "SWEEP_EVERY", "REPORT_EVERY"):
        monkeypatch.setattr(scheduling, name, SECOND)
    async with store.unit() as unit:
        await unit.add_topic(Topic("pg", "postgres", min_score=0))
        await unit.set_handles([Handle("U1", "fake", "alice", "Alice")], utc_now())
    await add_feed(store, "one")
    chat = ShowingChat()
    source = FakeSource()
    threads = FakeThreads(kind="fake")
    sources = {"fake": source}
    today = datetime.now(UTC)
    await posted(store, 1000, "pg", datetime.combine(today.date(), time(0, 0), UTC) - timedelta(days=1))  # last week's
    runner = Runner(
        store,
        Poller(store, sources, utc_now, "runner", notices=chat),  # type: ignore[arg-type]
        Deliverer(store, chat, utc_now, "runner"),
        utc_now,
        SECOND,
        checker=ParticipationChecker(store, {"fake": threads}, utc_now, "runner", CheckPolicy(afters=(SECOND,)), chat),
        sweeper=ClaimSweeper(store, chat, utc_now, timedelta(seconds=4)),
        reporter=WeeklyReporter(store, chat, utc_now, "runner", Weekly(today.weekday(), time(0, 0)), lambda r: b"png"),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await wait_until(lambda: bool(chat.alerts) and bool(chat.reports))
        alert = chat.alerts[0]
        threads.add(alert.conversation.external_id, "r1", "Alice", utc_now())
        async with store.unit() as unit:
            assert (await unit.claim(alert.id, "U1", utc_now())).won
        await wait_until(lambda: bool(chat.updates))
        await wait_until(lambda: bool(chat.notices), timeout=12)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert chat.updates[0][0] == alert.id and chat.updates[0][1].startswith("Alice replied")
    assert len(chat.reports) == 1 and chat.reports[0][1] == b"png"
    assert "open again for anyone" in chat.notices[0].text
