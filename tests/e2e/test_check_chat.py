"""`/earshot check` end to end on Slack: the real `earshot run` in a subprocess, Socket Mode and the Web API on the
fake Slack. Claim, run the command, send the form, and the checklist comes back to the claimer alone."""

from __future__ import annotations

import asyncio
import json
import signal

import pytest

from tests.e2e.conftest import DEADLINE, Earshot
from tests.e2e.test_slack import delivered, run_with_one_alert
from tests.fakes.slack import FakeSlack, reaction_event, slash_command, view_submission

pytestmark = [pytest.mark.slow, pytest.mark.any_database]  # the check's subject is the same on any database

PITCH = "Vectorly is a game-changer for this, best-in-class recall at any scale. Sign up today at https://vectorly.io"


async def test_claim_check_send_the_form_and_only_the_claimer_sees_the_checklist(earshot: Earshot) -> None:
    async with FakeSlack() as slack:
        slack.add_channel("C0ALERTS1", "conversations")
        slack.add_user("U0ALICE01", "alice")
        ours = '[ours]\nproducts = ["Vectorly"]\ndomains = ["vectorly.io"]\n'
        process = await run_with_one_alert(earshot, slack, ours)
        try:
            await slack.connected()
            messages = slack.channels["C0ALERTS1"].messages
            await slack.wait_for(lambda: messages, timeout=DEADLINE)
            await delivered(earshot.database_url)
            await slack.send_envelope("events_api", reaction_event("U0ALICE01", "C0ALERTS1", messages[0]["ts"]))
            await slack.wait_for(lambda: slack.called("chat.update"), timeout=DEADLINE)

            fields = slash_command("check", "U0ALICE01", "C0ALERTS1", response_url=slack.response_url("check"))
            await slack.send_envelope("slash_commands", fields)
            (opened,) = await slack.wait_for(lambda: slack.called("views.open"), timeout=DEADLINE)
            view = opened.args["view"]
            view = json.loads(view) if isinstance(view, str) else view
            assert opened.args["trigger_id"] == fields["trigger_id"]

            values = {"draft": {"text": {"type": "plain_text_input", "value": PITCH}}}
            submitted = view_submission("U0ALICE01", view["callback_id"], view["private_metadata"], values)
            envelope = await slack.send_envelope("interactive", submitted)
            # The claim's briefing is private too (an ephemeral message of its own); the checklist is the other one.
            checked = lambda: [c for c in slack.called("chat.postEphemeral") if "Reply check" in c.args["text"]]  # noqa: E731
            (note,) = await slack.wait_for(checked, timeout=DEADLINE)
            await slack.wait_for(lambda: envelope in slack.acks, timeout=DEADLINE)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
            assert process.stderr is not None
            log = (await process.stderr.read()).decode()
        assert code == 0, log
        assert note.args["user"] == "U0ALICE01" and note.args["channel"] == "C0ALERTS1"
        text = note.args["text"]
        assert "Reply check for alert 1 (hackernews" in text
        assert "✗ product-first" in text and "✗ marketing" in text and "✗ undisclosed" not in text
        assert "Write it yourself." in text  # HN bans generated comments: a reminder, always
        assert len(messages) == 1 and len(slack.called("chat.postMessage")) == 1  # the alert, and nothing more
        assert slack.responses == []  # no answer on the command's response URL either
        assert "Traceback" not in log
