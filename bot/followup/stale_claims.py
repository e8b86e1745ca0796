"""Claim hygiene: a claim with no outcome after a while goes back to the channel, with a gentle note."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

from earshot.bot.domain import Alert, Notice
from earshot.bot.durations import format_duration
from earshot.bot.ports import Chat, Clock, StoreOf
from earshot.bot.ports.storage import FollowUps, Team
from earshot.bot.team_handles import member_names
from earshot.bot.text import excerpt

log = logging.getLogger(__name__)


class SweepUnit(FollowUps, Team, Protocol):
    """What the sweeper touches: stale claims, and the team's names for the notice."""


def release_note(alert: Alert, holder: str, after: timedelta) -> str:
    """The note for the channel when a claim is released for lack of news."""
    title = excerpt(alert.conversation.title, 100)
    return (
        f"“{title}” ({alert.topic}) was claimed by {holder} {format_duration(after)} ago with no outcome since, "
        f"so it is open again for anyone: {alert.conversation.url} . "
        f"{holder}, if you are still on it, just claim it again."
    )


class ClaimSweeper:
    """Releases stale claims and tells the channel; each claim is released once across processes."""

    def __init__(
        self, store: StoreOf[SweepUnit], chat: Chat | None, clock: Clock, release_after: timedelta, limit: int = 50
    ):
        self.store = store
        self.chat = chat
        self.clock = clock
        self.release_after = release_after
        self.limit = limit

    async def run(self) -> list[Alert]:
        """Release the claims older than ``release_after`` with nothing recorded; return them as they were."""
        now = self.clock()
        async with self.store.unit() as unit:
            released = await unit.release_stale_claims(now, now - self.release_after, self.limit)
            names = member_names(await unit.list_handles()) if released else {}
        for alert in released:
            holder = alert.claimed_by or "someone"
            log.info("released alert %d claimed by %s: no outcome after %s", alert.id, holder, self.release_after)
            if self.chat is None:
                continue
            try:
                note = release_note(alert, names.get(holder, holder), self.release_after)
                await self.chat.send_notice(Notice("info", note))
            except Exception as exc:  # the release stands; the note is a courtesy
                log.warning("could not tell the channel that alert %d is open again: %s", alert.id, exc)
        return released
