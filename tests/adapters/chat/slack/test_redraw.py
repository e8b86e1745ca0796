"""Every redraw of an alert's message shows its whole state: claim, outcomes and how it is going."""

from __future__ import annotations

import pytest

from earshot.bot.domain import Alert, Progress
from tests.adapters.chat.progress import thread_read
from tests.fakes.slack_payloads import block_action, reaction_event

from .conftest import Rig, mrkdwn_texts
from .test_app import picked, updated, where

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database

LINE = "U0ALICE01 replied"  # no handles linked: the member is shown by id


async def claimed_with_progress(rig: Rig) -> Alert:
    """An alert Alice claimed by ✋ whose thread shows her reply (the check ran after the claim)."""
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvClaim"))
    await updated(rig, 1)
    await thread_read(rig.store, alert.id, rig.clock(), "U0ALICE01")
    return alert


def shows_progress(update: dict) -> bool:
    return any(LINE in t and "3 responses" in t for t in mrkdwn_texts(update["blocks"]))


async def test_taking_the_hand_back_and_raising_it_again_keeps_how_it_went(rig: Rig) -> None:
    alert = await claimed_with_progress(rig)
    channel, ts = where(alert)
    await rig.event(reaction_event("U0ALICE01", channel, ts, added=False, event_id="EvBack"))
    assert shows_progress(await updated(rig, 2))
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvAgain"))
    update = await updated(rig, 3)
    assert shows_progress(update)
    assert any("Claimed by <@U0ALICE01>" in t for t in mrkdwn_texts(update["blocks"]))


async def test_release_claim_and_outcome_buttons_keep_how_it_went(rig: Rig) -> None:
    alert = await claimed_with_progress(rig)
    channel, ts = where(alert)
    url = rig.slack.response_url("a")
    for count, (action, value) in enumerate(
        [("earshot:release", ""), ("earshot:claim", ""), ("earshot:outcome:replied", "")], start=2
    ):
        await rig.interact(block_action("U0ALICE01", channel, ts, action, value or str(alert.id), response_url=url))
        assert shows_progress(await updated(rig, count)), action


async def test_the_scheduled_refresh_and_a_press_draw_the_same_message(rig: Rig) -> None:
    alert = await claimed_with_progress(rig)
    channel, ts = where(alert)
    view = await rig.desk.view(alert.id)
    await rig.chat.refresh(view.alert, Progress(view.participation, view.outcomes, view.progress))
    scheduled = await updated(rig, 2)
    await rig.interact(
        block_action("U0ALICE01", channel, ts, "earshot:claim", str(alert.id), response_url=rig.slack.response_url("b"))
    )
    pressed = await updated(rig, 3)
    assert pressed["blocks"] == scheduled["blocks"]
    assert shows_progress(pressed)


async def test_a_pick_in_the_more_outcomes_menu_keeps_how_it_went_and_the_card_draws_it(rig: Rig) -> None:
    alert = await claimed_with_progress(rig)
    await rig.interact(picked("U0ALICE01", alert, "signup"))
    update = await updated(rig, 2)
    assert shows_progress(update)
    assert any("<@U0ALICE01> got a sign-up" in t for t in mrkdwn_texts(update["blocks"]))
