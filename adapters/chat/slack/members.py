"""Who is asking: a Slack user id turned into a ChatActions Member, with admin rights from config or the workspace."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from earshot.bot.actions.chat_actions import Member
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

CACHE_FOR = timedelta(minutes=10)


class Members:
    """Builds Members; ``admins`` (member ids) may manage topics and feeds, else workspace admins and owners do."""

    def __init__(self, client: AsyncWebClient, clock: Clock, admins: tuple[str, ...] = ()) -> None:
        self.client = client
        self.clock = clock
        self.admins = frozenset(admins)
        self._cache: dict[str, tuple[datetime, Member]] = {}

    async def get(self, user_id: str, name: str | None = None) -> Member:
        """The Member for ``user_id``: names and rights from users.info, cached for a few minutes."""
        now = self.clock()
        cached = self._cache.get(user_id)
        if cached is not None and now - cached[0] < CACHE_FOR:
            return cached[1]
        shown, workspace_admin = name or user_id, False
        try:
            info = (await self.client.users_info(user=user_id)).get("user") or {}
        except SlackApiError as exc:
            # Without users:read nobody counts as a workspace admin; [slack] admins still works.
            log.warning("users.info for %s failed (%s); treating them as a member", user_id, exc.response.get("error"))
            info = {}
        if info:
            profile = info.get("profile") or {}
            shown = profile.get("display_name") or profile.get("real_name") or info.get("name") or shown
            workspace_admin = bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
        manages = user_id in self.admins if self.admins else workspace_admin
        member = Member(id=user_id, name=str(shown), may_manage=manages, moderator=manages)
        if info:
            self._cache[user_id] = (now, member)
        return member
