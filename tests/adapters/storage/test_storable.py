"""Contract: whatever third-party text and numbers an item carries, storing it never fails the transaction.

PostgreSQL refuses U+0000 in text and JSONB, and lone surrogates anywhere; SQLite's driver cannot encode lone
surrogates; counts are 32-bit on PostgreSQL and 64-bit on SQLite. The poll that stores such an item would fail,
and lose every good item with it, on every poll. Stored, they are: NUL dropped, surrogates as U+FFFD, counts
clamped to the column.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from earshot.adapters.storage import SqlStore, tables
from earshot.bot.domain import Participation, Summary
from earshot.bot.finding.scoring import Reason, ReasonKind
from earshot.bot.ports import NewAlert
from tests.adapters.storage.helpers import MINUTE, T0, add_feeds, conversation

BAD = "half \ud83d an emoji, a \x00 NUL and a low \udc00 one"
STORED = "half \ufffd an emoji, a  NUL and a low \ufffd one"
INT32_MAX, INT32_MIN = 2**31 - 1, -(2**31)


def hostile(n: int, **fields: Any) -> Any:
    return conversation(
        n,
        url=f"https://news.example.com/{BAD}/{n}",
        title=BAD,
        text=BAD,
        author=BAD,
        community=BAD,
        link=f"https://link.example/{BAD}",
        **fields,
    )


async def test_an_item_with_lone_surrogates_nul_and_huge_counts_is_stored_cleaned(store: SqlStore) -> None:
    items = [
        hostile(1, points=10**30, thread_size=-(10**30)),
        hostile(2, points=-(2**40), thread_size=2**63),
        conversation(3, title="a good item beside them"),
    ]
    async with store.unit() as unit:
        stored = await unit.insert_conversations(items, "hn", T0)
    assert len(stored) == 3
    async with store.engine.connect() as connection:
        rows = (await connection.execute(select(tables.conversations).order_by(tables.conversations.c.id))).all()
    first, second, third = rows
    assert (first.title, first.text, first.author, first.community) == (STORED,) * 4
    assert "\x00" not in first.url and "\ud83d" not in first.url and "\ud83d" not in first.link
    assert (first.points, first.thread_size) == (INT32_MAX, INT32_MIN)
    assert (second.points, second.thread_size) == (INT32_MIN, INT32_MAX)
    assert third.title == "a good item beside them"


async def test_a_cursor_an_error_and_a_summary_with_third_party_text_are_stored(store: SqlStore) -> None:
    await add_feeds(store, "hn")
    async with store.unit() as unit:
        await unit.lease_feeds(T0, "a", 5 * MINUTE, names=["hn"], due_only=False)
        await unit.fail_poll("hn", "a", T0, error=f"Reddit said: {BAD}", next_poll_at=T0)
        await unit.lease_feeds(T0, "a", 5 * MINUTE, names=["hn"], due_only=False)
        await unit.finish_poll(
            "hn", "a", T0, cursor={"newest": BAD, BAD: [BAD, 10**30], "x": float("inf")}, next_poll_at=T0
        )
        state = await unit.get_feed("hn")
        [(conversation_id, _)] = await unit.insert_conversations([conversation(1)], "hn", T0)
        reasons = (Reason(f"in {BAD}", 3, ReasonKind.ROOM),)
        await unit.insert_alerts([NewAlert(conversation_id, "python", None, (BAD,), 50, reasons)], T0)
    async with store.engine.connect() as connection:
        alert_id = (await connection.execute(select(tables.alerts.c.id))).scalar_one()
    async with store.unit() as unit:
        await unit.save_summary(alert_id, Summary(question=BAD, said=(BAD,)), hostile(1, points=10**20))
    assert state is not None
    assert state.cursor == {"newest": STORED, STORED: [STORED, 10**30], "x": None}
    async with store.engine.connect() as connection:
        alert = (await connection.execute(select(tables.alerts))).one()
        points = (await connection.execute(select(tables.conversations.c.points))).scalar_one()
    assert alert.matched == [STORED]
    assert alert.reasons[0]["label"] == f"in {STORED}"
    assert alert.summary["question"] == STORED and alert.summary["said"] == [STORED]
    assert points == INT32_MAX


async def test_a_participation_check_with_huge_votes_is_stored(store: SqlStore) -> None:
    async with store.unit() as unit:
        [(conversation_id, _)] = await unit.insert_conversations([conversation(1)], "hn", T0)
        await unit.insert_alerts([NewAlert(conversation_id, "python", None, ("python",), 50)], T0)
    async with store.engine.connect() as connection:
        alert_id = (await connection.execute(select(tables.alerts.c.id))).scalar_one()
    async with store.engine.begin() as connection:
        await connection.execute(
            tables.participation.insert().values(
                alert_id=alert_id, claimed_at=T0, after_seconds=3600, due_at=T0, attempts=0, lease_owner="w"
            )
        )
    result = Participation(alert_id, timedelta(hours=1), T0, responses=10**12, votes=-(10**40))
    async with store.engine.connect() as connection:
        check_id = (await connection.execute(select(tables.participation.c.id))).scalar_one()
    async with store.unit() as unit:
        await unit.finish_check(check_id, "w", result)
    async with store.engine.connect() as connection:
        row = (await connection.execute(select(tables.participation))).one()
    assert (row.responses, row.votes) == (INT32_MAX, INT32_MIN)
