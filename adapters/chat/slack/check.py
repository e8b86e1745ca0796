"""`/earshot check` on Slack: a modal for the draft, and the checklist as an ephemeral message to its writer.

The command opens the modal (views.open with the command's trigger_id); its submission (view_submission) is
checked by the core's DraftCheck and answered with chat.postEphemeral in the channel the command came from, or as
a direct message from the app where it cannot post there (a channel it is not in). Nothing is ever posted for the
channel to see.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from earshot.bot.actions.chat_actions import ChatActions, Member
from earshot.bot.actions.draft_check import Target
from earshot.bot.errors import EarshotError
from earshot.bot.guest.checker import MAX_DRAFT
from earshot.bot.text import excerpt

from .members import Members
from .render import plain, reason_text

log = logging.getLogger(__name__)

CHECK_CALLBACK = "earshot:check_modal"
CHECK_BLOCK = "draft"
CHECK_INPUT = "text"
INPUT_LIMIT = 3000  # Slack's longest plain_text_input


def check_modal(target: Target, channel: str) -> dict[str, Any]:
    """The "Check a draft" modal: the alert's title, and one multiline input for the draft."""
    metadata = json.dumps({"alert": target.alert_id, "channel": channel})
    return {
        "type": "modal",
        "callback_id": CHECK_CALLBACK,
        "private_metadata": metadata,
        "title": plain("Check a draft", 24),
        "submit": plain("Check", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            {"type": "section", "text": plain(f"Alert {target.alert_id}: {excerpt(target.title, 280)}")},
            {
                "type": "input",
                "block_id": CHECK_BLOCK,
                "label": plain("Your draft reply (only you see the checklist; nothing is posted)", 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": CHECK_INPUT,
                    "multiline": True,
                    "max_length": min(INPUT_LIMIT, MAX_DRAFT),
                },
            },
        ],
    }


class CheckForm:
    """Opens the draft form for `/earshot check` and answers its submission privately."""

    def __init__(self, desk: ChatActions, client: AsyncWebClient, members: Members) -> None:
        self.desk = desk
        self.client = client
        self.members = members

    async def open(
        self, command: dict[str, Any], member: Member, alert_text: str | None, respond: AsyncRespond
    ) -> None:
        """The form for the alert the command names (or the member's latest claim), or why not, privately."""
        if self.desk.drafts is None:
            await respond(text="The reply check is not set up here.", response_type="ephemeral")
            return
        try:
            target = await self.desk.drafts.target(member.id, member.moderator, alert_text)
        except EarshotError as exc:
            await respond(text=reason_text(str(exc)), response_type="ephemeral")
            return
        channel = str(command.get("channel_id") or "")
        await self.client.views_open(trigger_id=command["trigger_id"], view=check_modal(target, channel))

    async def on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The draft was sent: close the form, check it, answer the writer alone."""
        await ack()
        try:
            meta = json.loads(str(view.get("private_metadata") or "{}"))
            alert_id, channel = int(meta["alert"]), str(meta.get("channel") or "")
        except (ValueError, KeyError, TypeError):
            log.info("slack: a check form without its alert; ignored")
            return
        values = (view.get("state") or {}).get("values") or {}
        draft = str(values.get(CHECK_BLOCK, {}).get(CHECK_INPUT, {}).get("value") or "")
        user = body.get("user") or {}
        member = await self.members.get(str(user.get("id")), user.get("username") or user.get("name"))
        if self.desk.drafts is None:
            return
        answer = await self.desk.drafts.check(alert_id, member.id, member.moderator, draft)
        await self.tell(channel, member.id, reason_text(answer.text))

    async def tell(self, channel: str, user: str, text: str) -> None:
        """An ephemeral message in ``channel``; a direct message when the app cannot post there."""
        if channel:
            try:
                await self.client.chat_postEphemeral(channel=channel, user=user, text=text)
                return
            except SlackApiError as exc:
                log.info("slack: no ephemeral in %s (%s); the checklist goes by direct message", channel, exc)
        await self.client.chat_postMessage(channel=user, text=text)  # a user id: the app's DM (chat:write suffices)
