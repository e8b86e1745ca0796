"""The team's counted replies and their manners, on the database and on the in-memory twin alike."""

from __future__ import annotations

from datetime import timedelta

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Participation
from tests.adapters.storage.helpers import T0
from tests.adapters.storage.test_stats import alert, claimed

H = timedelta(hours=1)
DAY = timedelta(days=1)


async def check(
    store: SqlStore, alert_id: int, after: timedelta, who: str | None, *, promoted: bool | None, finished_at: timedelta
) -> None:
    """Plan, lease and finish the ``after`` check of the alert's claim with what it found."""
    async with store.unit() as unit:
        found = await unit.get_alert(alert_id)
        assert found is not None
        await unit.plan_checks(T0, [H, DAY], [found.conversation.source], T0 - DAY)
        due = [d for d in await unit.lease_checks(T0 + 30 * DAY, "checker", H, 50) if d.alert.id == alert_id]
        (mine,) = [d for d in due if d.after == after]
        url = f"https://lobste.rs/c/{alert_id}{after.days}" if who else None
        result = Participation(
            alert_id, after, T0 + finished_at, who, T0 + H if who else None, 2, None, url, promoted, promoted is False
        )
        await unit.finish_check(mine.id, "checker", result)


async def test_manners_are_stored_and_read_back_with_the_latest_check(store: SqlStore) -> None:
    first = await alert(store, 1, "queues", "lobsters", None)
    await claimed(store, first, "U1", timedelta(0))
    await check(store, first, H, "U1", promoted=True, finished_at=2 * H)
    await check(store, first, DAY, "U1", promoted=False, finished_at=DAY + H)  # the later check wins
    async with store.unit() as unit:
        latest = await unit.latest_participation(first)
        (reply,) = await unit.team_replies()
    assert latest is not None and (latest.promoted, latest.disclosed) == (False, True)
    assert latest.reply_url == f"https://lobste.rs/c/{first}1"
    assert (reply.alert_id, reply.member, reply.source, reply.community) == (first, "U1", "lobsters", None)
    assert (reply.thread_url, reply.title, reply.responses) == ("https://lobsters.example.com/1", "Item 1", 2)
    assert (reply.promoted, reply.disclosed, reply.checked_at) == (False, True, T0 + DAY + H)


async def test_team_replies_are_filtered_by_place_and_time_and_skip_checks_that_found_nobody(store: SqlStore) -> None:
    ids = []
    for n, (source, community) in enumerate(
        [("lobsters", None), ("reddit", "r/python"), ("reddit", "r/golang"), ("lobsters", None)], start=1
    ):
        ids.append(await alert(store, n, "queues", source, community))
        await claimed(store, ids[-1], f"U{n}", timedelta(0))
    await check(store, ids[0], H, "U1", promoted=True, finished_at=2 * H)
    await check(store, ids[1], H, "U2", promoted=None, finished_at=3 * H)
    await check(store, ids[2], H, "U3", promoted=False, finished_at=4 * H)
    await check(store, ids[3], H, None, promoted=None, finished_at=5 * H)  # nobody replied: not a team reply
    async with store.unit() as unit:
        everything = await unit.team_replies()
        lobsters = await unit.team_replies(place=("lobsters", None))
        python = await unit.team_replies(place=("reddit", "r/python"))
        recent = await unit.team_replies(since=T0 + 3 * H)
        one = await unit.team_replies(limit=1)
    assert [r.alert_id for r in everything] == [ids[2], ids[1], ids[0]]  # newest check first
    assert [r.alert_id for r in lobsters] == [ids[0]]
    assert [(r.alert_id, r.promoted) for r in python] == [(ids[1], None)]
    assert [r.alert_id for r in recent] == [ids[2], ids[1]]
    assert [r.alert_id for r in one] == [ids[2]]
