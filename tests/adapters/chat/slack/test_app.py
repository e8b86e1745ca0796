"""The real slack-bolt app in HTTP mode against the fake Slack: signed requests in, ChatActions called, messages
updated."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest

from earshot.adapters.chat.slack.chat import SlackChat
from earshot.adapters.chat.slack.poster import parse_ref
from earshot.adapters.chat.slack.render import NOTE_BLOCK, NOTE_CALLBACK, NOTE_INPUT
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Alert, OutcomeKind
from tests.adapters.storage.helpers import alert_ids
from tests.fakes.slack import Failure, block_action, reaction_event, select_action, signed, view_submission

from .conftest import Rig, mrkdwn_texts, slack_config


def where(alert: Alert) -> tuple[str, str]:
    found = parse_ref(alert.message_ref)
    assert found is not None
    return found


async def updated(rig: Rig, count: int) -> dict:
    """Wait for the count-th chat.update and return its arguments."""
    calls = await rig.slack.wait_for(
        lambda: len(rig.slack.called("chat.update")) >= count and rig.slack.called("chat.update")
    )
    return calls[count - 1].args


async def test_an_alert_is_posted_with_claim_buttons_and_its_metadata(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    assert channel == "C0ALERTS1"
    message = rig.slack.message(channel, ts)
    assert message["metadata"]["event_payload"] == {"alert_id": alert.id}
    buttons = [b["text"]["text"] for b in message["blocks"][-1]["elements"]]
    assert buttons == ["Claim", "Not relevant", "Open thread"]


async def test_a_raised_hand_claims_the_alert_and_the_message_shows_who(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    response = await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvClaim1"))
    assert response.status == 200
    update = await updated(rig, 1)
    assert (update["channel"], update["ts"]) == (channel, ts)
    assert any("Claimed by <@U0ALICE01>" in t for t in mrkdwn_texts(update["blocks"]))
    assert (await rig.desk.view(alert.id)).alert.claimed_by == "U0ALICE01"
    labels = [b["text"]["text"] for b in update["blocks"][-1]["elements"]]
    assert labels[:5] == ["Replied", "Got a response", "Lead", "Not worth it", "Add a note"]


async def test_the_claim_button_claims_and_a_second_person_is_told_who_has_it(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    url = rig.slack.response_url("a")
    await rig.interact(block_action("U0BOB0001", channel, ts, "earshot:claim", str(alert.id), response_url=url))
    await updated(rig, 1)
    await rig.interact(block_action("U0ALICE01", channel, ts, "earshot:claim", str(alert.id), response_url=url))
    (note,) = await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    assert note.args["user"] == "U0ALICE01" and note.args["channel"] == channel
    assert note.args["text"].startswith("<@U0BOB0001> has claimed this already")
    assert (await rig.desk.view(alert.id)).alert.claimed_by == "U0BOB0001"
    assert len(rig.slack.called("chat.update")) == 1


async def test_a_competing_raised_hand_is_refused_privately(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="Ev1"))
    await updated(rig, 1)
    await rig.event(reaction_event("U0BOB0001", channel, ts, reaction="raised_hand::skin-tone-4", event_id="Ev2"))
    (note,) = await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    assert note.args["user"] == "U0BOB0001" and "<@U0ALICE01> has claimed this already" in note.args["text"]


async def test_taking_the_hand_back_releases_and_other_reactions_do_nothing(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await rig.event(reaction_event("U0ALICE01", channel, ts, reaction="eyes", event_id="Ev0"))
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="Ev1"))
    await updated(rig, 1)
    await rig.event(reaction_event("U0ALICE01", channel, ts, added=False, event_id="Ev2"))
    update = await updated(rig, 2)
    assert (await rig.desk.view(alert.id)).alert.claimed_by is None
    assert update["blocks"][-1]["elements"][0]["text"]["text"] == "Claim"
    assert len(rig.slack.called("chat.update")) == 2


async def test_a_retried_event_is_handled_once(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="earshot.adapters.chat.slack.app")
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvA"))
    await updated(rig, 1)
    competing = reaction_event("U0BOB0001", channel, ts, event_id="EvB")
    await rig.event(competing)
    await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    # Slack did not see our answer in time and sends the same event again; it is acked and dropped.
    response = await rig.event(competing, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert response.status == 200
    assert "event EvB seen already (a retry); dropped" in caplog.text
    assert len(rig.slack.called("chat.postEphemeral")) == 1


async def test_stopping_finishes_a_claim_in_hand_and_turns_new_requests_away(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    rig.slack.fail("chat.update", Failure(after=True, delay=3.0))  # redrawing the claimed message takes a while
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvStop1"))
    await rig.slack.wait_for(lambda: rig.slack.called("chat.update"))
    stopping = asyncio.create_task(rig.chat.stop())
    await rig.slack.wait_for(lambda: rig.chat.inflight.closing)
    late = await rig.event(reaction_event("U0BOB0001", channel, ts, event_id="EvStop2"))
    assert late.status == 503  # Slack sends the event again, to a replica that is not stopping
    assert rig.chat.inflight.count == 1 and not stopping.done()
    await stopping
    assert rig.chat.inflight.count == 0
    assert (await rig.desk.view(alert.id)).alert.claimed_by == "U0ALICE01"


async def test_a_retried_event_that_reaches_another_replica_is_dropped_there_too(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    other = SlackChat(slack_config(rig.slack), ChatActions(rig.store, {}, rig.clock), rig.clock)  # a second replica
    await other.start()
    try:
        competing = reaction_event("U0BOB0001", channel, ts, event_id="EvAcross")
        await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvFirst"))
        await updated(rig, 1)
        await rig.event(competing)
        await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
        # Slack's retry of the competing ✋, sent by the load balancer to the other replica.
        retry = Rig(rig.slack, rig.store, rig.desk, other, rig.clock, rig.http)
        answer = await retry.event(competing, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        assert answer.status == 200
        await asyncio.sleep(0.5)  # what a second handling would post, it would have posted by now
        assert len(rig.slack.called("chat.postEphemeral")) == 1
        # A new event through the other replica is handled there.
        await retry.event(reaction_event("U0BOB0001", channel, ts, event_id="EvNew"))
        await rig.slack.wait_for(lambda: len(rig.slack.called("chat.postEphemeral")) == 2)
    finally:
        await other.stop()


async def test_a_raised_hand_the_moment_an_alert_appears_claims_it(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    # The message is posted before its delivery is recorded: a ✋ in between must wait for it, not be dropped.
    await rig.store_alert()
    send = rig.chat.send_alert

    async def send_then_react(alert: Alert) -> str:
        ref = await send(alert)
        channel, ts = ref.split(":")
        assert (await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvQuick"))).status == 200
        await asyncio.sleep(0.4)  # the ✋ is looked up before the delivery is recorded
        return ref

    monkeypatch.setattr(rig.chat, "send_alert", send_then_react)
    assert (await Deliverer(rig.store, rig.chat, rig.clock, "test").deliver()).delivered == 1
    (alert_id,) = await alert_ids(rig.store)
    await updated(rig, 1)
    assert (await rig.desk.view(alert_id)).alert.claimed_by == "U0ALICE01"


async def test_outcome_buttons_are_recorded_and_shown(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    url = rig.slack.response_url("a")
    await rig.interact(block_action("U0ALICE01", channel, ts, "earshot:claim", str(alert.id), response_url=url))
    await updated(rig, 1)
    for n, kind in enumerate(("replied", "got_response", "lead"), start=2):
        action = block_action("U0ALICE01", channel, ts, f"earshot:outcome:{kind}", str(alert.id), response_url=url)
        await rig.interact(action)
        await updated(rig, n)
    view = await rig.desk.view(alert.id)
    assert [o.kind for o in view.outcomes] == [OutcomeKind.REPLIED, OutcomeKind.GOT_RESPONSE, OutcomeKind.LEAD]
    assert all(o.actor == "U0ALICE01" for o in view.outcomes)
    last = (await updated(rig, 4))["blocks"]
    assert any("<@U0ALICE01> found a lead" in t for t in mrkdwn_texts(last))


def menu_of(blocks: list[dict]) -> dict:
    """The "More outcomes…" select of an alert's message."""
    (select,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == "static_select"]
    return select


