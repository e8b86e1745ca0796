"""`/earshot check` on Slack: the claimer opens a form, pastes a draft, and alone gets the checklist back.

Through slack-bolt over HTTP mode against the fake Web API: the command opens a modal (views.open), its
view_submission is checked by the real ReplyChecker on the stored alert, and the checklist comes back as an
ephemeral message; nothing is ever posted in the channel.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from earshot.adapters.chat.slack.check import CHECK_BLOCK, CHECK_CALLBACK, CHECK_INPUT
from earshot.bot.actions.chat_actions import Member
from earshot.bot.actions.draft_check import DraftCheck
from earshot.bot.guest.checker import GuestPolicy, ReplyChecker
from earshot.bot.guest.ours import Ours
from tests.fakes.slack import Failure
from tests.fakes.slack_payloads import view_submission

from .conftest import Rig

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database

ALICE = Member("U0ALICE01", "alice")
PITCH = (
    "Check out Vectorly, the best-in-class vector database! We built it for exactly this and our customers love "
    "it. Sign up today at https://vectorly.io and we will get you going."
)
HELPFUL = (
    "At 10M rows pgvector with an HNSW index held up for us; recall drops mostly when ef_search is left at the "
    "default, so raise it to 100 or more and rebuild the index after the bulk load. Postgres was a fine move."
)


@pytest.fixture
def checking(rig: Rig) -> Rig:
    """The rig's desk with the reply check on, and Vectorly as the team's product."""
    policy = GuestPolicy(ours=Ours(("Vectorly",), ("vectorly.io",)))
    rig.desk.drafts = DraftCheck(rig.store, ReplyChecker(rig.store, policy))
    return rig


async def submit(rig: Rig, view: dict[str, Any], draft: str, user: str = "U0ALICE01") -> None:
    values = {CHECK_BLOCK: {CHECK_INPUT: {"type": "plain_text_input", "value": draft}}}
    payload = view_submission(user, view["callback_id"], view["private_metadata"], values)
    assert (await rig.interact(payload)).status == 200


async def opened(rig: Rig, text: str, user: str = "U0ALICE01") -> dict[str, Any]:
    """Run /earshot ``text`` and return the modal it opened."""
    before = len(rig.slack.called("views.open"))
    await rig.send_command(text, user)
    calls = await rig.slack.wait_for(lambda: rig.slack.called("views.open")[before:])
    view: dict[str, Any] = (
        json.loads(calls[0].args["view"]) if isinstance(calls[0].args["view"], str) else calls[0].args["view"]
    )
    return view


async def test_claim_check_submit_the_checklist_comes_back_privately_and_nothing_is_posted(checking: Rig) -> None:
    rig = checking
    alert = await rig.post_alert()
    await rig.desk.claim(alert.id, ALICE)
    posted = len(rig.slack.called("chat.postMessage"))

    view = await opened(rig, "check")  # no id: the latest claim
    assert view["callback_id"] == CHECK_CALLBACK
    assert json.loads(view["private_metadata"]) == {"alert": alert.id, "channel": "C0ALERTS1"}
    assert "Which vector database" in json.dumps(view["blocks"])
    assert view["blocks"][1]["element"]["multiline"] is True

    await submit(rig, view, PITCH)
    notes = await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    text = notes[0].args["text"]
    assert notes[0].args["user"] == "U0ALICE01" and notes[0].args["channel"] == "C0ALERTS1"
    assert f"Reply check for alert {alert.id}" in text
    assert "✗ product-first" in text and "✗ marketing" in text
    assert "why: Answer first" in text and "Nothing was posted." in text
    assert len(rig.slack.called("chat.postMessage")) == posted  # nothing in any channel
    assert rig.slack.channels["C0ALERTS1"].messages[-1]["ts"] == alert.message_ref.split(":")[-1]


async def test_a_helpful_draft_for_an_alert_named_by_id_has_nothing_to_flag(checking: Rig) -> None:
    rig = checking
    alert = await rig.post_alert()
    await rig.desk.claim(alert.id, ALICE)
    view = await opened(rig, f"check {alert.id}")
    await submit(rig, view, HELPFUL)
    notes = await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    assert "✓ Nothing to flag" in notes[0].args["text"]


@pytest.mark.parametrize(
    ("claimer", "user", "words"),
    [
        ("U0ALICE01", "U0BOB0001", "claimed by <@U0ALICE01>"),
        (None, "U0ALICE01", "not claimed: claim it first"),
    ],
    ids=["someone else's claim", "unclaimed"],
)
async def test_only_the_claimer_may_check_and_the_refusal_is_private(
    checking: Rig, claimer: str | None, user: str, words: str
) -> None:
    rig = checking
    alert = await rig.post_alert()
    if claimer:
        await rig.desk.claim(alert.id, Member(claimer, "alice"))
    answer = await rig.command(f"check {alert.id}", user)
    assert answer["response_type"] == "ephemeral" and words in answer["text"]
    assert not rig.slack.called("views.open")


async def test_without_a_claim_the_command_says_how(checking: Rig) -> None:
    answer = await checking.command("check")
    assert answer["response_type"] == "ephemeral" and "you hold no open claim" in answer["text"]


async def test_a_draft_sent_after_the_claim_moved_on_is_refused_privately(checking: Rig) -> None:
    rig = checking
    alert = await rig.post_alert()
    await rig.desk.claim(alert.id, ALICE)
    view = await opened(rig, "check")
    await rig.desk.release(alert.id, ALICE)  # while the form was open
    await submit(rig, view, HELPFUL)
    notes = await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    assert "claim it first" in notes[0].args["text"] and "Reply check" not in notes[0].args["text"]


async def test_where_no_ephemeral_can_go_the_checklist_goes_by_direct_message(checking: Rig) -> None:
    rig = checking
    alert = await rig.post_alert()
    await rig.desk.claim(alert.id, ALICE)
    view = await opened(rig, "check")
    rig.slack.fail("chat.postEphemeral", Failure(error="channel_not_found"))
    await submit(rig, view, PITCH)
    dm = await rig.slack.wait_for(
        lambda: rig.slack.channels.get("D0ALICE01") and rig.slack.channels["D0ALICE01"].messages
    )
    assert "✗ product-first" in dm[0]["text"]
