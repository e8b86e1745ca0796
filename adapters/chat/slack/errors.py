"""Slack Web API failures turned into DeliveryErrors that say what to fix; the outbox decides when to retry."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from earshot.bot.errors import DeliveryError

FIXES: dict[str, str] = {
    "channel_not_found": "check the channel name or id in the config or the topic, and that the bot can see it "
    "(invite it to a private channel with /invite @Earshot)",
    "not_in_channel": "invite the bot to the channel: type /invite @Earshot there",
    "is_archived": "the channel is archived: unarchive it or point the topic at another channel",
    "channel_is_archived": "the channel is archived: unarchive it or point the topic at another channel",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid: copy the Bot User OAuth Token (xoxb-...) from the app's "
    "OAuth & Permissions page",
    "not_authed": "SLACK_BOT_TOKEN is missing: set it to the app's Bot User OAuth Token (xoxb-...)",
    "token_revoked": "the bot token was revoked: reinstall the app and set the new SLACK_BOT_TOKEN",
    "account_inactive": "the bot token belongs to a deleted user or uninstalled app: reinstall the app",
    "missing_scope": "the app lacks a scope: add it from slack-manifest.yml and reinstall the app",
    "restricted_action": "the workspace does not let the bot post there: ask an admin to allow it",
}
PERMANENT = frozenset(
    [*FIXES, "invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "invalid_metadata_format"]
)
CHANNEL = frozenset(["channel_not_found", "not_in_channel", "is_archived", "channel_is_archived", "restricted_action"])
"""Codes that mean the channel refuses every post, not just this message."""
UNCERTAIN = frozenset(["internal_error", "fatal_error", "service_unavailable", "request_timeout"])


def error_code(exc: SlackApiError) -> str:
    """Slack's error code ("channel_not_found") or the HTTP status when the body had none."""
    data: Any = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"http_{exc.response.status_code}"


def retry_after(exc: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait (429 Retry-After), or None."""
    if exc.response.status_code != 429 and error_code(exc) != "ratelimited":
        return None
    raw = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
    try:
        return max(1.0, float(raw)) if raw is not None else 30.0
    except ValueError:
        return 30.0


def is_uncertain(exc: BaseException) -> bool:
    """Whether Slack may have done what was asked although the call failed (timeouts, 5xx, dropped connections)."""
    if isinstance(exc, SlackApiError):
        return exc.response.status_code >= 500 or error_code(exc) in UNCERTAIN
    return isinstance(exc, asyncio.TimeoutError | aiohttp.ClientError | SlackClientError | OSError)


def delivery_error(exc: BaseException, where: str) -> DeliveryError:
    """A DeliveryError for a failed call about ``where`` (a channel), permanent when retrying cannot help."""
    if isinstance(exc, SlackApiError):
        code = error_code(exc)
        wait = retry_after(exc)
        if wait is not None:
            return DeliveryError(f"slack: rate limited in {where}; trying again in {wait:.0f}s", retry_after=wait)
        if code == "missing_scope":
            needed = exc.response.data.get("needed") if isinstance(exc.response.data, dict) else None
            fix = FIXES[code] + (f" (needed: {needed})" if needed else "")
            return DeliveryError(f"slack: {code} posting to {where}: {fix}", permanent=True)
        if code in PERMANENT:
            fix = FIXES.get(code, "a bug; please report it")
            return DeliveryError(f"slack: {code} posting to {where}: {fix}", permanent=True, channel=code in CHANNEL)
        return DeliveryError(f"slack: {code} posting to {where}; will retry")
    return DeliveryError(f"slack: no answer posting to {where} ({type(exc).__name__}); will retry")
