"""`earshot alerts claim` end to end: the real CLI claims a stored alert; on a webhook setup the claimer's briefing
goes to the webhook as a ``"type": "briefing"`` payload, and a second claim is refused with nothing sent."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Earshot
from tests.e2e.test_check_reply import one_alert
from tests.fakes.algolia import FakeAlgolia
from tests.fakes.webhook import WebhookReceiver

pytestmark = pytest.mark.any_database


def test_claiming_from_the_cli_sends_the_briefing_to_the_webhook_once(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver
) -> None:
    alert_id = one_alert(earshot, algolia, hook)
    out = earshot("alerts", "claim", str(alert_id), "--as", "U0ALICE01")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"alert {alert_id} claimed by U0ALICE01"
    (briefing,) = [p for p in hook.accepted if p["type"] == "briefing"]
    assert (briefing["alert_id"], briefing["claimed_by"]) == (alert_id, "U0ALICE01")
    b = briefing["briefing"]
    assert b["situation"]["stack"] == ["We're on Postgres 15."]
    assert [r["id"] for r in b["rules"]] == ["hackernews:promotion", "hackernews:generated"]

    again = earshot("alerts", "claim", str(alert_id), "--as", "U0BOB0001")
    assert again.returncode == 1 and again.stdout.strip() == f"alert {alert_id} is claimed by U0ALICE01 already"
    assert len([p for p in hook.accepted if p["type"] == "briefing"]) == 1

    bad = earshot("alerts", "claim", "nope", "--as", "U0BOB0001")
    assert bad.returncode != 0 and "ALERT_ID 'nope'" in bad.stderr
