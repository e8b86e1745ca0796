"""Every redraw of an alert's message shows its whole state: claim, outcomes and how it is going."""

from __future__ import annotations

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Progress
from tests.adapters.chat.progress import thread_read
from tests.fakes.clock import Clock
from tests.fakes.discord import ALICE, FakeDiscord

from .conftest import MakeChat, fields, posted, stored

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database

LINE = f"{ALICE.id} replied"  # no handles linked: the member is shown by id


async def claimed_with_progress(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> tuple[int, str]:
    """An alert Alice claimed by ✋ whose thread shows her reply (the check ran after the claim)."""
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.react(ALICE, message_id)
    await fake.wait_for(lambda: len(fake.edits) == 1)
    await thread_read(store, alert_id, clock(), ALICE.id)
    return alert_id, message_id


def how_it_went(edit: dict) -> str:
    return {f["name"]: f["value"] for f in edit["embeds"][0]["fields"]}.get("How it went", "")


async def test_taking_the_hand_back_and_raising_it_again_keeps_how_it_went(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    _, message_id = await claimed_with_progress(fake, store, make_chat, clock)
    await fake.react(ALICE, message_id, add=False)
    await fake.wait_for(lambda: len(fake.edits) == 2)
    assert LINE in how_it_went(fake.edits[-1]) and "3 responses" in how_it_went(fake.edits[-1])
    await fake.react(ALICE, message_id)
    await fake.wait_for(lambda: len(fake.edits) == 3)
    assert LINE in how_it_went(fake.edits[-1])
    assert fields(fake.messages[message_id])["Claimed"].startswith(f"by <@{ALICE.id}>")


async def test_release_claim_and_outcome_buttons_keep_how_it_went(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    alert_id, message_id = await claimed_with_progress(fake, store, make_chat, clock)
    for count, action in enumerate(["release", "claim", "outcome:replied"], start=2):
        await fake.press(ALICE, message_id, f"earshot:{action}:{alert_id}")
        await fake.wait_for(lambda count=count: len(fake.edits) == count)
        assert LINE in how_it_went(fake.edits[-1]), action


async def test_the_scheduled_refresh_and_a_press_draw_the_same_message(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    alert_id, message_id = await claimed_with_progress(fake, store, make_chat, clock)
    sender = await make_chat(listen=False)  # any replica refreshes, over REST
    await sender.refresh(await stored(store, alert_id), Progress(None, (), "ignored: the stored state is drawn"))
    scheduled = fake.edits[-1]
    await fake.press(ALICE, message_id, f"earshot:release:{alert_id}")
    await fake.wait_for(lambda: len(fake.edits) == 3)
    await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: len(fake.edits) == 4)
    pressed = fake.edits[-1]
    assert LINE in how_it_went(scheduled)
    assert (pressed["embeds"], pressed["components"]) == (scheduled["embeds"], scheduled["components"])


async def test_a_pick_in_the_more_outcomes_menu_keeps_how_it_went(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    alert_id, message_id = await claimed_with_progress(fake, store, make_chat, clock)
    await fake.choose(ALICE, message_id, f"earshot:more:{alert_id}", ["signup"])
    await fake.wait_for(lambda: len(fake.edits) == 2)
    assert LINE in how_it_went(fake.edits[-1])
    assert fields(fake.messages[message_id])["Outcomes"].startswith("• sign-up by")
