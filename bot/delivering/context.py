"""Context summaries, made just before delivery: read the thread, summarise it, store the summary on the alert.

Not inside the poll's transaction, which does no network. Everything here is best effort and bounded in time:
a thread that cannot be read gives a summary from the item alone; a language model that is off, slow, failing
or over its daily budget gives the extractive summary; a store that fails to keep the summary loses only it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Protocol

from earshot.bot.delivering.summary import SummaryPolicy, extractive_summary
from earshot.bot.domain import Alert, Conversation, Reply, Summary
from earshot.bot.errors import EarshotError, FeedError
from earshot.bot.finding.thread_usage import count_thread_usage
from earshot.bot.ports import NO_TELEMETRY, Clock, Source, StoreOf, Summariser, Telemetry, ThreadSource
from earshot.bot.ports.storage import Metering, Summaries

log = logging.getLogger(__name__)


class ContextUnit(Summaries, Metering, Protocol):
    """What the context step keeps: summaries and their budget, and what reading threads spent."""


LLM_BUDGET = "llm-summary"


@dataclass(frozen=True, slots=True)
class ContextPolicy:
    """Bounds of the context step: replies read, thread and model timeouts, and model calls per UTC day."""

    thread_limit: int = 50
    thread_timeout: timedelta = timedelta(seconds=5)
    llm_timeout: timedelta = timedelta(seconds=10)
    daily_budget: int = 200
    summary: SummaryPolicy = field(default_factory=SummaryPolicy)


class Contextualiser:
    """Gives alerts their context summary, reading threads through any source that implements ThreadSource."""

    def __init__(
        self,
        store: StoreOf[ContextUnit],
        sources: Mapping[str, Source],
        clock: Clock,
        policy: ContextPolicy = ContextPolicy(),
        llm: Summariser | None = None,
        telemetry: Telemetry = NO_TELEMETRY,
    ) -> None:
        self.store = store
        self.sources = sources
        self.clock = clock
        self.policy = policy
        self.llm = llm
        self.telemetry = telemetry

    async def contextualise(self, alert: Alert) -> Alert:
        """The alert with its summary (made and stored now unless it had one); never raises for a summary failure."""
        if alert.summary is not None:
            return alert
        conversation, replies = await self._thread(alert)
        summary = extractive_summary(conversation, replies, self.policy.summary)
        if self.llm is not None:
            summary = await self._llm(self.llm, alert, conversation, replies, summary)
        refreshed = conversation if conversation != alert.conversation else None
        try:
            async with self.store.unit() as unit:
                await unit.save_summary(alert.id, summary, refreshed)
        except Exception as exc:  # the alert goes out with its summary all the same; a later try may store it
            log.warning("alert %d: could not store its summary: %s: %s", alert.id, type(exc).__name__, exc)
        return replace(alert, conversation=conversation, summary=summary)

    async def _thread(self, alert: Alert) -> tuple[Conversation, Sequence[Reply]]:
        """The conversation with fresh numbers and its replies, or the stored conversation alone."""
        conversation = alert.conversation
        source = self.sources.get(conversation.source)
        if not isinstance(source, ThreadSource):
            return conversation, ()
        try:
            thread = await asyncio.wait_for(
                source.thread(conversation, limit=self.policy.thread_limit),
                self.policy.thread_timeout.total_seconds(),
            )
        except TimeoutError:
            log.info(
                "alert %d: thread not read within %s; summarising the item alone", alert.id, self.policy.thread_timeout
            )
            return conversation, ()
        except EarshotError as exc:
            if isinstance(exc, FeedError):
                await self._count(conversation.source, exc.usage)
            log.info("alert %d: thread not read (%s); summarising the item alone", alert.id, exc)
            return conversation, ()
        except Exception:  # a bug in a source must not hold the alert back
            log.exception("alert %d: unexpected error while reading its thread", alert.id)
            return conversation, ()
        await self._count(conversation.source, thread.usage)
        fresh = thread.conversation
        replies = thread.reply_count if thread.reply_count is not None else fresh.thread_size
        updated = replace(
            conversation,
            thread_size=replies if replies is not None else conversation.thread_size,
            points=fresh.points if fresh.points is not None else conversation.points,
        )
        return updated, thread.replies

    async def _count(self, kind: str, spent: Mapping[str, int]) -> None:
        await count_thread_usage(self.store, self.telemetry, kind, spent, self.clock().date())

    async def _llm(
        self, llm: Summariser, alert: Alert, conversation: Conversation, replies: Sequence[Reply], draft: Summary
    ) -> Summary:
        """The model's summary, or ``draft`` when over budget, slow or failing (and the log says which)."""
        day = self.clock().date()
        try:
            async with self.store.unit() as unit:
                allowed = await unit.spend_budget(LLM_BUDGET, day, self.policy.daily_budget)
        except Exception as exc:
            log.warning("alert %d: LLM budget unreadable (%s); extractive summary used", alert.id, type(exc).__name__)
            return draft
        if not allowed:
            log.info(
                "alert %d: LLM summary budget of %d calls for %s is spent; extractive summary used",
                alert.id,
                self.policy.daily_budget,
                day.isoformat(),
            )
            return draft
        try:
            return await asyncio.wait_for(
                llm.summarise(conversation, replies, draft), self.policy.llm_timeout.total_seconds()
            )
        except TimeoutError:
            log.warning(
                "alert %d: LLM summary took over %s; extractive summary used", alert.id, self.policy.llm_timeout
            )
        except EarshotError as exc:
            log.warning("alert %d: LLM summary failed (%s); extractive summary used", alert.id, exc)
        except Exception as exc:
            log.warning(
                "alert %d: LLM summary failed unexpectedly (%s); extractive summary used", alert.id, type(exc).__name__
            )
        return draft
