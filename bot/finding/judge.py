"""The optional LLM judge: above a pre-score, ask a language model whether a new alert is worth joining.

Asked only for alerts that would be posted and whose pre-score reaches the judge's ``min_score``, for items not
stored before, and never inside the poll's transaction (which does no network). Each ask is bounded: an
in-process cache per item and topic meaning, a per-hour budget shared by every replica through the store, and a
timeout. Whatever goes wrong (slow, failing, over budget, an answer that is not a verdict) the alert is decided
without the judge: never lost, never held back. A "skip" holds the alert with the model's reason; a "join" adds
the reason to those shown with the alert.

The cache is in-process and bounded (``cache_size`` verdicts, least recently used dropped): the durable record
of a verdict is the alert itself, and an item stored once is never asked about again, so the cache only saves
asks that repeat within a process (a poll retried after its transaction failed, one item in several feeds).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from earshot.bot.domain import Conversation, DeliveryState, Topic
from earshot.bot.errors import EarshotError
from earshot.bot.ports import Clock, Judge, JudgeAsk, StoreOf, Verdict
from earshot.bot.ports.storage import Lookup, Summaries
from earshot.bot.records import Reason, ReasonKind
from earshot.bot.text import clean, excerpt

log = logging.getLogger(__name__)

JUDGE_BUDGET = "llm-judge"
"""The budget's name in the store; one row per UTC hour (``llm-judge 14h`` on its day)."""
REASON_LIMIT = 120
"""Characters of the model's reason kept: one line on every chat (Slack shows reasons up to 120)."""
TITLE_LIMIT = 300
"""Characters of the item's title sent."""
POLL_TIMEOUTS = 2
"""How many timeouts one poll's asks may take together, however many there are."""

_LINK = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+")

CacheKey = tuple[str, str, str, str, str, str]
"""An item (source, id) and a topic's meaning (name, query, about, accept): a changed topic is asked anew."""
Asked = tuple[tuple[str, str], str]
"""An item's key and a topic's name: what :meth:`Judging.verdicts` answers for."""


@dataclass(frozen=True, slots=True)
class JudgePolicy:
    """When the judge is asked and how much: the pre-score, the timeout, calls per UTC hour, text sent, cache."""

    min_score: int = 60
    timeout: timedelta = timedelta(seconds=10)
    per_hour: int = 60
    max_chars: int = 1000
    concurrency: int = 2
    cache_size: int = 4096


class JudgeUnit(Lookup, Summaries, Protocol):
    """What the judge reads and writes: whether an item is stored already, and the shared budget."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One new item matched by one topic, pre-scored high enough to ask the judge about."""

    conversation: Conversation
    topic: Topic

    @property
    def asked(self) -> Asked:
        """What the verdict is filed under."""
        return (self.conversation.key, self.topic.name)


