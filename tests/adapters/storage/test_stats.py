"""Contract: the team's numbers per person, topic, source and community, against tables computed by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Conversation, Outcome, OutcomeKind, Participation
from earshot.bot.followup.stats import DayCount, StatsRow
from earshot.bot.ports import NewAlert
from tests.adapters.storage.helpers import T0

M = timedelta(minutes=1)
H = timedelta(hours=1)
DAY = timedelta(days=1)


async def alert(
    store: SqlStore, n: int, topic: str, source: str, community: str | None, at: datetime = T0, *, deliver: bool = True
) -> int:
    item = Conversation(source, str(n), f"https://{source}.example.com/{n}", f"Item {n}", community=community)
    async with store.unit() as unit:
        ((cid, _),) = await unit.insert_conversations([item], "feed", at)
        await unit.insert_alerts([NewAlert(cid, topic, None, ("x",), 60)], at)
        if deliver:
            (leased,) = await unit.lease_alerts(at, "sender", timedelta(minutes=5), 10)
            await unit.mark_delivered(leased.id, "sender", at, f"C:{n}")
    async with store.unit() as unit:
        (written,) = await unit.list_alerts(conversation_id=cid)
    return written.id


async def claimed(store: SqlStore, alert_id: int, who: str, after: timedelta) -> None:
    async with store.unit() as unit:
        assert (await unit.claim(alert_id, who, T0 + after)).won


async def outcome(store: SqlStore, alert_id: int, kind: OutcomeKind, who: str = "U1", label: str | None = None) -> None:
    async with store.unit() as unit:
        await unit.add_outcome(Outcome(alert_id, kind, who, T0 + DAY, label=label))


async def checked(store: SqlStore, alert_id: int, who: str | None, responses: int) -> None:
    """A check of the alert's claim, an hour after it, that found ``who`` replied and ``responses`` answers."""
    async with store.unit() as unit:
        found = await unit.get_alert(alert_id)
        assert found is not None
        assert await unit.plan_checks(T0, [H], [found.conversation.source], T0 - DAY) == 1
        (due,) = await unit.lease_checks(T0 + 30 * DAY, "checker", H, 10)
        assert due.alert.id == alert_id
        result = Participation(alert_id, H, T0 + 2 * H, who, T0 + H if who else None, responses)
        await unit.finish_check(due.id, "checker", result)


async def test_the_numbers_match_the_hand_computed_tables(store: SqlStore) -> None:
    a1 = await alert(store, 1, "db", "hackernews", None)
    a2 = await alert(store, 2, "db", "reddit", "r/postgres")
    a3 = await alert(store, 3, "db", "reddit", "r/postgres")
    await alert(store, 4, "rust", "hackernews", None)  # never claimed: stale
    a5 = await alert(store, 5, "rust", "reddit", "r/rust")
    a6 = await alert(store, 6, "rust", "hackernews", None)
    await alert(store, 7, "rust", "hackernews", None, T0 + 47 * H)  # recent: not stale yet
    await alert(store, 8, "db", "hackernews", None, T0 - 3 * DAY)  # before the period
    await alert(store, 9, "db", "hackernews", None, deliver=False)  # never posted
    await claimed(store, a1, "U1", 30 * M)
    await outcome(store, a1, OutcomeKind.REPLIED)
    await checked(store, a1, "U1", 2)
    await claimed(store, a2, "U2", 2 * H)
    await checked(store, a2, "U2", 0)  # the check saw the reply: replied, nobody answered
    await claimed(store, a3, "U1", H)
    await checked(store, a3, "U1", 3)
    await outcome(store, a3, OutcomeKind.NOT_WORTH_IT)  # people win over the check: not replied
    await outcome(store, a3, OutcomeKind.NOTE)  # notes are no outcome
    await outcome(store, a5, OutcomeKind.NOT_RELEVANT, "U2")  # dismissed: not stale
    await claimed(store, a6, "U1", 4 * H)
    await outcome(store, a6, OutcomeKind.LEAD)
    await outcome(store, a6, OutcomeKind.CUSTOM, label="conference talk")
    await outcome(store, a6, OutcomeKind.LEAD)  # once per alert

    async with store.unit() as unit:
        stats = await unit.stats(T0 - H, T0 + 2 * DAY, DAY)
        series = await unit.day_counts(T0 - H, T0 + 2 * DAY)

    def row(key: str, *numbers: int, median: timedelta | None, **outcomes: int) -> StatsRow:
        named = {k.replace("conference_talk", "conference talk"): v for k, v in outcomes.items()}
        alerts, claimed, replied, responded, stale = numbers
        return StatsRow(key, alerts, claimed, replied, responded, stale, median, named)

    assert stats.total == row(
        "", 7, 4, 3, 2, 1, median=90 * M, replied=1, not_worth_it=1, not_relevant=1, lead=1, conference_talk=1
    )
    assert stats.topics == (
        row("db", 3, 3, 2, 1, 0, median=H, replied=1, not_worth_it=1),
        row("rust", 4, 1, 1, 1, 1, median=4 * H, not_relevant=1, lead=1, conference_talk=1),
    )
    assert stats.people == (
        row("U1", 3, 3, 2, 2, 0, median=H, replied=1, not_worth_it=1, lead=1, conference_talk=1),
        row("U2", 1, 1, 1, 0, 0, median=2 * H),
    )
    assert stats.sources == (
        row("hackernews", 4, 2, 2, 2, 1, median=135 * M, replied=1, lead=1, conference_talk=1),
        row("reddit", 3, 2, 1, 0, 0, median=90 * M, not_worth_it=1, not_relevant=1),
    )
    assert stats.communities == (
        row("hackernews", 4, 2, 2, 2, 1, median=135 * M, replied=1, lead=1, conference_talk=1),
        row("r/postgres", 2, 2, 1, 0, 0, median=90 * M, not_worth_it=1),
        row("r/rust", 1, 0, 0, 0, 0, median=None, not_relevant=1),
    )
    assert (stats.total.claim_rate, stats.total.reply_rate, stats.total.response_rate) == (4 / 7, 3 / 4, 2 / 3)
    assert series == [
        DayCount(date(2025, 3, 1), "db", 3, 3, 2),
        DayCount(date(2025, 3, 1), "rust", 3, 1, 1),
        DayCount(date(2025, 3, 3), "rust", 1, 0, 0),
    ]


async def test_an_empty_period_has_zero_numbers(store: SqlStore) -> None:
    async with store.unit() as unit:
        stats = await unit.stats(T0, T0 + DAY, DAY)
        assert await unit.day_counts(T0, T0 + DAY) == []
    assert stats.total == StatsRow("") and stats.topics == stats.people == ()


async def test_each_report_slot_is_taken_once_until_its_lease_runs_out(store: SqlStore, make_store) -> None:  # type: ignore[no-untyped-def]
    other = make_store()
    async with store.unit() as unit:
        assert await unit.take_report("weekly:1", "p1", T0, 10 * M)
    async with other.unit() as unit:
        assert not await unit.take_report("weekly:1", "p2", T0 + M, 10 * M)
        assert await unit.take_report("weekly:1", "p2", T0 + 11 * M, 10 * M)  # p1 never finished
    async with store.unit() as unit:
        await unit.finish_report("weekly:1", "p2", T0 + 12 * M, "msg-1")
        assert not await unit.take_report("weekly:1", "p1", T0 + DAY, 10 * M)
        assert await unit.take_report("weekly:2", "p1", T0 + DAY, 10 * M)
