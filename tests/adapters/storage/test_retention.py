"""Retention, on every backend: old alerts go with their records, conversations once nothing refers to them, the
audit log's old entries; nothing the outbox, a recent claim or a kept alert still needs."""

from __future__ import annotations

from datetime import timedelta

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import DeliveryState, Outcome, OutcomeKind
from earshot.bot.ports import NewAlert
from earshot.bot.records import Horizons
from tests.adapters.storage.helpers import T0, conversation

DAY = timedelta(days=1)
NOW = T0 + 400 * DAY
HORIZONS = Horizons(conversations=NOW - 30 * DAY, alerts=NOW - 365 * DAY, audit=NOW - 365 * DAY)
LINK = "https://blog.example.com/postgres-17"


async def fill(store: SqlStore) -> dict[str, int]:
    """Alerts and conversations of every kind retention must tell apart; their ids by name."""
    old = {"created_at": T0}
    items = {
        "delivered": conversation(1, link=LINK, **old),  # old, delivered, claimed long ago: goes, with its records
        "sighting": conversation(2, link=LINK, **old),  # a crosspost of it: a sighting on its alert
        "pending": conversation(3, **old),  # old but never posted: the outbox still owns it
        "reclaimed": conversation(4, **old),  # old, but claimed again within the year
        "unalerted": conversation(5, **old),  # never an alert, published and seen long ago: goes
        "undated": conversation(6),  # never an alert, no date, seen long ago: goes with the alerts' horizon
    }
    ids: dict[str, int] = {}
    async with store.unit() as unit:
        for name, item in items.items():
            [(ids[name], _)] = await unit.insert_conversations([item], "hn", T0)
        alerts = [
            NewAlert(ids[n], "databases", None, ("postgres",), 60, links=(LINK,) if n != "pending" else ())
            for n in ("delivered", "sighting")
        ]
        await unit.insert_alerts(alerts, T0, crosspost_since=T0 - DAY)
        await unit.insert_alerts([NewAlert(ids["reclaimed"], "databases", None, ("postgres",), 60)], T0)
        leased = await unit.lease_alerts(T0, "sender", timedelta(minutes=5), 10)
        for alert in leased:
            await unit.mark_delivered(alert.id, "sender", T0, f"msg-{alert.id}")
        await unit.insert_alerts([NewAlert(ids["pending"], "databases", None, ("postgres",), 60)], T0)
        by_conversation = {a.conversation.external_id: a.id for a in await unit.list_alerts(limit=100)}
        ids["alert:delivered"], ids["alert:reclaimed"] = by_conversation["1"], by_conversation["4"]
        ids["alert:pending"] = by_conversation["3"]
        assert (await unit.claim(ids["alert:delivered"], "U1", T0)).won
        await unit.add_outcome(Outcome(ids["alert:delivered"], OutcomeKind.REPLIED, "U1", T0 + DAY))
        await unit.plan_checks(T0 + DAY, [timedelta(hours=1)], ["hackernews"], T0 - DAY)
        assert (await unit.claim(ids["alert:reclaimed"], "U2", NOW - 10 * DAY)).won
        await unit.record_change("ana", "topic.add", "databases", {}, T0)
        await unit.record_change("ana", "topic.edit", "databases", {}, NOW)
        assert await unit.spend_budget("llm-summary", T0.date(), 5)
        [(ids["recent"], _)] = await unit.insert_conversations([conversation(7, created_at=NOW - DAY)], "hn", NOW)
    return ids


async def test_what_is_old_and_needed_by_nothing_goes_and_the_rest_stays(store: SqlStore) -> None:
    ids = await fill(store)
    async with store.unit() as unit:
        assert await unit.prunable(HORIZONS) == {"alerts": 1, "conversations": 4, "audit": 1}
        assert await unit.prune(HORIZONS, 100) == {"alerts": 1, "conversations": 4, "audit": 1}
        assert await unit.prune(HORIZONS, 100) == {"alerts": 0, "conversations": 0, "audit": 0}
        assert await unit.prunable(HORIZONS) == {"alerts": 0, "conversations": 0, "audit": 0}
        kept = {a.id: a for a in await unit.list_alerts(limit=100)}
        assert set(kept) == {ids["alert:pending"], ids["alert:reclaimed"]}
        assert kept[ids["alert:pending"]].state == DeliveryState.PENDING
        assert await unit.list_outcomes(ids["alert:delivered"]) == []
        assert await unit.get_alert(ids["alert:delivered"]) is None
        # The kept alerts' conversations, and the recent one, are still there (their ids are not given again).
        again = [conversation(n) for n in (3, 4, 7)]
        assert await unit.insert_conversations(again, "hn", NOW) == []
        # The removed ones are new again, should a source list them (the poller skips what is that old).
        assert len(await unit.insert_conversations([conversation(1), conversation(5)], "hn", NOW)) == 2


async def test_a_prune_goes_a_batch_at_a_time(store: SqlStore) -> None:
    await fill(store)
    removed = {"alerts": 0, "conversations": 0, "audit": 0}
    rounds = 0
    while True:
        async with store.unit() as unit:
            batch = await unit.prune(HORIZONS, 1)
        assert all(n <= 1 for n in batch.values())
        if not any(batch.values()):
            break
        removed = {k: removed[k] + batch[k] for k in removed}
        rounds += 1
    assert removed == {"alerts": 1, "conversations": 4, "audit": 1}
    assert rounds == 4


async def test_nothing_goes_with_no_horizons_and_undated_items_wait_for_the_alerts_horizon(store: SqlStore) -> None:
    await fill(store)
    async with store.unit() as unit:
        assert await unit.prunable(Horizons(None, None, None)) == {"alerts": 0, "conversations": 0, "audit": 0}
        # Alerts kept for ever: only the dated conversation that never alerted goes; the undated one stays.
        only_conversations = Horizons(HORIZONS.conversations, None, None)
        assert await unit.prune(only_conversations, 100) == {"alerts": 0, "conversations": 1, "audit": 0}
        assert await unit.insert_conversations([conversation(6)], "hn", NOW) == []  # still there
        assert len(await unit.insert_conversations([conversation(5)], "hn", NOW)) == 1  # gone, so new again
