"""ReplyChecker on the real store: a stored alert's thread, community and summary, the team's settings, a draft in."""

from __future__ import annotations

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Conversation, Summary
from earshot.bot.errors import NotFound
from earshot.bot.guest.check import OFF_QUESTION, PRODUCT_FIRST, UNDISCLOSED
from earshot.bot.guest.checker import EmptyDraft, GuestPolicy, PlaceRules, ReplyChecker
from earshot.bot.guest.ours import Ours
from earshot.bot.guest.rules import DISCLOSE, RuleCard
from earshot.bot.ports import NewAlert
from tests.fakes.clock import T0

POLICY = GuestPolicy(Ours(("Tidewater",), ("tidewater.dev",)), {"U9": Ours(("Loupe",), ())})
ANSWER = "Set task_reject_on_worker_lost with acks_late, and a grace period longer than your longest task."


async def stored_alert(store: SqlStore, source: str = "reddit", community: str | None = "r/django") -> int:
    conversation = Conversation(
        source,
        f"{source}-1",
        f"https://example.org/{source}/1",
        "Celery keeps losing tasks when workers restart",
        "When a pod gets killed during deploy, tasks vanish. How do I make sure tasks survive restarts?",
        community=community,
    )
    async with store.unit() as unit:
        [(conversation_id, _)] = await unit.insert_conversations([conversation], "feed", T0)
        await unit.insert_alerts([NewAlert(conversation_id, "jobs", None, ("celery",), 70)], T0)
        [alert] = await unit.list_alerts(limit=1)
    return alert.id


class Rules:
    """A rules reader that answers from a table, as the Reddit reader does from its cache."""

    def __init__(self, found: PlaceRules) -> None:
        self.found = found
        self.asked: list[tuple[str, str | None]] = []

    async def rules(self, source: str, community: str | None) -> PlaceRules:
        self.asked.append((source, community))
        return self.found


async def test_checks_a_draft_against_the_alerts_thread_and_community(store: SqlStore) -> None:
    alert_id = await stored_alert(store)
    checked = await ReplyChecker(store, POLICY).check(alert_id, ANSWER + " Tidewater keeps jobs in Postgres too.")
    assert checked.alert.id == alert_id
    assert checked.checklist.codes == (UNDISCLOSED,)  # Reddiquette asks for it
    assert checked.notes == ()


async def test_the_place_rules_and_their_note_reach_the_checklist(store: SqlStore) -> None:
    alert_id = await stored_alert(store, community="r/django")
    card = RuleCard(
        "reddit:r/django:2", "reddit:r/django", "r/django rule 2", "Disclose.", "https://r", asks=(DISCLOSE,)
    )
    rules = Rules(PlaceRules((card,), None))
    checked = await ReplyChecker(store, GuestPolicy(), rules).check(alert_id, ANSWER)
    assert rules.asked == [("reddit", "r/django")]
    assert card in checked.checklist.cards
    failing = Rules(PlaceRules((), "r/django's own rules could not be read (503); Reddit's site-wide rules apply"))
    checked = await ReplyChecker(store, POLICY, failing).check(alert_id, ANSWER)
    assert checked.notes == ("r/django's own rules could not be read (503); Reddit's site-wide rules apply",)


async def test_what_counts_as_ours_follows_the_person(store: SqlStore) -> None:
    alert_id = await stored_alert(store, source="hackernews", community=None)
    draft = "Loupe shows this. " + ANSWER
    desk = ReplyChecker(store, POLICY)
    assert PRODUCT_FIRST not in (await desk.check(alert_id, draft)).checklist.codes
    assert PRODUCT_FIRST in (await desk.check(alert_id, draft, member="U9")).checklist.codes


async def test_replies_so_far_come_from_the_stored_summary(store: SqlStore) -> None:
    alert_id = await stored_alert(store)
    said = ("Use acks_late.",)
    async with store.unit() as unit:
        await unit.save_summary(alert_id, Summary("How to keep tasks on restart?", said))
    checked = await ReplyChecker(store, POLICY).check(alert_id, "Have you tried turning it off and on again?")
    assert OFF_QUESTION in checked.checklist.codes


async def test_nothing_configured_says_so(store: SqlStore) -> None:
    alert_id = await stored_alert(store)
    checked = await ReplyChecker(store, GuestPolicy()).check(alert_id, ANSWER)
    assert checked.notes == ("nothing counts as ours yet: set [ours] products and domains to check mentions and links",)


async def test_an_unknown_alert_and_an_empty_draft_are_clear_errors(store: SqlStore) -> None:
    alert_id = await stored_alert(store)
    with pytest.raises(NotFound, match="no alert 999; `earshot alerts list` shows the stored ones"):
        await ReplyChecker(store, POLICY).check(999, ANSWER)
    with pytest.raises(EmptyDraft, match="the draft is empty"):
        await ReplyChecker(store, POLICY).check(alert_id, "  \n ")
