"""The briefing use case on the store: the team's earlier replies in the community, and the gentle word on
promotion, from what the participation checks recorded."""

from __future__ import annotations

from datetime import timedelta

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.domain import Conversation, Participation, Summary
from earshot.bot.guest.briefer import Briefer
from earshot.bot.guest.checker import GuestPolicy, PlaceRules
from earshot.bot.guest.rules import RuleCard
from earshot.bot.ports import NewAlert
from tests.fakes.clock import T0, Clock

H = timedelta(hours=1)


async def lobsters_alert(store: MemoryStore, n: int, *, summary: Summary | None = None) -> int:
    item = Conversation(
        "lobsters",
        f"s{n}",
        f"https://lobste.rs/s/s{n}/thread_{n}",
        f"Job queues on Postgres ({n})",
        "We run 4 servers. We tried pg-boss. What would you pick?",
        created_at=T0 - 3 * H,
        thread_size=5,
    )
    async with store.unit() as unit:
        ((cid, _),) = await unit.insert_conversations([item], "lobsters", T0 - 2 * H)
        await unit.insert_alerts([NewAlert(cid, "queues", None, ("postgres",), 70)], T0 - 2 * H)
        (alert,) = await unit.lease_alerts(T0 - 2 * H, "sender", timedelta(minutes=5), 10)
        await unit.mark_delivered(alert.id, "sender", T0 - 2 * H, f"console:{alert.id}")
        if summary is not None:
            await unit.save_summary(alert.id, summary)
    return alert.id


async def replied(store: MemoryStore, alert_id: int, who: str, promoted: bool | None) -> None:
    """``who`` claimed the alert and a check counted their reply, judged as ``promoted``."""
    async with store.unit() as unit:
        assert (await unit.claim(alert_id, who, T0 - H)).won
        await unit.plan_checks(T0, [H], ["lobsters"], T0 - 2 * H)
        (due,) = await unit.lease_checks(T0 + H, "checker", H, 10)
        url = f"https://lobste.rs/c/c{alert_id}"
        result = Participation(alert_id, H, T0 + alert_id * timedelta(minutes=1), who, T0, 1, None, url, promoted)
        await unit.finish_check(due.id, "checker", result)


async def test_the_briefing_lists_earlier_team_replies_and_warns_the_claimer_gently(store: MemoryStore) -> None:
    earlier = [await lobsters_alert(store, n) for n in range(1, 6)]
    for alert_id, promoted in zip(earlier, [True, True, False, False, None], strict=True):
        await replied(store, alert_id, "U1", promoted)
    now = await lobsters_alert(store, 9, summary=Summary("Which queue?", ("one says SKIP LOCKED",)))
    async with store.unit() as unit:
        assert (await unit.claim(now, "U1", T0)).won
    b = await Briefer(store, Clock(T0), GuestPolicy()).brief(now)
    assert [e.url for e in b.earlier] == [f"https://lobste.rs/c/c{i}" for i in reversed(earlier)][:5]
    assert b.warning is not None and b.warning.startswith("A gentle note: 2 of your last 4 replies here")
    assert b.situation.scale == ("We run 4 servers.",) and b.said == ("one says SKIP LOCKED",)

    async with store.unit() as unit:  # someone else claims: their record, not U1's
        await unit.release_claim(now, "U1", force=True)
        assert (await unit.claim(now, "U2", T0)).won
    assert (await Briefer(store, Clock(T0), GuestPolicy()).brief(now)).warning is None


class Rules:
    """A rules reader that has the place's own card, and a note."""

    async def rules(self, source: str, community: str | None) -> PlaceRules:
        card = RuleCard(
            "lobsters:own", "lobsters", "Team card", "Say you made it.", "https://lobste.rs/about", asks=("disclose",)
        )
        return PlaceRules((card,), "read from a test reader")


async def test_the_places_own_cards_and_the_readers_note_reach_the_briefing(store: MemoryStore) -> None:
    alert_id = await lobsters_alert(store, 1)
    b = await Briefer(store, Clock(T0), GuestPolicy(), Rules()).brief(alert_id)
    assert "lobsters:own" in [c.id for c in b.rules] and b.notes == ("read from a test reader",)
    assert b.earlier == () and b.warning is None
