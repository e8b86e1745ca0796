"""`earshot run` on Slack end to end: the real CLI in a subprocess, Socket Mode and the Web API on a fake Slack."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from earshot.adapters.storage import SqlStore, create_engine, migrate
from earshot.bot.ports import NewAlert
from tests.adapters.chat.slack.conftest import QUESTION
from tests.e2e.conftest import DEADLINE, Earshot
from tests.e2e.test_ops import metric
from tests.fakes.http_server import free_port
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack, block_action, reaction_event, slash_command

pytestmark = pytest.mark.slow


async def pending_alert(database_url: str) -> None:
    """One alert in the outbox, as a poll would have left it."""
    store = SqlStore(create_engine(database_url))
    try:
        async with store.unit() as unit:
            now = datetime.now(UTC)
            stored = await unit.insert_conversations([replace(QUESTION, created_at=now)], "hn", now)
            await unit.insert_alerts([NewAlert(stored[0][0], "vector-db", None, ("pgvector",), 72)], now)
    finally:
        await store.close()


async def delivered(database_url: str, alert_id: int = 1) -> None:
    """Wait until the outbox has stored where the alert was posted: a ✋ on it before that finds no alert to claim."""
    store = SqlStore(create_engine(database_url))

    async def stored() -> None:
        while True:
            async with store.unit() as unit:
                alert = await unit.get_alert(alert_id)
            if alert is not None and alert.message_ref:
                return
            await asyncio.sleep(0.05)

    try:
        await asyncio.wait_for(stored(), 30)
    finally:
        await store.close()


async def run_with_one_alert(earshot: Earshot, slack: FakeSlack, extra: str = "") -> asyncio.subprocess.Process:
    """`earshot run` on Slack (Socket Mode, the fake's Web API) with one alert waiting in the outbox."""
    earshot.write_config(
        f"""
        [chat]
        platform = "slack"
        channel = "conversations"
        [slack]
        api_url = "{slack.api_url}"
        [delivery]
        every = "1s"
        """
        + extra
    )
    await migrate.upgrade(earshot.database_url)
    await pending_alert(earshot.database_url)
    env = earshot.env() | {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
    return await asyncio.create_subprocess_exec(
        *earshot.command("run"), cwd=earshot.workdir, env=env, stderr=asyncio.subprocess.PIPE
    )


async def test_run_posts_to_slack_and_people_claim_and_ask_from_the_channel(earshot: Earshot) -> None:
    async with FakeSlack() as slack:
        slack.add_channel("C0ALERTS1", "conversations")
        slack.add_user("U0ALICE01", "alice")
        process = await run_with_one_alert(earshot, slack)
        try:
            await slack.connected()
            messages = slack.channels["C0ALERTS1"].messages
            await slack.wait_for(lambda: messages, timeout=DEADLINE)
            ts = messages[0]["ts"]
            assert messages[0]["metadata"]["event_payload"] == {"alert_id": 1}
            await delivered(earshot.database_url)

            await slack.send_envelope("events_api", reaction_event("U0ALICE01", "C0ALERTS1", ts, event_id="EvE2E"))
            update = await slack.wait_for(lambda: slack.called("chat.update"), timeout=DEADLINE)
            assert "Claimed by <@U0ALICE01>" in str(update[0].args["blocks"])

            fields = slash_command("mine", "U0ALICE01", "C0ALERTS1", response_url=slack.response_url("e2e"))
            envelope = await slack.send_envelope("slash_commands", fields)
            answer = await slack.wait_for(lambda: slack.responses, timeout=DEADLINE)
            assert "item?id=9003" in answer[0]["text"]
            # Bolt acks a Socket Mode envelope once its handler returns, which can be after the answer went out;
            # stopping before that ack would abandon the envelope mid-request (Slack would deliver it again).
            await slack.wait_for(lambda: envelope in slack.acks, timeout=DEADLINE)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
            assert process.stderr is not None
            log = (await process.stderr.read()).decode()
        assert code == 0, log
        assert "slack: connected in Socket Mode" in log
        assert BOT_TOKEN not in log and APP_TOKEN not in log
        assert "Traceback" not in log


async def test_claims_made_in_slack_are_counted_on_metrics(earshot: Earshot) -> None:
    """`earshot run` wires one Telemetry into the chat's desk and /metrics: a won and a lost claim are both counted."""
    port = free_port()
    async with FakeSlack() as slack:
        slack.add_channel("C0ALERTS1", "conversations")
        slack.add_user("U0ALICE01", "alice")
        slack.add_user("U0BOB0001", "bob")
        process = await run_with_one_alert(earshot, slack, f"[ops]\nport = {port}\n")
        try:
            await slack.connected()
            messages = slack.channels["C0ALERTS1"].messages
            await slack.wait_for(lambda: messages, timeout=DEADLINE)
            ts = messages[0]["ts"]
            await delivered(earshot.database_url)
            # Alice's ✋ wins the claim; Bob's Claim button comes second and is told who has it.
            await slack.send_envelope("events_api", reaction_event("U0ALICE01", "C0ALERTS1", ts, event_id="EvM1"))
            await slack.wait_for(lambda: slack.called("chat.update"), timeout=DEADLINE)
            pressed = block_action("U0BOB0001", "C0ALERTS1", ts, "earshot:claim", "1", response_url="")
            envelope = await slack.send_envelope("interactive", pressed)

            def private_to(user: str) -> list[Any]:
                return [c for c in slack.called("chat.postEphemeral") if c.args["user"] == user]

            (note,) = await slack.wait_for(lambda: private_to("U0BOB0001"), timeout=DEADLINE)
            assert "has claimed this already" in note.args["text"]
            # Alice, who won, is briefed privately (sent beside Bob's note, in either order): an ephemeral message,
            # nothing new in the channel.
            (briefing,) = await slack.wait_for(lambda: private_to("U0ALICE01"), timeout=DEADLINE)
            assert briefing.args["text"].startswith("Your briefing for alert 1:")
            assert len(slack.called("chat.postMessage")) == 1  # the alert alone
            await slack.wait_for(lambda: envelope in slack.acks, timeout=DEADLINE)
            async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                metrics = await response.text()
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
            assert process.stderr is not None
            log = (await process.stderr.read()).decode()
        assert code == 0, log
    assert 'earshot_claims_total{outcome="won"} 1.0' in metrics, metrics
    assert 'earshot_claims_total{outcome="taken"} 1.0' in metrics, metrics
    assert metric(metrics, "earshot_claims_total") == 2
    assert "# HELP earshot_claims_total Claim attempts, by outcome (won, taken)." in metrics
