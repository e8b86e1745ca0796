"""Slack payloads in the recorded shapes of /work/shared/fixtures/slack, and requests signed as Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

from tests.fixtures import fixture_path

BOT_USER = "UBOT0001"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


# --- payloads, in the recorded shapes ------------------------------------------------------------------------


def _fixture(name: str) -> Any:
    return json.loads(fixture_path("slack", name).read_text(encoding="utf-8"))


def reaction_event(
    user: str, channel: str, ts: str, *, reaction: str = "raised_hand", added: bool = True, event_id: str = "Ev0001"
) -> dict[str, Any]:
    """An Events API body for reaction_added / reaction_removed (bolt_event_reaction_added.json)."""
    body = _fixture("bolt_event_reaction_added.json")
    body["team_id"] = "T111"
    body["event_id"] = event_id
    body["event"].update(
        type="reaction_added" if added else "reaction_removed",
        user=user,
        reaction=reaction,
        item={"type": "message", "channel": channel, "ts": ts},
        item_user=BOT_USER,
    )
    return body


def block_action(
    user: str,
    channel: str,
    ts: str,
    action_id: str,
    value: str,
    *,
    response_url: str,
    trigger_id: str = "111.222.valid",
) -> dict[str, Any]:
    """A block_actions payload for one button press (bolt_block_actions_button.json)."""
    body = _fixture("bolt_block_actions_button.json")
    body["user"].update(id=user, username=user.lower(), name=user.lower())
    body["container"].update(channel_id=channel, message_ts=ts, is_ephemeral=False)
    body["channel"]["id"] = channel
    body["response_url"] = response_url
    body["trigger_id"] = trigger_id
    body["actions"][0].update(action_id=action_id, block_id="earshot", value=value)
    body["message"] = {"type": "message", "ts": ts, "user": BOT_USER, "text": "", "blocks": []}
    return body


def select_action(
    user: str, channel: str, ts: str, action_id: str, block_id: str, value: str, text: str, *, response_url: str
) -> dict[str, Any]:
    """A block_actions payload for an option picked in a static_select (opsdroid_payload_block_action_static_select)."""
    raw = fixture_path("slack", "opsdroid_payload_block_action_static_select.urlencoded").read_text(encoding="utf-8")
    body = json.loads(parse_qs(unquote(raw))["payload"][0])
    body["user"].update(id=user, username=user.lower(), name=user.lower())
    body["container"].update(channel_id=channel, message_ts=ts, is_ephemeral=False)
    body["channel"]["id"] = channel
    body["response_url"] = response_url
    body["actions"][0].update(action_id=action_id, block_id=block_id)
    body["actions"][0]["selected_option"].update(value=value)
    body["actions"][0]["selected_option"]["text"]["text"] = text
    body["message"] = {"type": "message", "ts": ts, "user": BOT_USER, "text": "", "blocks": []}
    return body


def view_submission(user: str, callback_id: str, private_metadata: str, values: dict[str, Any]) -> dict[str, Any]:
    """A view_submission payload (opsdroid_payload_view_submission.urlencoded) with our modal's values."""
    raw = fixture_path("slack", "opsdroid_payload_view_submission.urlencoded").read_text(encoding="utf-8")
    body = json.loads(parse_qs(unquote(raw))["payload"][0])
    body["user"].update(id=user, username=user.lower(), name=user.lower())
    body["view"].update(callback_id=callback_id, private_metadata=private_metadata, state={"values": values})
    return body


def slash_command(text: str, user: str, channel: str, *, response_url: str, user_name: str = "alice") -> dict[str, str]:
    """A slash command's form fields (bolt_slash_command_body.urlencoded) for /earshot."""
    raw = fixture_path("slack", "bolt_slash_command_body.urlencoded").read_text(encoding="utf-8")
    fields = {k: v[0] for k, v in parse_qs(raw).items()}
    fields.update(
        command="/earshot", text=text, user_id=user, user_name=user_name, channel_id=channel, response_url=response_url
    )
    return fields


# --- signing HTTP-mode requests ------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: str) -> str:
    """Slack's request signature: ``v0=`` HMAC-SHA256 of ``v0:<timestamp>:<body>``."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None, content_type: str = "application/json"
) -> dict[str, str]:
    """Headers for an HTTP-mode request as Slack signs it."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret, stamp, body),
    }


def form_body(payload: dict[str, Any]) -> str:
    """An interactive payload as Slack posts it: ``payload=<json>`` form-encoded."""
    return urlencode({"payload": json.dumps(payload)})