def picked(user: str, alert: Alert, value: str) -> dict:
    """``user`` picks the option ``value`` in the alert's "More outcomes…" menu."""
    channel, ts = where(alert)
    block = f"earshot:more:{alert.id}"
    return select_action(user, channel, ts, "earshot:outcome_more", block, value, "picked", response_url="")


async def claimed_with_team_outcomes(rig: Rig) -> tuple[Alert, dict]:
    """An alert Alice claimed, on a desk whose team added "conference talk"; returns it and the claimed message."""
    rig.desk.custom_outcomes = ("conference talk",)
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await rig.interact(block_action("U0ALICE01", channel, ts, "earshot:claim", str(alert.id), response_url=""))
    return alert, await updated(rig, 1)


async def test_a_claimed_alert_offers_every_other_outcome_in_a_menu(rig: Rig) -> None:
    alert, update = await claimed_with_team_outcomes(rig)
    menu = menu_of(update["blocks"])
    assert menu["action_id"] == "earshot:outcome_more"
    assert menu["placeholder"]["text"] == "More outcomes…"
    options = {o["text"]["text"]: o["value"] for o in menu["options"]}
    assert options == {
        "Not relevant": "not_relevant",
        "Sign-up": "signup",
        "Bug report": "bug_report",
        "conference talk": "custom:conference talk",
    }
    block = next(b for b in update["blocks"] if menu in b.get("elements", []))
    assert block["block_id"] == f"earshot:more:{alert.id}"
    assert len(update["blocks"][-1]["elements"]) <= 25


