"""`feeds test`'s preview decides as the poller does: the same items give the same posted/held split and scores."""

from __future__ import annotations

from dataclasses import replace

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.domain import Conversation, DeliveryState, Topic
from earshot.bot.finding.preview import BELOW_MIN, FILTERED, POSTED, preview
from earshot.bot.finding.scoring import ScoringPolicy
from tests.bot.finding.test_polling import ScriptedSource, item, make_poller, result, seeded, setup, stored_alerts
from tests.fakes.clock import Clock

TOPICS = [
    Topic("open", "postgres OR sqlite", min_score=0),
    Topic("strict", "postgres OR sqlite", min_score=60),
    Topic("quiet", "sqlite", exclude_authors=("bot",)),
    Topic("off", "postgres", enabled=False, min_score=0),
]


def items() -> list[Conversation]:
    return [
        replace(item(1, "Postgres is slow, any ideas?"), thread_size=4, author="ana"),
        replace(item(2, "SQLite release notes"), author="bot"),
        item(3, "Postgres"),
        item(4, "Nothing to see"),
    ]


async def test_the_preview_posts_and_holds_exactly_what_the_poller_does(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], TOPICS)
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "forum")
    source.then("forum", result(*items(), cursor=1))
    await poller.poll(due_only=False)
    polled = {
        (a.conversation.external_id, a.topic): (a.score, a.state == DeliveryState.PENDING)
        for a in await stored_alerts(store)
    }

    shown = preview(items(), "forum", TOPICS, clock(), ScoringPolicy())
    previewed = {
        (p.item.external_id, v.topic.name): (v.score, v.outcome == POSTED)
        for p in shown
        for v in p.verdicts
        if v.outcome != FILTERED
    }
    assert previewed == polled
    assert {True, False} == {posted for _, posted in polled.values()}  # both decisions are exercised
    by_id = {p.item.external_id: p for p in shown}
    assert by_id["2"].verdicts[-1].outcome == FILTERED and "bot" in (by_id["2"].verdicts[-1].reason or "")
    assert by_id["4"].outcome is None
    assert any(v.outcome == BELOW_MIN for p in shown for v in p.verdicts)
