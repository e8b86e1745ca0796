"""`earshot doctor` for Slack: the tokens, the scopes, Socket Mode, and the bot's place in each channel.

It says what is wrong and what to do about it; it never prints a token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from earshot.adapters.chat.doctor import Finding

from .errors import FIXES, error_code
from .poster import api_base
from .render import is_channel_id

REQUIRED_SCOPES = (
    "chat:write",
    "commands",
    "reactions:read",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
)
APPS_PAGE = "https://api.slack.com/apps"


async def diagnose(
    *, bot_token: str, app_token: str | None, mode: str, api_url: str | None, channels: Iterable[str]
) -> list[Finding]:
    """Check everything Earshot needs from Slack; a failed check carries its fix."""
    client = AsyncWebClient(token=bot_token, base_url=api_base(api_url), retry_handlers=[], timeout=15)
    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        code = error_code(exc)
        fix = FIXES.get(code, f"check SLACK_BOT_TOKEN on {APPS_PAGE} (OAuth & Permissions)")
        return [Finding(False, f"SLACK_BOT_TOKEN: auth.test failed ({code})", fix)]
    except Exception as exc:
        return [
            Finding(
                False, f"cannot reach Slack's Web API ({type(exc).__name__})", "check the network or [slack] api_url"
            )
        ]
    bot = str(auth.get("user") or "the bot")
    findings = [Finding(True, f"SLACK_BOT_TOKEN works: workspace {auth.get('team')!s}, bot @{bot}")]
    findings.append(_scopes(auth.headers.get("x-oauth-scopes") or auth.headers.get("X-OAuth-Scopes")))
    if mode == "socket":
        findings.append(await _socket_mode(client, app_token))
    checked: set[str] = set()
    for channel in dict.fromkeys(channels):
        findings += await _channel(client, channel, bot, checked)
    return findings


def _scopes(header: str | None) -> Finding:
    if header is None:
        return Finding(
            False, "Slack did not say which scopes the token has", "reinstall the app from slack-manifest.yml"
        )
    granted = {s.strip() for s in header.split(",") if s.strip()}
    missing = [s for s in REQUIRED_SCOPES if s not in granted]
    if missing:
        return Finding(
            False,
            f"the bot token lacks scopes: {', '.join(missing)}",
            f"add them under OAuth & Permissions > Bot Token Scopes (or paste slack-manifest.yml) on {APPS_PAGE}, "
            "then reinstall the app to the workspace",
        )
    return Finding(True, "the bot token has every scope Earshot needs")


async def _socket_mode(client: AsyncWebClient, app_token: str | None) -> Finding:
    fix = (
        f"on {APPS_PAGE}: turn on Socket Mode, then under Basic Information > App-Level Tokens create one with "
        "connections:write and set SLACK_APP_TOKEN to it"
    )
    if not app_token:
        return Finding(False, "SLACK_APP_TOKEN is not set (Socket Mode needs it)", fix)
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        return Finding(False, f"SLACK_APP_TOKEN: Socket Mode cannot connect ({error_code(exc)})", fix)
    return Finding(True, "SLACK_APP_TOKEN opens a Socket Mode connection")


async def _channel(client: AsyncWebClient, channel: str, bot: str, checked: set[str]) -> list[Finding]:
    name = channel.strip().lstrip("#")
    try:
        channel_id = name if is_channel_id(name) else await _find(client, name)
        if channel_id in checked:
            return []  # the same channel by name and by id
        if channel_id is None:
            return [
                Finding(
                    False,
                    f"channel #{name}: not found",
                    "check the name in [chat] channel or the topic; for a private channel, invite the bot first "
                    f"(/invite @{bot} in the channel)",
                )
            ]
        checked.add(channel_id)
        info: dict[str, Any] = (await client.conversations_info(channel=channel_id)).get("channel") or {}
    except SlackApiError as exc:
        code = error_code(exc)
        return [Finding(False, f"channel {channel}: {code}", FIXES.get(code, "see the error code in Slack's API docs"))]
    shown = f"#{info.get('name') or name} ({channel_id})"
    if info.get("is_archived"):
        return [Finding(False, f"channel {shown} is archived", FIXES["is_archived"])]
    if not info.get("is_member"):
        return [Finding(False, f"channel {shown}: the bot is not in it", f"type /invite @{bot} in {shown.split()[0]}")]
    return [Finding(True, f"channel {shown}: the bot is in it")]


async def _find(client: AsyncWebClient, name: str) -> str | None:
    cursor: str | None = None
    for _ in range(50):
        page = await client.conversations_list(
            types="public_channel,private_channel", exclude_archived=False, limit=1000, cursor=cursor
        )
        for item in page.get("channels") or []:
            if str(item.get("name", "")).lower() == name.lower():
                return str(item["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    return None