async def test_an_unclaimed_alert_has_no_outcome_menu(rig: Rig) -> None:
    rig.desk.custom_outcomes = ("conference talk",)
    alert = await rig.post_alert()
    message = rig.slack.message(*where(alert))
    assert not [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if "options" in e]


async def test_the_claimer_picks_sign_up_in_the_menu_and_it_is_recorded(rig: Rig) -> None:
    alert, _ = await claimed_with_team_outcomes(rig)
    pick = picked("U0ALICE01", alert, "signup")
    assert (await rig.interact(pick)).status == 200
    update = await updated(rig, 2)
    outcomes = (await rig.desk.view(alert.id)).outcomes
    assert [(o.kind, o.actor, o.label) for o in outcomes] == [(OutcomeKind.SIGNUP, "U0ALICE01", None)]
    assert any("<@U0ALICE01> got a sign-up" in t for t in mrkdwn_texts(update["blocks"]))
    assert menu_of(update["blocks"])  # still there for the next outcome
    assert rig.slack.called("chat.postEphemeral") == []


async def test_the_claimer_picks_the_teams_own_outcome_and_its_label_is_kept(rig: Rig) -> None:
    alert, _ = await claimed_with_team_outcomes(rig)
    value = "custom:conference talk"
    pick = picked("U0ALICE01", alert, value)
    await rig.interact(pick)
    update = await updated(rig, 2)
    outcomes = (await rig.desk.view(alert.id)).outcomes
    assert [(o.kind, o.label) for o in outcomes] == [(OutcomeKind.CUSTOM, "conference talk")]
    assert any("<@U0ALICE01> recorded “conference talk”" in t for t in mrkdwn_texts(update["blocks"]))


async def test_an_outcome_no_longer_offered_is_refused_and_nothing_is_recorded(rig: Rig) -> None:
    alert, _ = await claimed_with_team_outcomes(rig)
    rig.desk.custom_outcomes = ()  # the team dropped it after the menu was drawn
    value = "custom:conference talk"
    pick = picked("U0ALICE01", alert, value)
    await rig.interact(pick)
    (note,) = await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    assert note.args["user"] == "U0ALICE01" and "not offered any more" in note.args["text"]
    assert (await rig.desk.view(alert.id)).outcomes == ()
    update = await updated(rig, 2)  # redrawn without it
    assert "custom:conference talk" not in [o["value"] for o in menu_of(update["blocks"])["options"]]


