"""`earshot run` on Slack end to end: the real CLI in a subprocess, Socket Mode and the Web API on a fake Slack."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.storage import SqlStore, create_engine, migrate
from bot.ports import NewAlert
from tests.adapters.chat.slack.conftest import QUESTION
from tests.e2e.conftest import Earshot
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack, reaction_event, slash_command

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


async def test_run_posts_to_slack_and_people_claim_and_ask_from_the_channel(earshot: Earshot) -> None:
    async with FakeSlack() as slack:
        slack.add_channel("C0ALERTS1", "conversations")
        slack.add_user("U0ALICE01", "alice")
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
        )
        await migrate.upgrade(earshot.database_url)
        await pending_alert(earshot.database_url)
        env = earshot.env() | {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
        process = await asyncio.create_subprocess_exec(
            *earshot.command("run"), cwd=earshot.workdir, env=env, stderr=asyncio.subprocess.PIPE
        )
        try:
            await slack.connected()
            messages = slack.channels["C0ALERTS1"].messages
            await slack.wait_for(lambda: messages, timeout=30)
            ts = messages[0]["ts"]
            assert messages[0]["metadata"]["event_payload"] == {"alert_id": 1}

            await slack.send_envelope("events_api", reaction_event("U0ALICE01", "C0ALERTS1", ts, event_id="EvE2E"))
            update = await slack.wait_for(lambda: slack.called("chat.update"), timeout=30)
            assert "Claimed by <@U0ALICE01>" in str(update[0].args["blocks"])

            fields = slash_command("mine", "U0ALICE01", "C0ALERTS1", response_url=slack.response_url("e2e"))
            envelope = await slack.send_envelope("slash_commands", fields)
            answer = await slack.wait_for(lambda: slack.responses, timeout=30)
            assert "item?id=9003" in answer[0]["text"]
            # Bolt acks a Socket Mode envelope once its handler returns, which can be after the answer went out;
            # stopping before that ack would abandon the envelope mid-request (Slack would deliver it again).
            await slack.wait_for(lambda: envelope in slack.acks, timeout=30)
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