class Judging:
    """Asks the judge within its bounds; never raises, and answers only with verdicts the judge gave."""

    def __init__(self, judge: Judge, store: StoreOf[JudgeUnit], clock: Clock, policy: JudgePolicy = JudgePolicy()):
        self.judge = judge
        self.store = store
        self.clock = clock
        self.policy = policy
        self._cache: OrderedDict[CacheKey, Verdict] = OrderedDict()

    def wants(self, score: int, state: DeliveryState) -> bool:
        """Whether an alert with this pre-score and decision is worth asking about: one that would be posted
        (a held one stays held whatever the judge says) and reaches the judge's ``min_score``."""
        return state is DeliveryState.PENDING and score >= self.policy.min_score

    async def verdicts(self, candidates: Sequence[Candidate]) -> dict[Asked, Verdict]:
        """The verdicts the judge gave on those of ``candidates`` whose item is not stored yet; an item and topic
        left out are decided without the judge."""
        unique = list({c.asked: c for c in candidates}.values())
        fresh = await self._unseen(unique)
        gate = asyncio.Semaphore(max(1, self.policy.concurrency))

        async def one(candidate: Candidate) -> tuple[Asked, Verdict | None]:
            async with gate:
                return candidate.asked, await self.verdict(candidate.conversation, candidate.topic)

        if not fresh:
            return {}
        tasks = [asyncio.ensure_future(one(c)) for c in fresh]
        # The whole poll waits at most POLL_TIMEOUTS timeouts, however many items it brought: what is left is
        # decided without the judge, and the feed's lease (minutes) is never outlived.
        try:
            done, late = await asyncio.wait(tasks, timeout=self.policy.timeout.total_seconds() * POLL_TIMEOUTS)
        finally:  # the poll itself cancelled (a shutdown) leaves no ask running
            for task in tasks:
                task.cancel()
        if late:
            log.warning("judge: %d asks left after %d timeouts; decided without it", len(late), POLL_TIMEOUTS)
            await asyncio.gather(*late, return_exceptions=True)
        answers = [task.result() for task in done]
        return {asked: verdict for asked, verdict in answers if verdict is not None}

    async def verdict(self, conversation: Conversation, topic: Topic) -> Verdict | None:
        """The cached or fresh verdict on one item for one topic, or None (and the log says why) when there is
        none to be had within the budget and the timeout."""
        key = cache_key(conversation, topic)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        where = f"{conversation.url} for topic {topic.name}"
        if not await self._spend(where):
            return None
        seconds = self.policy.timeout.total_seconds()
        try:
            answer = await asyncio.wait_for(self.judge.judge(self.ask(conversation, topic)), seconds)
        except TimeoutError:
            log.warning("judge: no verdict on %s within %g s; decided without it", where, seconds)
            return None
        except EarshotError as exc:
            log.warning("judge: no verdict on %s (%s); decided without it", where, exc)
            return None
        except Exception as exc:  # a bug in a judge must not stop the poll
            log.warning("judge: failed unexpectedly on %s (%s); decided without it", where, type(exc).__name__)
            return None
        verdict = Verdict(answer.join, reason_text(answer.reason))
        log.info("judge: %s %s (%s)", "join" if verdict.join else "skip", where, verdict.reason or "no reason given")
        self._cache[key] = verdict
        while len(self._cache) > self.policy.cache_size:
            self._cache.popitem(last=False)
        return verdict

    def ask(self, conversation: Conversation, topic: Topic) -> JudgeAsk:
        """What is sent about one item and topic: the title and the opening of the text, cut to the policy's
        lengths, where it was seen and its URL, and the topic's own words."""
        source = conversation.source + (f" {clean(conversation.community)}" if conversation.community else "")
        # An untitled item's title is only its text's opening: sent once, as the opening.
        title = "" if conversation.untitled else excerpt(conversation.title, TITLE_LIMIT)
        opening = excerpt(
            conversation.text or (conversation.title if conversation.untitled else ""), self.policy.max_chars
        )
        return JudgeAsk(
            topic=topic.name,
            query=topic.query,
            about=topic.about.strip(),
            accept=topic.accept.strip(),
            title=title,
            opening=opening,
            source=source,
            url=conversation.url,
        )

    async def _unseen(self, candidates: list[Candidate]) -> list[Candidate]:
        """The candidates whose item is not stored yet (the poll that stores it writes its alert); all of them
        when the store cannot tell, since the poll's own dedup still holds."""
        known: dict[str, bool] = {}
        try:
            async with self.store.unit() as unit:
                for c in candidates:
                    url = c.conversation.url
                    if url not in known:
                        known[url] = await unit.find_conversation(url=url) is not None
        except Exception as exc:
            log.warning("judge: could not tell which items are new (%s); asking about all", type(exc).__name__)
            return candidates
        return [c for c in candidates if not known.get(c.conversation.url, False)]

    async def _spend(self, where: str) -> bool:
        """Count one call against this UTC hour's budget; False (and the log says why) when it is spent."""
        now = self.clock()
        name = f"{JUDGE_BUDGET} {now.hour:02d}h"
        try:
            async with self.store.unit() as unit:
                allowed = await unit.spend_budget(name, now.date(), self.policy.per_hour)
        except Exception as exc:
            log.warning("judge: budget unreadable (%s); %s decided without it", type(exc).__name__, where)
            return False
        if not allowed:
            log.info(
                "judge: the budget of %d calls for %s %02d:00 UTC is spent; %s decided without it",
                self.policy.per_hour,
                now.date().isoformat(),
                now.hour,
                where,
            )
        return allowed


def cache_key(conversation: Conversation, topic: Topic) -> CacheKey:
    """The cache key of one item and one topic's meaning."""
    source, external_id = conversation.key
    return (source, external_id, topic.name, topic.query, topic.about, topic.accept)


def reason_text(raw: str) -> str:
    """The model's reason as one line of plain words: controls dropped, links replaced, cut to REASON_LIMIT.

    The model may repeat the item's words, so this is third-party text: no link of its survives (a chat would
    show it as a link the team did not choose), and each chat renders the rest as it renders feed text.
    """
    return excerpt(_LINK.sub("(link)", clean(raw)), REASON_LIMIT)


def judged(
    reasons: tuple[Reason, ...], state: DeliveryState, verdict: Verdict | None
) -> tuple[tuple[Reason, ...], DeliveryState]:
    """An alert's reasons and state after the judge: unchanged without a verdict or for a held alert; a "join"
    puts the model's reason first; a "skip" holds the alert, the model's reason first."""
    if verdict is None or state is not DeliveryState.PENDING:
        return reasons, state
    if verdict.join:
        label = f"LLM: {verdict.reason}" if verdict.reason else "LLM: worth joining"
        return (Reason(label, 0, ReasonKind.JUDGE), *reasons), state
    label = f"LLM says skip: {verdict.reason}" if verdict.reason else "LLM says skip"
    return (Reason(label, 0, ReasonKind.JUDGE), *reasons), DeliveryState.BELOW_MIN