async def test_not_relevant_is_recorded_by_anyone_and_the_message_says_so(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    action = block_action("U0BOB0001", channel, ts, "earshot:not_relevant", str(alert.id), response_url="")
    await rig.interact(action)
    update = await updated(rig, 1)
    assert [o.kind for o in (await rig.desk.view(alert.id)).outcomes] == [OutcomeKind.NOT_RELEVANT]
    assert any("<@U0BOB0001> marked it not relevant" in t for t in mrkdwn_texts(update["blocks"]))
    assert [b["text"]["text"] for b in update["blocks"][-1]["elements"]] == ["Open thread"]


async def test_the_release_button_frees_the_claim(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    for n, action_id in enumerate(("earshot:claim", "earshot:release"), start=1):
        await rig.interact(block_action("U0ALICE01", channel, ts, action_id, str(alert.id), response_url=""))
        await updated(rig, n)
    assert (await rig.desk.view(alert.id)).alert.claimed_by is None


async def test_add_a_note_opens_a_modal_and_its_submission_is_a_note_outcome(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await rig.interact(block_action("U0ALICE01", channel, ts, "earshot:claim", str(alert.id), response_url=""))
    await updated(rig, 1)
    await rig.interact(
        block_action("U0ALICE01", channel, ts, "earshot:note", str(alert.id), response_url="", trigger_id="9.9.t")
    )
    (opened,) = await rig.slack.wait_for(lambda: rig.slack.called("views.open"))
    assert opened.args["trigger_id"] == "9.9.t"
    modal = opened.args["view"]
    assert modal["callback_id"] == NOTE_CALLBACK
    values = {NOTE_BLOCK: {NOTE_INPUT: {"type": "plain_text_input", "value": "Asked them to DM us <!channel>"}}}
    response = await rig.interact(view_submission("U0ALICE01", NOTE_CALLBACK, modal["private_metadata"], values))
    assert response.status == 200
    update = await updated(rig, 2)
    (note,) = (await rig.desk.view(alert.id)).outcomes
    assert (note.kind, note.note) == (OutcomeKind.NOTE, "Asked them to DM us <!channel>")
    assert any("noted: Asked them to DM us &lt;!channel&gt;" in t for t in mrkdwn_texts(update["blocks"]))


async def test_a_forged_signature_is_refused(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    body = json.dumps(reaction_event("U0ALICE01", channel, ts))
    headers = signed(body, secret="not-the-signing-secret")
    async with rig.http.post(rig.events_url, data=body.encode(), headers=headers) as response:
        assert response.status == 401
    assert (await rig.desk.view(alert.id)).alert.claimed_by is None


async def test_a_stale_timestamp_is_refused(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    body = json.dumps(reaction_event("U0ALICE01", channel, ts))
    headers = signed(body, timestamp=int(time.time()) - 6 * 60)  # correctly signed, but replayed too late
    async with rig.http.post(rig.events_url, data=body.encode(), headers=headers) as response:
        assert response.status == 401
    assert (await rig.desk.view(alert.id)).alert.claimed_by is None
    assert rig.slack.called("chat.update") == []


async def test_a_follow_up_asks_the_claimer_in_the_thread(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await rig.interact(block_action("U0ALICE01", channel, ts, "earshot:claim", str(alert.id), response_url=""))
    await updated(rig, 1)
    claimed = (await rig.desk.view(alert.id)).alert
    await rig.chat.follow_up(claimed)
    reply = rig.slack.channels[channel].messages[-1]
    assert reply["thread_ts"] == ts
    assert reply["text"].startswith("<@U0ALICE01> how did it go with <https://news.ycombinator.com/item?id=9001|")
    assert reply["blocks"][-1]["elements"][0]["text"]["text"] == "Replied"
    # Answering from the thread records it, redraws the alert, and leaves the follow-up saying what was recorded.
    pressed = block_action("U0ALICE01", channel, reply["ts"], "earshot:outcome:replied", str(alert.id), response_url="")
    pressed["actions"][0]["block_id"] = reply["blocks"][-1]["block_id"]
    await rig.interact(pressed)
    thread_update = await updated(rig, 3)
    assert (thread_update["ts"], thread_update["text"]) == (reply["ts"], "<@U0ALICE01> recorded: replied")
    assert (await updated(rig, 2))["ts"] == ts
    assert [o.kind for o in (await rig.desk.view(alert.id)).outcomes] == [OutcomeKind.REPLIED]


async def test_the_url_verification_challenge_is_answered(rig: Rig) -> None:
    body = json.dumps(
        {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}
    )
    async with rig.http.post(rig.events_url, data=body.encode(), headers=signed(body)) as response:
        assert response.status == 200
        assert (await response.json())["challenge"].startswith("3eZbrw1a")


async def test_a_throttled_message_update_is_retried_after_the_wait_slack_asked_for(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    rig.slack.fail("chat.update", Failure(status=429, error="ratelimited", headers={"Retry-After": "1"}))
    await rig.interact(block_action("U0ALICE01", channel, ts, "earshot:claim", str(alert.id), response_url=""))
    update = await updated(rig, 2)  # the first answer was a 429; the second try went through
    assert any("Claimed by <@U0ALICE01>" in t for t in mrkdwn_texts(update["blocks"]))
    assert any("Claimed by <@U0ALICE01>" in str(b) for b in rig.slack.message(channel, ts)["blocks"])
