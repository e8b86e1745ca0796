"""`/earshot check` on the local Discord: a modal (interaction response type 9) for the draft, and the checklist as
an ephemeral follow-up to its writer; nothing is posted in the channel."""

from __future__ import annotations

from typing import Any

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.actions.draft_check import DraftCheck
from earshot.bot.guest.checker import GuestPolicy, ReplyChecker
from earshot.bot.guest.ours import Ours
from tests.fakes.clock import Clock
from tests.fakes.discord import ALICE, BOB, CHANNELS, MOD, FakeDiscord

from .conftest import MakeChat, posted

PITCH = (
    "Check out Vectorly, the best-in-class vector database! We built it for exactly this and our customers love "
    "it. Sign up today at https://vectorly.io and we will get you going."
)
HELPFUL = (
    "For a few million vectors pgvector is a fine choice over a dedicated store: one database to back up, and an "
    "HNSW index keeps queries fast. A dedicated vector database pays off past 50M rows or with heavy filtering."
)


@pytest.fixture
def checking(desk: ChatActions, store: SqlStore) -> ChatActions:
    """The desk with the reply check on, and Vectorly as the team's product."""
    desk.drafts = DraftCheck(store, ReplyChecker(store, GuestPolicy(ours=Ours(("Vectorly",), ("vectorly.io",)))))
    return desk


async def form_for(fake: FakeDiscord, person: Any, **options: Any) -> dict[str, Any]:
    """Run /earshot check and return the answer: the form (type 9) or a private note (type 4)."""
    interaction = await fake.slash(person, ["earshot", "check"], options)
    answer: dict[str, Any] = await fake.wait_for(lambda: fake.callback_for(interaction))
    return answer


async def checklist(fake: FakeDiscord, person: Any, alert_id: int, draft: str) -> dict[str, Any]:
    """Send the form with ``draft`` and return the one private follow-up it gets."""
    submitted = await fake.submit(
        person, f"earshot:check_form:{alert_id}", {"earshot:check_text": draft}, CHANNELS["conversations"]
    )
    (note,) = await fake.wait_for(lambda: fake.followups_for(submitted))
    deferred = fake.callback_for(submitted)
    assert deferred is not None and deferred["type"] == 5 and deferred["data"]["flags"] == 64
    return note


async def test_claim_check_submit_the_checklist_comes_back_privately_and_nothing_is_posted(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, checking: ChatActions
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: fake.edits)
    messages = len(fake.messages)

    form = await form_for(fake, ALICE)  # no id: the latest claim
    assert form["type"] == 9 and form["data"]["custom_id"] == f"earshot:check_form:{alert_id}"
    (field,) = [c for row in form["data"]["components"] for c in row["components"]]
    assert field["custom_id"] == "earshot:check_text" and field["style"] == 2  # a paragraph

    note = await checklist(fake, ALICE, alert_id, PITCH)
    assert note["flags"] == 64 and note["allowed_mentions"] == {"parse": []}
    assert f"Reply check for alert {alert_id}" in note["content"]
    assert "✗ product-first" in note["content"] and "why: Answer first" in note["content"]
    assert len(fake.messages) == messages  # nothing posted in any channel


async def test_a_helpful_draft_has_nothing_to_flag_and_a_moderator_may_check_it(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, checking: ChatActions
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: fake.edits)
    form = await form_for(fake, MOD, alert=alert_id)
    assert form["type"] == 9
    note = await checklist(fake, MOD, alert_id, HELPFUL)
    assert "✓ Nothing to flag" in note["content"]


async def test_someone_elses_claim_is_refused_privately_without_a_form(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, checking: ChatActions
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: fake.edits)
    answer = await form_for(fake, BOB, alert=alert_id)
    assert answer["type"] == 4 and answer["data"]["flags"] == 64
    assert f"claimed by <@{ALICE.id}>" in answer["data"]["content"]
    unclaimed = await form_for(fake, BOB)
    assert "you hold no open claim" in unclaimed["data"]["content"]
    # A form sent anyway (an old one, a crafted one) is refused as well.
    note = await checklist(fake, BOB, alert_id, PITCH)
    assert "only they (or a moderator)" in note["content"] and "Reply check" not in note["content"]
