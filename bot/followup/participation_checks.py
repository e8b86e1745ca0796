"""Automatic participation checks: re-read a claimed alert's thread 1 hour, 1 day and 7 days after the claim,
record who of the team replied and how it went, and show it on the alert's message.

The store hands out due checks under a lease (several processes share the work), the thread is read outside
any transaction, and the result is stored only while the lease is still held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from earshot.bot.domain import Handle, Participation, Progress
from earshot.bot.errors import FeedError, LeaseLost
from earshot.bot.finding.thread_usage import count_thread_usage
from earshot.bot.followup.participation import progress_line, read_participation
from earshot.bot.ports import NO_TELEMETRY, Chat, Clock, DueCheck, Refresher, Source, StoreOf, Telemetry, ThreadSource
from earshot.bot.ports.storage import Checks, Claiming, Metering, Team
from earshot.bot.team_handles import member_names, team_index

log = logging.getLogger(__name__)

Judge = Callable[[str, str], tuple[bool | None, bool | None]]
"""(reply text, member id) -> (promoted what is ours, disclosed how we are connected); None where unknown."""

DEFAULT_CHECKS = (timedelta(hours=1), timedelta(days=1), timedelta(days=7))


class CheckUnit(Checks, Team, Claiming, Metering, Protocol):
    """What the checker touches: the checks, the team's handles, an alert's outcomes, and what reading threads
    spent."""


@dataclass(frozen=True, slots=True)
class CheckPolicy:
    """When to check (after the claim), how long a lease lasts, how many at a time, how often to retry."""

    afters: tuple[timedelta, ...] = DEFAULT_CHECKS
    lease: timedelta = timedelta(minutes=5)
    batch: int = 20
    attempts: int = 5
    retry: timedelta = timedelta(minutes=10)
    thread_limit: int = 200

    @property
    def horizon(self) -> timedelta:
        """How far back claims still get checks planned: past the last check, a claim is done with."""
        return max(self.afters, default=timedelta(0)) + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What one round of checks did."""

    checked: tuple[Participation, ...] = ()
    failed: int = 0
    refreshed: int = 0
    errors: tuple[str, ...] = field(default_factory=tuple)


def changed(before: Participation | None, now: Participation) -> bool:
    """Whether a check found something new worth showing (a reply, answers, votes)."""
    if before is None:
        return now.replied_by is not None
    return (before.replied_by, before.responses, before.votes) != (now.replied_by, now.responses, now.votes)


class ParticipationChecker:
    """Runs the due participation checks of claimed alerts for one process (``owner``)."""

    def __init__(
        self,
        store: StoreOf[CheckUnit],
        sources: Mapping[str, Source],
        clock: Clock,
        owner: str,
        policy: CheckPolicy = CheckPolicy(),
        chat: Chat | None = None,
        judge: Judge | None = None,
        telemetry: Telemetry = NO_TELEMETRY,
    ) -> None:
        self.store = store
        self.sources = sources
        self.clock = clock
        self.owner = owner
        self.policy = policy
        self.chat = chat
        self.judge = judge  # (promoted, disclosed) of each counted reply; None: its manners are not recorded
        self.telemetry = telemetry

    def thread_sources(self) -> list[str]:
        """The kinds of source whose threads can be read."""
        return sorted(kind for kind, source in self.sources.items() if isinstance(source, ThreadSource))

    async def run(self) -> CheckReport:
        """Plan the checks of new claims, then run the due ones."""
        now = self.clock()
        kinds = self.thread_sources()
        async with self.store.unit() as unit:
            await unit.plan_checks(now, self.policy.afters, kinds, now - self.policy.horizon)
            due = await unit.lease_checks(now, self.owner, self.policy.lease, self.policy.batch)
            handles = await unit.list_handles() if due else []
        checked: list[Participation] = []
        failed = refreshed = 0
        errors: list[str] = []
        for check in due:
            try:
                result, shown = await self.check(check, handles)
            except FeedError as exc:
                failed += 1
                errors.append(f"alert {check.alert.id}: {exc}")
                await self._failed(check, str(exc), exc.retry_after)
                continue
            except LeaseLost:
                log.warning("participation check of alert %d was taken over by another process", check.alert.id)
                continue
            checked.append(result)
            refreshed += shown
        return CheckReport(tuple(checked), failed, refreshed, tuple(errors))

    async def check(self, check: DueCheck, handles: Sequence[Handle]) -> tuple[Participation, bool]:
        """Read one alert's thread, store what it shows, and refresh its message when something changed."""
        alert = check.alert
        source = self.sources.get(alert.conversation.source)
        if not isinstance(source, ThreadSource):
            raise FeedError(f"source {alert.conversation.source!r} cannot read threads in this version")
        kind = alert.conversation.source
        try:
            thread = await source.thread(alert.conversation, limit=self.policy.thread_limit)
        except FeedError as exc:
            await count_thread_usage(self.store, self.telemetry, kind, exc.usage, self.clock().date())
            raise
        await count_thread_usage(self.store, self.telemetry, kind, thread.usage, self.clock().date())
        team = team_index(handles, alert.conversation.source)
        result = read_participation(
            thread,
            team,
            alert.claimed_by,
            alert.claimed_at,
            alert_id=alert.id,
            after=check.after,
            now=self.clock(),
            judge=self.judge,
        )
        async with self.store.unit() as unit:
            before = await unit.latest_participation(alert.id)
            await unit.finish_check(check.id, self.owner, result)
            outcomes = tuple(await unit.list_outcomes(alert.id))
        if not changed(before, result) or not isinstance(self.chat, Refresher):
            return result, False
        names = member_names(handles)
        line = progress_line(result, outcomes, names, alert.conversation.created_at or alert.created_at)
        progress = Progress(result, outcomes, line, names.get(result.replied_by or ""))
        try:
            await self.chat.refresh(alert, progress)
        except Exception as exc:  # the check is stored; the message shows it at the next change
            log.warning("could not update the message of alert %d: %s", alert.id, exc)
            return result, False
        return result, True

    async def _failed(self, check: DueCheck, error: str, retry_after: float | None) -> None:
        now = self.clock()
        give_up = check.attempts + 1 >= self.policy.attempts
        wait = max(self.policy.retry, timedelta(seconds=retry_after or 0))
        log.warning(
            "alert %d: cannot read its thread (%s)%s",
            check.alert.id,
            error,
            "; giving up this check" if give_up else f"; trying again in {wait}",
        )
        try:
            async with self.store.unit() as unit:
                await unit.fail_check(check.id, self.owner, now, error=error, retry_at=None if give_up else now + wait)
        except LeaseLost:
            log.warning("participation check of alert %d was taken over by another process", check.alert.id)
