"""Socket Mode end to end: the real bolt handler connects to the fake's websocket, acks envelopes, does the work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from earshot.adapters.chat.slack.app import SeenEvents
from earshot.adapters.chat.slack.chat import SlackChat
from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.sources import build_sources, declarations
from earshot.adapters.storage import SqlStore
from earshot.bot.actions.chat_actions import ChatActions
from tests.fakes.clock import Clock
from tests.fakes.slack import Failure, FakeSlack, block_action, reaction_event, slash_command

from .conftest import Rig, slack_config

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database


@pytest.fixture
async def socket_rig(slack: FakeSlack, store: SqlStore) -> AsyncIterator[Rig]:
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    async with SafeHttp(FetchPolicy()) as http:
        desk = ChatActions(store, build_sources(http, {}), clock, kinds=declarations())
        chat = SlackChat(slack_config(slack, mode="socket", signing_secret=None), desk, clock)
        await chat.start()
        await slack.connected()
        try:
            yield Rig(slack, store, desk, chat, clock, None)  # type: ignore[arg-type]
        finally:
            await chat.stop()


async def test_a_reaction_envelope_is_acked_and_claims(socket_rig: Rig) -> None:
    rig = socket_rig
    alert = await rig.post_alert()
    channel, ts = alert.message_ref.split(":")  # type: ignore[union-attr]
    envelope = await rig.slack.send_envelope("events_api", reaction_event("U0ALICE01", channel, ts, event_id="EvS1"))
    await rig.slack.wait_for(lambda: envelope in rig.slack.acks)
    await rig.slack.wait_for(lambda: rig.slack.called("chat.update"))
    assert (await rig.desk.view(alert.id)).alert.claimed_by == "U0ALICE01"
    assert rig.slack.called("apps.connections.open")[0].token.startswith("xapp-")


async def test_a_button_and_a_command_over_the_socket(socket_rig: Rig) -> None:
    rig = socket_rig
    alert = await rig.post_alert()
    channel, ts = alert.message_ref.split(":")  # type: ignore[union-attr]
    action = block_action("U0BOB0001", channel, ts, "earshot:claim", str(alert.id), response_url="")
    envelope = await rig.slack.send_envelope("interactive", action)
    await rig.slack.wait_for(lambda: envelope in rig.slack.acks)
    await rig.slack.wait_for(lambda: rig.slack.called("chat.update"))
    assert (await rig.desk.view(alert.id)).alert.claimed_by == "U0BOB0001"
    fields = slash_command("mine", "U0BOB0001", channel, response_url=rig.slack.response_url("s"))
    envelope = await rig.slack.send_envelope("slash_commands", fields)
    await rig.slack.wait_for(lambda: envelope in rig.slack.acks)
    answer = await rig.slack.wait_for(lambda: rig.slack.responses and rig.slack.responses[-1])
    assert "item?id=9001" in answer["text"]


async def test_a_redelivered_envelope_is_handled_once(socket_rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="earshot.adapters.chat.slack.app")
    rig = socket_rig
    alert = await rig.post_alert()
    channel, ts = alert.message_ref.split(":")  # type: ignore[union-attr]
    await rig.slack.send_envelope("events_api", reaction_event("U0ALICE01", channel, ts, event_id="EvR1"))
    await rig.slack.wait_for(lambda: rig.slack.called("chat.update"))
    competing = reaction_event("U0BOB0001", channel, ts, event_id="EvR2")
    await rig.slack.send_envelope("events_api", competing)
    await rig.slack.wait_for(lambda: rig.slack.called("chat.postEphemeral"))
    again = await rig.slack.send_envelope("events_api", competing, retry=1)
    await rig.slack.wait_for(lambda: again in rig.slack.acks)
    assert "event EvR2 seen already (a retry); dropped" in caplog.text
    assert len(rig.slack.called("chat.postEphemeral")) == 1


async def test_stopping_finishes_the_request_in_hand_and_takes_no_new_one(
    socket_rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    rig = socket_rig
    rig.slack.fail("users.info", Failure(after=True, delay=3.0))  # the admin check takes a while
    fields = slash_command("topic add pg postgres", "U0ADMIN01", "C0ALERTS1", response_url=rig.slack.response_url("s"))
    envelope = await rig.slack.send_envelope("slash_commands", fields)
    await rig.slack.wait_for(lambda: envelope in rig.slack.acks)
    await rig.slack.wait_for(lambda: rig.slack.called("users.info"))
    stopping = asyncio.create_task(rig.chat.stop())  # while the command waits for users.info
    await rig.slack.wait_for(lambda: rig.chat.inflight.closing)
    late = await rig.slack.send_envelope(
        "slash_commands", slash_command("mine", "U0BOB0001", "C0ALERTS1", response_url="")
    )
    await stopping

    assert rig.slack.responses and "added topic pg" in rig.slack.responses[-1]["text"]
    async with rig.store.unit() as unit:
        assert [topic.name for topic in await unit.list_topics()] == ["pg"]
    assert late not in rig.slack.acks  # left for Slack to send again, to the next connection
    assert "Failed to run" not in caplog.text and "Traceback" not in caplog.text


def test_seen_events_forget_after_a_while() -> None:
    clock = Clock()
    seen = SeenEvents(clock, limit=3)
    assert seen.first_time("a") and not seen.first_time("a")
    for name in "bcd":
        assert seen.first_time(name)
    assert seen.first_time("a")  # pushed out by the limit
    clock.advance(timedelta(hours=1))
    assert seen.first_time("d")  # forgotten with time
