"""APScheduler wiring for `earshot run`: one job per feed at its own next time, plus delivery and a reconciler.

APScheduler 3 keeps jobs in memory per process; the database decides who polls what (leases), so any number
of processes can run this side by side. Each feed job is a one-shot at the feed's ``next_poll_at`` (interval,
jitter and backoff are computed by the core) and schedules its successor when it finishes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Progress
from earshot.bot.finding.polling import Poller
from earshot.bot.followup.participation_checks import ParticipationChecker
from earshot.bot.followup.reports import WeeklyReporter
from earshot.bot.followup.retention import Pruner
from earshot.bot.followup.stale_claims import ClaimSweeper
from earshot.bot.ports import Clock, Listener, Refresher, Store

log = logging.getLogger(__name__)

RECONCILE_EVERY = timedelta(seconds=30)
"""How often the process looks for feeds added, removed or rescheduled elsewhere (the CLI, another replica)."""
BUSY_RETRY = timedelta(seconds=30)
"""When a feed is due but leased by another process, look again this much later."""
FOLLOW_UP_EVERY = timedelta(minutes=1)
"""How often a listening chat looks for claims to ask about."""
CHECK_EVERY = timedelta(minutes=1)
"""How often due participation checks are looked for (the checks themselves are hours and days apart)."""
SWEEP_EVERY = timedelta(minutes=5)
"""How often stale claims are looked for."""
REPORT_EVERY = timedelta(minutes=1)
"""How often the weekly report is looked at (posted once per week across processes)."""
PRUNE_EVERY = timedelta(hours=1)
"""How often retention removes what it lets go (the first time at start)."""


class Runner:
    """Runs polling and delivery on a schedule until asked to stop, then finishes the work in hand."""

    def __init__(
        self,
        store: Store,
        poller: Poller,
        deliverer: Deliverer,
        clock: Clock,
        deliver_every: timedelta,
        *,
        listener: Listener | None = None,
        desk: ChatActions | None = None,
        follow_up_after: timedelta = timedelta(hours=24),
        checker: ParticipationChecker | None = None,
        sweeper: ClaimSweeper | None = None,
        reporter: WeeklyReporter | None = None,
        pruner: Pruner | None = None,
    ) -> None:
        self.store = store
        self.poller = poller
        self.deliverer = deliverer
        self.clock = clock
        self.deliver_every = deliver_every
        self.listener = listener
        self.desk = desk
        self.follow_up_after = follow_up_after
        self.checker = checker
        self.sweeper = sweeper
        self.reporter = reporter
        self.pruner = pruner
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[Any]] = set()
        self._busy: set[str] = set()
        self._again: set[str] = set()  # jobs asked for while they ran: each runs once more when done
        self._halt = asyncio.Event()  # set at shutdown: long work (a prune) ends between its steps
        self._stopping = False

    @property
    def running(self) -> bool:
        """Whether the scheduler is started and not shutting down."""
        return bool(self.scheduler.running) and not self._stopping

    async def run(self, stop: asyncio.Event) -> None:
        """Schedule everything, wait for ``stop``, then shut down cleanly."""
        self.scheduler.add_job(
            self._job("deliver", self.deliver),
            "interval",
            id="deliver",
            seconds=self.deliver_every.total_seconds(),
            next_run_time=self.clock(),
        )
        self.scheduler.add_job(
            self._job("reconcile", self.reconcile),
            "interval",
            id="reconcile",
            seconds=RECONCILE_EVERY.total_seconds(),
            next_run_time=self.clock(),
        )
        if self.listener is not None and self.desk is not None:
            self.scheduler.add_job(
                self._job("follow-ups", self.follow_ups),
                "interval",
                id="follow-ups",
                seconds=FOLLOW_UP_EVERY.total_seconds(),
            )
        periodic: list[tuple[str, Callable[[], Awaitable[None]], timedelta]] = []
        if self.checker is not None:
            periodic.append(("participation", self.check_participation, CHECK_EVERY))
        if self.sweeper is not None:
            periodic.append(("stale-claims", self.release_stale_claims, SWEEP_EVERY))
        if self.reporter is not None:
            periodic.append(("weekly-report", self.weekly_report, REPORT_EVERY))
        if isinstance(self.listener, Refresher) and self.desk is not None:
            periodic.append(("redraw", self.redraw, FOLLOW_UP_EVERY))
        if self.pruner is not None and not self.pruner.policy.keeps_everything:
            periodic.append(("retention", self.prune, PRUNE_EVERY))
        for name, work, every in periodic:
            self.scheduler.add_job(
                self._job(name, work), "interval", id=name, seconds=every.total_seconds(), next_run_time=self.clock()
            )
        if self.listener is not None:
            await self.listener.start()
        self.scheduler.start()
        log.info("earshot is running; Ctrl-C or SIGTERM stops it")
        await stop.wait()
        await self.shutdown()

    async def shutdown(self) -> None:
        """Stop scheduling new work and let the work in hand finish (each poll and delivery is transactional)."""
        self._stopping = True
        self._halt.set()
        # Pause first: shutting the scheduler down would cancel the jobs in flight (its executor cancels them).
        self.scheduler.pause()
        if self._running:
            log.info("finishing %d task(s) in hand before stopping", len(self._running))
            await asyncio.gather(*self._running, return_exceptions=True)
        self.scheduler.shutdown(wait=False)
        if self.listener is not None:
            await self.listener.stop()

    def _job(self, name: str, work: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        """Wrap work so it never overlaps itself, is awaited at shutdown, and logs instead of dying. A run asked for
        with ``_run_soon`` while one is in progress (a poll found alerts during a delivery round) is not dropped: one
        more follows it."""

        async def job() -> None:
            if self._stopping:
                return
            if name in self._busy:
                return
            self._busy.add(name)
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                while True:
                    self._again.discard(name)
                    try:
                        await work()
                    except Exception:
                        log.exception("%s failed; it will run again on schedule", name)
                    if name not in self._again or self._stopping:
                        break
            finally:
                self._busy.discard(name)
                self._again.discard(name)
                self._running.discard(task)

        return job

    async def deliver(self) -> None:
        """Send pending alerts."""
        report = await self.deliverer.deliver()
        if report.delivered or report.failed:
            log.info("delivered %d alert(s), %d failed", report.delivered, report.failed)
        if report.held or report.digests:
            log.info(
                "flood guard: %d alert(s) held; %d digest(s) posted with %d alert(s)",
                report.held,
                report.digests,
                report.digested,
            )

    async def follow_ups(self) -> None:
        """Ask claimers how it went, for claims old enough with nothing recorded; each claim is asked once."""
        assert self.listener is not None and self.desk is not None
        for alert in await self.desk.due_followups(self.follow_up_after):
            try:
                await self.listener.follow_up(alert)
            except Exception:
                # A nudge, not an alert: it is not retried, so a chat hiccup never asks twice.
                log.exception("could not ask about alert %d; it will not be asked again", alert.id)

    async def redraw(self) -> None:
        """Redraw the messages of delivered alerts that learned something since (a crosspost seen later)."""
        assert isinstance(self.listener, Refresher) and self.desk is not None
        for view in await self.desk.stale_messages():
            try:
                await self.listener.refresh(view.alert, Progress(view.participation, view.outcomes, view.progress))
            except Exception:
                log.exception("could not redraw alert %d; will try again", view.alert.id)
                continue
            await self.desk.redrawn(view.alert.id)

    async def check_participation(self) -> None:
        """Re-read the threads of claimed alerts whose checks are due."""
        assert self.checker is not None
        report = await self.checker.run()
        if report.checked or report.failed:
            log.info("participation: %d thread(s) checked, %d failed", len(report.checked), report.failed)

    async def prune(self) -> None:
        """Remove what retention lets go, a batch at a time; a stop ends it between batches."""
        assert self.pruner is not None
        await self.pruner.prune(stopping=self._halt)  # each batch is a transaction of its own

    async def release_stale_claims(self) -> None:
        """Give back claims that went too long without an outcome."""
        assert self.sweeper is not None
        await self.sweeper.run()

    async def weekly_report(self) -> None:
        """Post the weekly report when it is due."""
        assert self.reporter is not None
        await self.reporter.run()

    async def reconcile(self) -> None:
        """Make the feed jobs match the feeds in the database."""
        async with self.store.unit() as unit:
            states = await unit.list_feeds()
        wanted = {s.feed.name: s for s in states if s.feed.enabled}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("feed:") and job.id[5:] not in wanted:
                job.remove()
                log.info("feed %s is gone; stopped polling it", job.id[5:])
        for name, state in wanted.items():
            if f"feed:{name}" not in self._busy:  # a running poll schedules its own successor
                self._schedule_feed(name, state.next_poll_at)

    def _schedule_feed(self, name: str, when: datetime | None) -> None:
        now = self.clock()
        run_at = now if when is None or when < now else when
        self.scheduler.add_job(
            self._job(f"feed:{name}", lambda: self.poll_feed(name)),
            "date",
            id=f"feed:{name}",
            run_date=run_at,
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def poll_feed(self, name: str) -> None:
        """Poll one feed if it is due and free, then schedule its next turn and deliver what it found."""
        reports = await self.poller.poll(names=[name])
        async with self.store.unit() as unit:
            state = await unit.get_feed(name)
        if state is None or self._stopping:
            return
        next_at = state.next_poll_at
        if not reports and (next_at is None or next_at <= self.clock()):
            next_at = self.clock() + BUSY_RETRY  # another process holds it right now
        self._schedule_feed(name, next_at)
        if any(r.alerts for r in reports):
            self._run_soon("deliver")

    def _run_soon(self, name: str) -> None:
        """Run a job now, or, if it is running (APScheduler would skip it), once more as soon as it ends."""
        if name in self._busy:
            self._again.add(name)
        else:
            self.scheduler.modify_job(name, next_run_time=self.clock())
