"""Polling feeds: lease the due ones, fetch, keep what is new, match it against every topic, score, write alerts.

An alert scoring under its topic's ``min_score`` is written too, held back (state below_min) with its reasons,
so what was passed over can still be explained.

One poll is one transaction: new items, their alerts and the feed's new cursor are stored together or not at
all, so a crash mid-poll repeats the poll instead of losing or doubling alerts.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from earshot.bot.domain import Conversation, DeliveryState, Feed, FeedState, FetchResult, Match, Notice, Topic
from earshot.bot.errors import FeedError, LeaseLost
from earshot.bot.finding.feedback import FEEDBACK_TEXTS, FEEDBACK_WINDOW, learn_all
from earshot.bot.finding.judge import Asked, Candidate, Judging, judged
from earshot.bot.finding.language import known_language, language_hold
from earshot.bot.finding.matching import TopicIndex, compile_topics
from earshot.bot.finding.scoring import Score, ScoringPolicy, score, top_reasons
from earshot.bot.finding.team_model import TeamModel, team_models
from earshot.bot.ports import NO_TELEMETRY, Chat, Clock, NewAlert, Source, StoreOf, Telemetry, Verdict
from earshot.bot.ports.storage import Feedback, Polling, Topics
from earshot.bot.timing import feed_backoff, next_poll_at
from earshot.bot.urls import canonical_url

log = logging.getLogger(__name__)

FEEDBACK_REFRESH = timedelta(minutes=10)
"""How often a poller relearns what each topic's dismissed and joined alerts look like, from the database: every
replica relearns on its own and, reading the same feedback, learns the same (a new dismissal reaches all of them
within this time)."""


class PollUnit(Polling, Feedback, Topics, Protocol):
    """What a poll touches: feed leases, conversations and alerts, the topics, and the team's feedback."""


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How polling behaves: spread, backoff, lease length, when to tell the channel, how many at once."""

    jitter: float = 0.1
    max_backoff: timedelta = timedelta(hours=6)
    lease: timedelta = timedelta(minutes=5)
    notify_after: int = 3
    concurrency: int = 4
    # A conversation discussing a link already alerted for the same topic within this window is listed on that
    # alert (a crosspost) instead of alerted again; None alerts each conversation on its own.
    crosspost_window: timedelta | None = timedelta(days=7)
    # Items published longer ago than this are not stored: retention forgets conversations that old, so one
    # could not be told from one forgotten (and alerted again). None stores items of any age.
    forget_after: timedelta | None = None


@dataclass(frozen=True, slots=True)
class PollReport:
    """What one poll of one feed did."""

    feed: str
    ok: bool
    fetched: int = 0
    new: int = 0
    alerts: int = 0
    seeded: bool = False
    not_modified: bool = False
    error: str | None = None
    failures: int = 0
    next_poll_at: datetime | None = None


class Poller:
    """Polls feeds on behalf of one process (``owner``), sharing the work with others through leases."""

    def __init__(
        self,
        store: StoreOf[PollUnit],
        sources: Mapping[str, Source],
        clock: Clock,
        owner: str,
        policy: PollPolicy = PollPolicy(),
        notices: Chat | None = None,
        rand: Callable[[], float] = random.random,
        scoring: ScoringPolicy | None = None,
        telemetry: Telemetry = NO_TELEMETRY,
        judging: Judging | None = None,
    ) -> None:
        self.store = store
        self.sources = sources
        self.clock = clock
        self.owner = owner
        self.policy = policy
        self.notices = notices
        self.rand = rand
        self._indexed: tuple[tuple[Topic, ...], TopicIndex] | None = None
        self.scoring = scoring or ScoringPolicy()
        self._learned: dict[str, dict[str, float]] = {}
        self._models: dict[str, TeamModel] = {}
        self._learned_at: datetime | None = None
        self.telemetry = telemetry
        self.judging = judging  # the optional LLM judge; None decides every alert from its score alone

    async def poll(self, *, names: Sequence[str] | None = None, due_only: bool = True) -> list[PollReport]:
        """Poll every feed that is due (or the named ones, or all with ``due_only=False``) and nobody else holds."""
        now = self.clock()
        texts = None
        async with self.store.unit() as unit:
            leased = await unit.lease_feeds(now, self.owner, self.policy.lease, names=names, due_only=due_only)
            # Topics are read each round, so every change is seen by the next round.
            topics = self._index(tuple(await unit.list_topics())) if leased else TopicIndex([])
            if leased and (self._learned_at is None or now - self._learned_at >= FEEDBACK_REFRESH):
                texts = await unit.feedback_texts(now - FEEDBACK_WINDOW, FEEDBACK_TEXTS)
        if texts is not None:  # learned after the transaction: embedding the feedback holds no database lock
            self._learned, self._learned_at = learn_all(texts), now
            self._models = team_models(self.scoring.meaning, texts, [c.topic for c in topics.topics])
        if not leased:
            return []
        gate = asyncio.Semaphore(self.policy.concurrency)

        async def guarded(state: FeedState) -> PollReport:
            async with gate:
                return await self.poll_one(state, topics)

        return list(await asyncio.gather(*(guarded(s) for s in leased)))

    def _index(self, topics: tuple[Topic, ...]) -> TopicIndex:
        """The matching index for these topics, rebuilt only when they changed since the last round."""
        if self._indexed is None or self._indexed[0] != topics:
            self._indexed = (topics, TopicIndex(compile_topics(topics), self.scoring.meaning))
        return self._indexed[1]

    async def poll_one(self, state: FeedState, topics: TopicIndex) -> PollReport:
        """Fetch one leased feed and store what it brought; a failure is recorded, never raised."""
        feed = state.feed
        seeding = not state.seeded
        try:
            source = self.sources.get(feed.kind)
            if source is None:
                raise FeedError(f"feed kind {feed.kind!r} is not available in this version")
            result = await source.fetch(feed, state.cursor, seeding=seeding)
        except FeedError as exc:
            self._count_usage(feed, exc.usage)
            return await self._failed(state, str(exc), exc.retry_after, cursor=exc.cursor)
        except Exception as exc:  # a bug in a source must not stop the other feeds
            log.exception("feed %s: unexpected error while fetching", feed.name)
            self.telemetry.count("errors", stage="poll")
            return await self._failed(state, f"unexpected error: {type(exc).__name__}: {exc}", None)
        try:
            return await self._store(state, result, topics, seeding)
        except LeaseLost:
            log.warning("feed %s: another process took it over mid-poll; its result was dropped", feed.name)
            return PollReport(feed.name, ok=False, error="lease lost to another process")
        except Exception as exc:  # the poll's transaction rolled back: nothing stored, so retry it later
            log.exception("feed %s: could not store what it brought", feed.name)
            return await self._failed(state, f"could not store results: {type(exc).__name__}: {exc}", None)

    async def _store(self, state: FeedState, result: FetchResult, topics: TopicIndex, seeding: bool) -> PollReport:
        feed = state.feed
        now = self.clock()
        upcoming = next_poll_at(now, feed.every, self.policy.jitter, self.rand())
        alerts: list[NewAlert] = []
        # Asked before the transaction, which does no network: the judge may take its whole timeout.
        verdicts = {} if seeding or self.judging is None else await self._judge(self.judging, result, topics, feed.name)
        items = result.items
        if self.policy.forget_after is not None:
            forgotten = now - self.policy.forget_after
            items = [i for i in items if i.created_at is None or i.created_at >= forgotten]
        async with self.store.unit() as unit:
            fresh = await unit.insert_conversations(items, feed.name, now)
            if not seeding:
                for conversation_id, conversation in fresh:
                    for topic, found in topics.match(conversation, feed.name):
                        verdict = verdicts.get((conversation.key, topic.name))
                        alerts.append(self._alert(conversation_id, conversation, topic, found, now, verdict))
            window = self.policy.crosspost_window
            since = now - window if window is not None else None
            written = await unit.insert_alerts(alerts, now, crosspost_since=since) if alerts else 0
            await unit.finish_poll(feed.name, self.owner, now, cursor=result.cursor, next_poll_at=upcoming)
        self.telemetry.count("polls", kind=feed.kind, outcome="ok")
        self.telemetry.count("items_fetched", len(result.items), kind=feed.kind)
        self.telemetry.count("alerts_created", written, kind=feed.kind)
        self._count_usage(feed, result.usage)
        if state.consecutive_failures >= self.policy.notify_after:
            await self._notify(Notice("info", f"Feed {feed.name} works again.", feed=feed.name))
        log.info(
            "feed %s: %d fetched, %d new, %d alerts%s",
            feed.name,
            len(result.items),
            len(fresh),
            written,
            " (first poll: recorded what is there, alerted nothing)" if seeding else "",
        )
        return PollReport(
            feed.name,
            ok=True,
            fetched=len(result.items),
            new=len(fresh),
            alerts=written,
            seeded=seeding,
            not_modified=result.not_modified,
            next_poll_at=upcoming,
        )

    def _alert(
        self,
        conversation_id: int,
        conversation: Conversation,
        topic: Topic,
        found: Match,
        now: datetime,
        verdict: Verdict | None = None,
    ) -> NewAlert:
        """The alert for one match: its joinability, top reasons, whether it clears the topic's minimum, and the
        judge's verdict when one was given (a "skip" holds it)."""
        learned, model = self._learned.get(topic.name), self._models.get(topic.name)
        result, state = decide(conversation, topic, found, now, self.scoring, learned, model)
        reasons, state = judged(top_reasons(result), state, verdict)
        return NewAlert(
            conversation_id,
            topic.name,
            topic.channel,
            found.terms,
            result.value,
            reasons,
            state,
            links=discussed_links(conversation),
        )

    async def _judge(
        self, judging: Judging, result: FetchResult, topics: TopicIndex, feed: str
    ) -> dict[Asked, Verdict]:
        """The judge's verdicts on this fetch's items that would be posted with a pre-score worth asking about."""
        now = self.clock()
        candidates: list[Candidate] = []
        for conversation in result.items:
            for topic, found in topics.match(conversation, feed):
                learned, model = self._learned.get(topic.name), self._models.get(topic.name)
                pre, state = decide(conversation, topic, found, now, self.scoring, learned, model)
                if judging.wants(pre.value, state):
                    candidates.append(Candidate(conversation, topic))
        return await judging.verdicts(candidates) if candidates else {}

    def _count_usage(self, feed: Feed, spent: Mapping[str, int]) -> None:
        for what, amount in spent.items():
            self.telemetry.count("source_usage", amount, kind=feed.kind, feed=feed.name, what=what)

    async def _failed(
        self, state: FeedState, error: str, retry_after: float | None, *, cursor: dict[str, Any] | None = None
    ) -> PollReport:
        feed = state.feed
        now = self.clock()
        failures = state.consecutive_failures + 1
        self.telemetry.count("polls", kind=feed.kind, outcome="failed")
        delay = feed_backoff(feed.every, failures, self.policy.max_backoff, retry_after)
        retry_at = now + delay
        try:
            async with self.store.unit() as unit:
                failures = await unit.fail_poll(
                    feed.name, self.owner, now, error=error, next_poll_at=retry_at, cursor=cursor
                )
        except LeaseLost:
            log.warning("feed %s: another process took it over while it was failing", feed.name)
        log.warning(
            "feed %s: %s (failure %d in a row; next try at %s UTC)", feed.name, error, failures, f"{retry_at:%H:%M:%S}"
        )
        if failures == self.policy.notify_after:
            text = f"Feed {feed.name} has failed {failures} times in a row: {error}. Next try at {retry_at:%H:%M} UTC."
            await self._notify(Notice("warning", text, feed=feed.name))
        return PollReport(feed.name, ok=False, error=error, failures=failures, next_poll_at=retry_at)

    async def _notify(self, notice: Notice) -> None:
        if self.notices is None:
            return
        try:
            await self.notices.send_notice(notice)
        except Exception as exc:  # a notice is best effort: the feed's state holds the truth
            log.warning("could not post a notice about feed %s: %s", notice.feed, exc)


def decide(
    conversation: Conversation,
    topic: Topic,
    found: Match,
    now: datetime,
    scoring: ScoringPolicy,
    dismissed: Mapping[str, float] | None = None,
    model: TeamModel | None = None,
) -> tuple[Score, DeliveryState]:
    """A match's joinability and whether it is posted (pending) or held under the topic's ``min_score`` or for its
    language (one the topic, or else the team, does not read): the one decision the poller makes, and `feeds test`
    and `topics preview` show."""
    held = language_hold(conversation, topic.languages, scoring.languages)
    if held is not None:
        return Score(0, (held,)), DeliveryState.BELOW_MIN
    language = known_language(conversation, topic.languages, scoring.languages)
    result = score(conversation, found, now, scoring, language, dismissed=dismissed, topic=topic, model=model)
    return result, DeliveryState.PENDING if result.value >= topic.min_score else DeliveryState.BELOW_MIN


def discussed_links(conversation: Conversation) -> tuple[str, ...]:
    """The canonical URLs a conversation is about: where it happens and what it links to (absolute URLs only)."""
    found = (canonical_url(u) for u in (conversation.url, conversation.link or "") if u)
    return tuple(dict.fromkeys(u for u in found if "://" in u))
