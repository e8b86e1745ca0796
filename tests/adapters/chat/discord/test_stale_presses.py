"""Every press of an Earshot button gets an answer, whatever the message showed when it was pressed.

Discord sends a press with the message as it is NOW (not as the presser's client drew it), so a Claim pressed
on an alert someone else has just claimed arrives on a message that no longer has a Claim button. The fake
does the same: ``press`` without ``seen`` sends the message as the fake holds it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.actions.chat_actions import ChatActions, Member
from earshot.bot.domain import OutcomeKind, Progress
from tests.fakes.clock import Clock
from tests.fakes.discord import ALICE, BOB, CHANNELS, FakeDiscord

from .conftest import MakeChat, posted, private_notes, stored

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database

Setup = Callable[[ChatActions, int], Awaitable[None]]


async def claimed_by_alice(desk: ChatActions, alert_id: int) -> None:
    await desk.claim(alert_id, Member(ALICE.id, "alice"))


async def claimed_and_released(desk: ChatActions, alert_id: int) -> None:
    await claimed_by_alice(desk, alert_id)
    await desk.release(alert_id, Member(ALICE.id, "alice"))


async def dismissed(desk: ChatActions, alert_id: int) -> None:
    await desk.record(alert_id, Member(ALICE.id, "alice"), OutcomeKind.NOT_RELEVANT)


async def replied(desk: ChatActions, alert_id: int) -> None:
    await claimed_by_alice(desk, alert_id)
    await desk.record(alert_id, Member(ALICE.id, "alice"), OutcomeKind.REPLIED)


async def untouched(desk: ChatActions, alert_id: int) -> None:
    return None


async def answer_to(fake: FakeDiscord, pressed: str) -> str:
    """The presser's private answer: the interaction is answered, and an ephemeral message says why."""
    await fake.wait_for(lambda: fake.callback_for(pressed))
    notes = await fake.wait_for(lambda: private_notes(fake, pressed))
    assert all(n["allowed_mentions"] == {"parse": []} for n in notes)
    return str(notes[-1]["content"])


STALE = [
    # (what happened since the member's client drew the message, who presses, the custom_id, words in the answer)
    ("claimed by someone else", claimed_by_alice, BOB, "claim:{id}", "<@{alice}> claimed this"),
    ("released: Release is gone", claimed_and_released, ALICE, "release:{id}", "nobody has claimed it"),
    ("released: outcomes are gone", claimed_and_released, ALICE, "outcome:replied:{id}", "claim it first"),
    ("someone else's claim: outcomes", claimed_by_alice, BOB, "outcome:lead:{id}", "<@{alice}> has claimed it"),
    ("someone else's claim: release", claimed_by_alice, BOB, "release:{id}", "<@{alice}> has claimed it"),
    ("dismissed: only the link is left", dismissed, BOB, "claim:{id}", ""),
    ("dismissed already", dismissed, BOB, "not_relevant:{id}", "not relevant"),
    ("outcome recorded already", replied, ALICE, "outcome:replied:{id}", "replied"),
    ("the menu is gone", claimed_and_released, ALICE, "more:{id}", "claim it first"),
    ("an alert that is gone", untouched, ALICE, "claim:4242", "alert 4242"),
    ("an alert that is gone: outcomes", untouched, ALICE, "outcome:replied:4242", "alert 4242"),
    ("an alert that is gone: a note", untouched, ALICE, "note:4242", "alert 4242"),
    ("a button of another version", untouched, ALICE, "snooze:{id}", "no longer does anything"),
    ("an outcome this version lacks", claimed_by_alice, ALICE, "outcome:bribed:{id}", "no longer does anything"),
]


@pytest.mark.parametrize(("setup", "person", "custom_id", "words"), [s[1:] for s in STALE], ids=[s[0] for s in STALE])
async def test_a_press_on_an_out_of_date_message_is_answered_privately(
    fake: FakeDiscord,
    store: SqlStore,
    make_chat: MakeChat,
    clock: Clock,
    desk: ChatActions,
    setup: Setup,
    person: Any,
    custom_id: str,
    words: str,
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await setup(desk, alert_id)
    await chat.refresh(await stored(store, alert_id), Progress(None, (), ""))  # the message as Discord has it now
    pressed_id = "earshot:" + custom_id.format(id=alert_id)
    edits = len(fake.edits)
    if custom_id.startswith("more:"):
        pressed = await fake.choose(person, message_id, pressed_id, ["signup"])
    else:
        pressed = await fake.press(person, message_id, pressed_id)  # on the message as it is now
    if words:
        assert words.format(alice=ALICE.id) in await answer_to(fake, pressed)
    else:
        await fake.wait_for(lambda: fake.callback_for(pressed) and len(fake.edits) > edits)


async def test_a_note_form_sent_after_a_restart_is_recorded(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, desk: ChatActions
) -> None:
    before = await make_chat()
    alert_id, message_id = await posted(fake, store, before, clock)
    await claimed_by_alice(desk, alert_id)
    opened = await fake.press(ALICE, message_id, f"earshot:note:{alert_id}")
    assert (await fake.wait_for(lambda: fake.callback_for(opened)))["type"] == 9  # the form
    await before.stop()

    await make_chat()  # a new process, which never opened that form
    submitted = await fake.submit(
        ALICE, f"earshot:note_form:{alert_id}", {"earshot:note_text": "talked to them"}, CHANNELS["conversations"]
    )
    assert "Recorded: note" in await answer_to(fake, submitted)
    async with store.unit() as unit:
        (note,) = await unit.list_outcomes(alert_id)
    assert note.kind is OutcomeKind.NOTE and note.note == "talked to them"
