"""Posting alerts to Slack: channel names resolved once, one message per alert, 429s honoured per channel.

``chat.postMessage`` has no idempotency key. When an earlier attempt for an alert ended without a clear answer
(a timeout, a 5xx, a dropped connection), the message may exist already: before posting again we look for it in
the channel's recent history by the metadata every alert message carries, and reuse it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from earshot.bot.domain import Alert
from earshot.bot.errors import DeliveryError
from earshot.bot.ports import Clock

from .errors import delivery_error, error_code, is_uncertain, retry_after
from .render import METADATA_EVENT, Block, alert_metadata, is_channel_id

log = logging.getLogger(__name__)

NAMES_REFRESH = timedelta(minutes=5)  # an unknown name re-reads the channel list at most this often
HISTORY_PAGES = 5
HISTORY_SLACK = timedelta(minutes=10)  # look this far before the alert's creation (clocks differ)
DEFAULT_API_URL = "https://slack.com/api/"


def api_base(url: str | None) -> str:
    """The Web API base URL, ending in "/" as slack_sdk expects."""
    base = url or DEFAULT_API_URL
    return base if base.endswith("/") else base + "/"


def message_ref(channel_id: str, ts: str) -> str:
    """The reference stored with a delivered alert: ``"<channel id>:<ts>"``."""
    return f"{channel_id}:{ts}"


def parse_ref(ref: str | None) -> tuple[str, str] | None:
    """``(channel id, ts)`` from a message reference, or None when it is not a Slack one."""
    if not ref or ":" not in ref:
        return None
    channel, ts = ref.split(":", 1)
    return (channel, ts) if is_channel_id(channel) and ts else None


class SlackPoster:
    """Resolves channels and posts alert messages through one Web API client (with no automatic retries)."""

    def __init__(self, client: AsyncWebClient, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self._ids: dict[str, str] = {}
        self._listed_at: datetime | None = None
        self._paused: dict[str, datetime] = {}
        self._uncertain: set[int] = set()

    async def channel_id(self, channel: str) -> str:
        """The id of a channel given by id or name ("#name" or "name"); DeliveryError (permanent) if unknown."""
        name = channel.strip().lstrip("#")
        if is_channel_id(name):
            return name
        if name.lower() not in self._ids:
            now = self.clock()
            if self._listed_at is None or now - self._listed_at >= NAMES_REFRESH:
                await self._list_channels()
                self._listed_at = now
        found = self._ids.get(name.lower())
        if found is None:
            raise DeliveryError(
                f"slack: there is no channel #{name} the bot can see: check the name in [chat] channel or the "
                "topic's channel, or invite the bot (/invite @Earshot) if it is private",
                permanent=True,
            )
        return found

    async def _list_channels(self) -> None:
        cursor: str | None = None
        try:
            for _ in range(50):
                page = await self.client.conversations_list(
                    types="public_channel,private_channel", exclude_archived=True, limit=1000, cursor=cursor
                )
                for item in page.get("channels") or []:
                    self._ids[str(item.get("name", "")).lower()] = str(item["id"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except Exception as exc:
            raise delivery_error(exc, "the channel list (conversations.list)") from exc

    def _check_paused(self, channel_id: str) -> None:
        until = self._paused.get(channel_id)
        if until is None:
            return
        left = (until - self.clock()).total_seconds()
        if left > 0:
            raise DeliveryError(f"slack: rate limited in {channel_id}; trying again in {left:.0f}s", retry_after=left)
        del self._paused[channel_id]

    async def post(self, alert: Alert, channel: str, text: str, blocks: list[Block]) -> str:
        """Post the alert's message once and return its reference; reuse the message an unclear attempt left."""
        channel_id = await self.channel_id(channel)
        self._check_paused(channel_id)
        if alert.attempts > 0 or alert.retaken or alert.id in self._uncertain:
            ts = await self.find_posted(channel_id, alert)
            if ts is not None:
                log.info("alert %d: found the message an earlier attempt posted (%s); not posting again", alert.id, ts)
                self._uncertain.discard(alert.id)
                return message_ref(channel_id, ts)
        try:
            response = await self.client.chat_postMessage(
                channel=channel_id,
                text=text,
                blocks=blocks,
                metadata=alert_metadata(alert),
                unfurl_links=False,
                unfurl_media=False,
                link_names=False,
            )
        except Exception as exc:
            raise self._failed(exc, alert, channel_id, channel) from exc
        self._uncertain.discard(alert.id)
        return message_ref(str(response.get("channel") or channel_id), str(response["ts"]))

    def _failed(self, exc: Exception, alert: Alert, channel_id: str, channel: str) -> DeliveryError:
        if is_uncertain(exc):
            self._uncertain.add(alert.id)
        if isinstance(exc, SlackApiError):
            wait = retry_after(exc)
            if wait is not None:
                self._paused[channel_id] = self.clock() + timedelta(seconds=wait)
            if error_code(exc) in ("channel_not_found", "is_archived", "channel_is_archived"):
                self._ids = {name: cid for name, cid in self._ids.items() if cid != channel_id}
        where = f"#{channel.lstrip('#')}" if channel.lstrip("#") != channel_id else channel_id
        return delivery_error(exc, where)

    async def find_posted(self, channel_id: str, alert: Alert) -> str | None:
        """The ts of this alert's message in the channel's recent history, or None."""
        oldest = (alert.created_at - HISTORY_SLACK).timestamp()
        cursor: str | None = None
        try:
            for _ in range(HISTORY_PAGES):
                page = await self.client.conversations_history(
                    channel=channel_id, oldest=f"{oldest:.6f}", limit=200, include_all_metadata=True, cursor=cursor
                )
                for message in page.get("messages") or []:
                    if _carries(message, alert.id):
                        return str(message["ts"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not page.get("has_more") or not cursor:
                    return None
        except Exception as exc:
            # Posting blind could double the message: wait and look again instead.
            raise delivery_error(exc, f"{channel_id} (looking for an earlier attempt)") from exc
        return None


def _carries(message: dict[str, Any], alert_id: int) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(metadata.get("event_type") == METADATA_EVENT and str(payload.get("alert_id")) == str(alert_id))
