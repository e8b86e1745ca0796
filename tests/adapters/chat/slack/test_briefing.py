"""Claiming on Slack briefs the claimer privately: an ephemeral message only they see, nothing in the channel."""

from __future__ import annotations

from dataclasses import replace

import pytest

from earshot.adapters.chat.slack.briefing import briefing_blocks
from earshot.adapters.chat.slack.poster import parse_ref
from earshot.bot.domain import Alert
from earshot.bot.guest.briefer import Briefer
from earshot.bot.guest.briefing import Briefing, Situation, compose
from earshot.bot.guest.checker import GuestPolicy
from earshot.bot.guest.rules import cards_for
from tests.fakes.slack import Failure, block_action, reaction_event

from .conftest import T0, Rig, make_alert, mrkdwn_texts

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database


@pytest.fixture
def briefed(rig: Rig) -> Rig:
    rig.desk.briefer = Briefer(rig.store, rig.clock, GuestPolicy())
    return rig


def _where(alert: Alert) -> tuple[str, str]:
    found = parse_ref(alert.message_ref)
    assert found is not None
    return found


async def test_the_claim_button_briefs_the_claimer_privately_and_posts_nothing(briefed: Rig) -> None:
    rig = briefed
    alert = await rig.post_alert()
    channel, ts = _where(alert)
    posted = len(rig.slack.called("chat.postMessage"))
    url = rig.slack.response_url("a")
    await rig.interact(block_action("U0BOB0001", channel, ts, "earshot:claim", str(alert.id), response_url=url))
    (note,) = await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    assert note.args["user"] == "U0BOB0001" and note.args["channel"] == channel
    (text,) = mrkdwn_texts(note.args["blocks"])
    assert text.startswith("*Your briefing* for <https://news.ycombinator.com/item?id=9001|Ask HN: Which vector")
    assert "*Asked:* Ask HN: Which vector database do you run in production?" in text
    assert "*Their scale:* _&lt;b&gt;Recall&lt;/b&gt; dropped at 10M rows._" in text  # the asker's HTML made inert
    assert "*Rule:* <https://news.ycombinator.com/newsguidelines.html|HN guidelines, promotion>" in text
    assert len(rig.slack.called("chat.postMessage")) == posted  # nothing new in the channel
    assert rig.slack.responses == []  # nor on the response URL, which would show in the channel


async def test_a_raised_hand_briefs_the_claimer_privately_too(briefed: Rig) -> None:
    rig = briefed
    alert = await rig.post_alert()
    channel, ts = _where(alert)
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvBrief1"))
    (note,) = await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    assert note.args["user"] == "U0ALICE01" and "Your briefing" in note.args["text"]


async def test_whoever_loses_the_claim_gets_no_briefing(briefed: Rig) -> None:
    rig = briefed
    alert = await rig.post_alert()
    channel, ts = _where(alert)
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvBrief2"))
    await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    await rig.event(reaction_event("U0BOB0001", channel, ts, event_id="EvBrief3"))
    notes = await rig.slack.wait_for(
        lambda: len(rig.slack.called("chat.postEphemeral")) == 2 and rig.slack.called("chat.postEphemeral")
    )
    assert notes[1].args["user"] == "U0BOB0001"
    assert notes[1].args["text"].startswith("<@U0ALICE01> has claimed this already")


async def test_without_a_briefer_a_claim_sends_nothing_private(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = _where(alert)
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvBrief4"))
    await rig.slack.wait_for(lambda: rig.slack.called("chat.update"))
    assert rig.slack.called("chat.postEphemeral") == []


def test_hostile_thread_text_cannot_ping_or_forge_links() -> None:
    alert = make_alert(
        conversation=replace(
            make_alert().conversation,
            title="<!channel> urgent <https://evil.example|click> @here",
            text="We tried <@U0ADMIN01> and <!here>. Our budget is $50 <https://evil.example|per month>.",
        ),
        summary=None,
    )
    b = compose(alert, T0, cards_for("hackernews", None))
    text, blocks = briefing_blocks(b)
    body = mrkdwn_texts(blocks)[0]
    for bad in ("<!channel>", "<!here>", "<@U0ADMIN01>", "<https://evil.example"):
        assert bad not in body and bad not in text
    assert "&lt;!channel&gt;" in body and "*Their budget:*" in body


def test_an_empty_situation_and_no_rules_leave_their_lines_out() -> None:
    b = Briefing(1, "https://example.com/t/1", "A title", "What is asked?", Situation(), (), (), "age unknown", ())
    body = mrkdwn_texts(briefing_blocks(b)[1])[0]
    assert body.splitlines()[1:] == ["*Asked:* What is asked?", "*Thread:* age unknown"]


async def test_a_briefing_slack_refuses_leaves_the_claim_standing(briefed: Rig) -> None:
    rig = briefed
    rig.slack.fail("chat.postEphemeral", Failure(error="user_not_in_channel"))
    alert = await rig.post_alert()
    channel, ts = _where(alert)
    await rig.event(reaction_event("U0ALICE01", channel, ts, event_id="EvBrief5"))
    await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    assert (await rig.desk.view(alert.id)).alert.claimed_by == "U0ALICE01"
    assert len(rig.slack.called("chat.update")) == 1  # the message shows the claim
