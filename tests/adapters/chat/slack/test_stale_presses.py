"""Every press on an Earshot message is acknowledged and, when it cannot be done, answered privately with why.

Slack keeps showing a message as it was drawn until the redraw arrives, and a message posted by another version
of Earshot keeps its buttons: a press may come for an alert someone else has just claimed, released, dismissed,
deleted, or for a button this version no longer draws.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from earshot.bot.actions.chat_actions import ChatActions, Member
from earshot.bot.domain import Alert
from tests.fakes.slack_payloads import block_action, select_action, view_submission

from .conftest import Rig
from .test_app import where
from .test_permissions import told

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database

Setup = Callable[[ChatActions, int], Awaitable[None]]
ALICE = Member("U0ALICE01", "alice")


async def claimed_by_alice(desk: ChatActions, alert_id: int) -> None:
    await desk.claim(alert_id, ALICE)


async def claimed_and_released(desk: ChatActions, alert_id: int) -> None:
    await desk.claim(alert_id, ALICE)
    await desk.release(alert_id, ALICE)


async def untouched(desk: ChatActions, alert_id: int) -> None:
    return None


STALE = [
    # (what happened since the message was drawn, who presses, action_id, value (None: the alert's id), words)
    ("claimed by someone else", claimed_by_alice, "U0BOB0001", "earshot:claim", None, "<@U0ALICE01> has claimed"),
    ("released: Release is gone", claimed_and_released, "U0ALICE01", "earshot:release", None, "nobody has claimed"),
    ("released: outcomes are gone", claimed_and_released, "U0ALICE01", "earshot:outcome:lead", None, "claim it first"),
    ("released: a note", claimed_and_released, "U0ALICE01", "earshot:note", None, "claim it first"),
    ("someone else's claim: a note", claimed_by_alice, "U0BOB0001", "earshot:note", None, "<@U0ALICE01> has claimed"),
    ("an alert that is gone", untouched, "U0ALICE01", "earshot:claim", "4242", "alert 4242"),
    ("an alert that is gone: a note", untouched, "U0ALICE01", "earshot:note", "4242", "alert 4242"),
    ("an outcome this version lacks", claimed_by_alice, "U0ALICE01", "earshot:outcome:bribed", None, "no longer"),
    ("a button of another version", untouched, "U0ALICE01", "earshot:snooze", None, "no longer"),
    ("a value that is no alert", untouched, "U0ALICE01", "earshot:claim", "x", "no longer"),
]


@pytest.mark.parametrize(
    ("setup", "user", "action", "value", "words"), [s[1:] for s in STALE], ids=[s[0] for s in STALE]
)
async def test_a_press_on_an_out_of_date_message_is_acked_and_answered_privately(
    rig: Rig, setup: Setup, user: str, action: str, value: str | None, words: str
) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await setup(rig.desk, alert.id)
    payload = block_action(user, channel, ts, action, value or str(alert.id), response_url=rig.slack.response_url("x"))
    response = await rig.interact(payload)
    assert response.status == 200  # acked
    assert words in await told(rig, user, 0)
    assert not rig.slack.called("views.open")  # no form for a note that would be refused


async def test_the_menu_of_a_released_alert_is_answered_privately(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await claimed_and_released(rig.desk, alert.id)
    url = rig.slack.response_url("m")
    payload = select_action(
        "U0ALICE01",
        channel,
        ts,
        "earshot:outcome_more",
        f"earshot:more:{alert.id}",
        "signup",
        "Sign-up",
        response_url=url,
    )
    assert (await rig.interact(payload)).status == 200
    assert "claim it first" in await told(rig, "U0ALICE01", 0)


async def noted(rig: Rig, alert: Alert) -> None:
    channel, _ = where(alert)
    values = {"note": {"text": {"type": "plain_text_input", "value": "talked to them"}}}
    payload = view_submission("U0ALICE01", "earshot:note_modal", f"{alert.id}:{channel}", values)
    assert (await rig.interact(payload)).status == 200


async def test_a_note_sent_after_its_alert_was_released_is_answered_privately(rig: Rig) -> None:
    alert = await rig.post_alert()
    await claimed_and_released(rig.desk, alert.id)  # between opening the form and sending it
    await noted(rig, alert)
    assert "claim it first" in await told(rig, "U0ALICE01", 0)
    assert (await rig.desk.view(alert.id)).outcomes == ()


async def test_a_note_sent_after_its_alert_was_deleted_is_answered_privately(rig: Rig) -> None:
    alert = await rig.post_alert()
    async with rig.store.engine.begin() as connection:
        from sqlalchemy import delete

        from earshot.adapters.storage import tables

        await connection.execute(delete(tables.alerts).where(tables.alerts.c.id == alert.id))
    await noted(rig, alert)
    assert f"alert {alert.id}" in await told(rig, "U0ALICE01", 0)
