"""Slack payloads in the shapes Slack sends them (Events API, interactivity, slash commands), and signed requests.

The shapes (field names, nesting, types) are Slack's; the team, app and people are ours.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

BOT_USER = "UBOT0001"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = {"id": "T111", "domain": "earshot-test"}
APP_ID = "A111"
TOKEN = "legacy-verification-token"  # Slack still sends the deprecated verification token in every payload


# --- payloads ------------------------------------------------------------------------------------------------


def _user(user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def reaction_event(
    user: str, channel: str, ts: str, *, reaction: str = "raised_hand", added: bool = True, event_id: str = "Ev0001"
) -> dict[str, Any]:
    """An Events API body for reaction_added / reaction_removed on a message of ours."""
    return {
        "token": TOKEN,
        "team_id": TEAM["id"],
        "api_app_id": APP_ID,
        "event": {
            "type": "reaction_added" if added else "reaction_removed",
            "user": user,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "reaction": reaction,
            "item_user": BOT_USER,
            "event_ts": "1700000100.000200",
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1700000100,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM["id"],
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}",
    }


def _interaction(user: str, channel: str, ts: str, *, response_url: str, trigger_id: str) -> dict[str, Any]:
    """What every block_actions payload on one of our messages carries."""
    return {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": trigger_id,
        "team": dict(TEAM),
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "community-alerts"},
        "message": {"type": "message", "ts": ts, "user": BOT_USER, "text": "", "blocks": []},
        "state": {"values": {}},
        "response_url": response_url,
    }


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
    """A block_actions payload for one button press."""
    body = _interaction(user, channel, ts, response_url=response_url, trigger_id=trigger_id)
    body["actions"] = [
        {
            "action_id": action_id,
            "block_id": "earshot",
            "text": _plain("Button"),
            "value": value,
            "type": "button",
            "action_ts": "1700000200.512733",
        }
    ]
    return body


def select_action(
    user: str, channel: str, ts: str, action_id: str, block_id: str, value: str, text: str, *, response_url: str
) -> dict[str, Any]:
    """A block_actions payload for an option picked in a static_select."""
    body = _interaction(user, channel, ts, response_url=response_url, trigger_id="222.333.valid")
    option = {"text": _plain(text), "value": value}
    body["state"] = {"values": {block_id: {action_id: {"type": "static_select", "selected_option": option}}}}
    body["actions"] = [
        {
            "type": "static_select",
            "action_id": action_id,
            "block_id": block_id,
            "selected_option": option,
            "placeholder": _plain("Record an outcome"),
            "action_ts": "1700000300.104522",
        }
    ]
    return body


def view_submission(user: str, callback_id: str, private_metadata: str, values: dict[str, Any]) -> dict[str, Any]:
    """A view_submission payload for a modal of ours, with its ``values``."""
    return {
        "type": "view_submission",
        "team": dict(TEAM),
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "trigger_id": "333.444.valid",
        "view": {
            "id": "V0MODAL001",
            "team_id": TEAM["id"],
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": "1700000400.Qx7bN2pd",
            "title": _plain("Earshot"),
            "clear_on_close": False,
            "notify_on_close": False,
            "close": _plain("Cancel"),
            "submit": _plain("Save"),
            "previous_view_id": None,
            "root_view_id": "V0MODAL001",
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": TEAM["id"],
            "bot_id": "B0EARSHOT1",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def slash_command(text: str, user: str, channel: str, *, response_url: str, user_name: str = "alice") -> dict[str, str]:
    """A slash command's form fields for /earshot, as Slack posts them."""
    return {
        "token": TOKEN,
        "team_id": TEAM["id"],
        "team_domain": TEAM["domain"],
        "channel_id": channel,
        "channel_name": "community-alerts",
        "user_id": user,
        "user_name": user_name,
        "command": "/earshot",
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": "444.555.valid",
    }


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
