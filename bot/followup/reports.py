"""Reports: the numbers over a period with their daily series, and the weekly report posted once per week.

The chart is drawn by whoever is given as ``render`` (an adapter: the core draws nothing); the store decides
which process posts each week's report (one row per slot).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from earshot.bot.followup.manners import count_manners
from earshot.bot.followup.report_schedule import Weekly, last_slot
from earshot.bot.followup.stats import STALE_AFTER, Report
from earshot.bot.ports import Chat, Clock, StoreOf
from earshot.bot.ports.storage import Checks, Reporting, Team
from earshot.bot.team_handles import member_names

log = logging.getLogger(__name__)

ChartRenderer = Callable[[Report], bytes | None]
WEEK = timedelta(days=7)
MANNERS_LIMIT = 10_000  # the team's counted replies a report reads
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LATE_BY = timedelta(days=1)
"""A weekly report not posted within a day of its time (every process down) is skipped, not posted late."""
SKIPPED = "skipped: nothing to report yet"
"""The message reference stored for a weekly slot whose report was not worth posting."""


class ReportUnit(Reporting, Team, Checks, Protocol):
    """What reports touch: the numbers, the report slots, the team's names, and their counted replies."""


def worth_posting(alerts: int, alerts_before: int) -> bool:
    """Whether a weekly report is worth posting: it has alerts to show, or the team has had alerts before.

    A new team's first reports have nothing to say ("No alerts were posted since ...") and would arrive before
    its first alert, so they are skipped. A quiet week after busy ones is news (a feed may have broken, a topic
    may match nothing any more), so an established team still hears that nothing came in.
    """
    return alerts > 0 or alerts_before > 0


async def build_report(store: StoreOf[ReportUnit], since: datetime, until: datetime, title: str) -> Report:
    """The numbers of [since, until] with the daily series per topic and the team's names."""
    async with store.unit() as unit:
        stats = await unit.stats(since, until, STALE_AFTER)
        series = await unit.day_counts(since, until)
        names = member_names(await unit.list_handles())
        replies = await unit.team_replies(since=since, limit=MANNERS_LIMIT)
    return Report(title, stats, tuple(series), names, count_manners(replies, until))


def weekly_title(slot: datetime) -> str:
    """ "Earshot weekly report, 2026-11-23 to 2026-11-30"."""
    return f"Earshot weekly report, {(slot - WEEK):%Y-%m-%d} to {slot:%Y-%m-%d}"


class WeeklyReporter:
    """Posts the weekly report to the chat once per week across every process."""

    def __init__(
        self,
        store: StoreOf[ReportUnit],
        chat: Chat,
        clock: Clock,
        owner: str,
        weekly: Weekly,
        render: ChartRenderer | None = None,
        lease: timedelta = timedelta(minutes=10),
    ) -> None:
        self.store = store
        self.chat = chat
        self.clock = clock
        self.owner = owner
        self.weekly = weekly
        self.render = render
        self.lease = lease

    async def run(self) -> str | None:
        """Post this week's report if it is due and nobody has; return the message reference when posted."""
        now = self.clock()
        slot = last_slot(now, self.weekly)
        if now - slot > LATE_BY:
            return None
        key = f"weekly:{slot.isoformat()}"
        async with self.store.unit() as unit:
            if not await unit.take_report(key, self.owner, now, self.lease):
                return None
        report = await build_report(self.store, slot - WEEK, slot, weekly_title(slot))
        if report.stats.total.alerts == 0:
            async with self.store.unit() as unit:
                before = await unit.stats(EPOCH, slot - WEEK, STALE_AFTER)
            if not worth_posting(0, before.total.alerts):
                async with self.store.unit() as unit:
                    await unit.finish_report(key, self.owner, self.clock(), SKIPPED)
                log.info("no weekly report for %s: no alert has been posted yet", slot.date())
                return None
        chart = None
        if self.render is not None:
            try:
                chart = self.render(report)
            except Exception:  # the numbers matter more than the picture
                log.exception("could not draw the weekly chart; posting the report without it")
        ref = await self.chat.send_report(report, chart)
        async with self.store.unit() as unit:
            await unit.finish_report(key, self.owner, self.clock(), ref)
        log.info("posted the weekly report for %s", slot.date())
        return ref
