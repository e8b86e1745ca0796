"""Which alert `/earshot check` is about and who may check a draft, on the in-memory store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.actions.claims import Claims
from earshot.bot.actions.draft_check import DraftCheck
from earshot.bot.domain import Conversation
from earshot.bot.errors import NotAllowed, NotFound
from earshot.bot.guest.checker import GuestPolicy, ReplyChecker
from earshot.bot.guest.ours import Ours
from earshot.bot.ports import NewAlert
from tests.fakes.clock import T0, Clock


async def alerts(store: MemoryStore, n: int) -> list[int]:
    """``n`` stored alerts, each on its own question; their ids."""
    async with store.unit() as unit:
        for i in range(n):
            url = f"https://forum.example.com/t/{i}"
            question = Conversation("fake", str(i), url, f"How do I tune Postgres autovacuum? ({i})")
            [(conversation_id, _)] = await unit.insert_conversations([question], "forum", T0)
            await unit.insert_alerts([NewAlert(conversation_id, "databases", None, ("postgres",), 60)], T0)
        return [alert.id for alert in await unit.list_alerts()]


@pytest.fixture
def drafts(store: MemoryStore) -> DraftCheck:
    return DraftCheck(store, ReplyChecker(store, GuestPolicy(ours=Ours(("Vacuumly",)))))


async def test_without_an_id_the_latest_claim_is_checked(store: MemoryStore, drafts: DraftCheck) -> None:
    clock = Clock()
    claims = Claims(store, clock)
    first, second, third = await alerts(store, 3)
    await claims.claim(second, "alice")
    clock.advance(timedelta(minutes=5))
    await claims.claim(first, "alice")
    await claims.claim(third, "bob")
    assert (await drafts.target("alice", False, None)).alert_id == first  # claimed last
    assert (await drafts.target("alice", False, str(second))).alert_id == second
    with pytest.raises(NotAllowed, match="claimed by bob"):
        await drafts.target("alice", False, str(third))
    assert (await drafts.target("alice", True, str(third))).alert_id == third  # a moderator may
    with pytest.raises(NotFound, match="no open claim"):
        await drafts.target("carol", False, None)
    with pytest.raises(NotFound, match="no alert 999"):
        await drafts.target("alice", False, "999")


async def test_the_checklist_is_an_answer_and_a_refusal_is_one_too(store: MemoryStore, drafts: DraftCheck) -> None:
    (alert_id,) = await alerts(store, 1)
    await Claims(store, Clock()).claim(alert_id, "alice")
    pitch = "Vacuumly is a game-changer, sign up today and we will fix it for you."
    answer = await drafts.check(alert_id, "alice", False, pitch)
    assert answer.ok and not answer.public and "✗ product-first" in answer.text and "✗ marketing" in answer.text
    empty = await drafts.check(alert_id, "alice", False, "  ")
    assert not empty.ok and "the draft is empty" in empty.text
    other = await drafts.check(alert_id, "bob", False, pitch)
    assert not other.ok and "only they (or a moderator)" in other.text
