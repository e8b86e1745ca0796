"""What people do with an alert in the channel, on every chat platform alike: claim it (and get the briefing),
give it back, record how it went, and what its message shows (ChatActions answers with these).

A refusal is :class:`earshot.bot.errors.NotAllowed` or :class:`earshot.bot.errors.NotFound`, with a message meant for
the person who pressed the button.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Protocol, runtime_checkable

from earshot.bot.actions.alert_card import OUTCOME_WORDS, AlertCard, Choice, alert_card
from earshot.bot.actions.claims import Claims
from earshot.bot.domain import Alert, ClaimResult, Outcome, OutcomeKind, Participation
from earshot.bot.errors import NotAllowed, NotFound
from earshot.bot.followup.participation import progress_line
from earshot.bot.guest.briefer import Briefer
from earshot.bot.guest.briefing import Briefing
from earshot.bot.ports import Clock, StoreOf
from earshot.bot.ports.storage import Checks, Claiming, FollowUps, People, Refreshes, Team
from earshot.bot.team_handles import member_names

log = logging.getLogger(__name__)

LOOK_AGAIN = 0.25  # seconds between looks for the alert behind a message just posted


@dataclass(frozen=True, slots=True)
class Member:
    """A person in the chat. ``id`` is their platform user id, stored as the actor of what they do."""

    id: str
    name: str
    may_manage: bool = False  # may change topics and feeds
    moderator: bool = False  # may release someone else's claim and record outcomes on it


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert as its message shows it: the claim and the outcomes so far, oldest first."""

    alert: Alert
    outcomes: tuple[Outcome, ...]
    participation: Participation | None = None  # the latest automatic check, if one read the thread
    progress: str = ""  # how it is going in one line ("Alice replied 2 h after the post · 3 responses"), or ""


@runtime_checkable
class BriefingSink(Protocol):
    """A chat that shows the claimer's briefing itself, as a line or a payload of its own (console, webhook)."""

    async def send_briefing(self, alert_id: int, member: str, briefing: Briefing) -> None:
        """Show ``member`` the briefing for the alert they just claimed."""
        ...


class AlertUnit(Claiming, People, Refreshes, Checks, Team, FollowUps, Protocol):
    """What the alert actions touch: claims and outcomes, messages, the latest check, the team's names."""


class AlertActions:
    """Claims, outcomes and alert messages, as ChatActions offers them."""

    store: StoreOf[AlertUnit]
    clock: Clock
    claims: Claims
    briefer: Briefer | None
    briefings: BriefingSink | None
    custom_outcomes: tuple[str, ...]

    async def claim(self, alert_id: int, member: Member) -> ClaimResult:
        """Claim an alert; the first claimer wins and everyone else learns who that is. A chat that shows
        briefings itself (console, webhook: ``briefings``) gets the winner's briefing."""
        result = await self.claims.claim(alert_id, member.id)
        if result.won and self.briefings is not None:
            briefing = await self.briefing(alert_id)
            if briefing is not None:
                try:
                    await self.briefings.send_briefing(alert_id, member.id, briefing)
                except Exception as exc:  # the claim stands; the briefing is a courtesy
                    log.warning("alert %d: the briefing could not be sent: %s", alert_id, exc)
        return result

    async def briefing(self, alert_id: int) -> Briefing | None:
        """The briefing for whoever just claimed ``alert_id``, or None when briefings are off or it failed (a
        briefing is a courtesy: the claim stands without it)."""
        if self.briefer is None:
            return None
        try:
            return await self.briefer.brief(alert_id)
        except Exception:
            log.exception("alert %d: the briefing could not be made", alert_id)
            return None

    async def release(self, alert_id: int, member: Member) -> None:
        """Give a claim back (the claimer, or a moderator)."""
        await self.claims.release(alert_id, member.id, moderator=member.moderator)

    async def record(
        self, alert_id: int, member: Member, kind: OutcomeKind, note: str | None = None, label: str | None = None
    ) -> Outcome:
        """Record how it went (the claimer, or a moderator); anyone may say an alert is not relevant.

        A team's own outcome is kind CUSTOM with one of its ``[outcomes] custom`` labels.
        """
        if kind is OutcomeKind.CUSTOM:
            label = self._custom_label(label)
        elif label is not None:
            raise NotAllowed(f"only a custom outcome has a label; {kind.value} takes a note instead")
        return await self.claims.record_outcome(
            alert_id, member.id, kind, note, moderator=member.moderator, label=label
        )

    def outcome_choices(self) -> list[Choice]:
        """The outcomes to offer on an alert (buttons, menus): kind, label (custom ones) and the words to show."""
        built = [
            Choice(kind, None, OUTCOME_WORDS[kind])
            for kind in OutcomeKind
            if kind not in (OutcomeKind.NOTE, OutcomeKind.CUSTOM)
        ]
        return built + [Choice(OutcomeKind.CUSTOM, label, label) for label in self.custom_outcomes]

    def _custom_label(self, label: str | None) -> str:
        wanted = (label or "").strip().casefold()
        for known in self.custom_outcomes:
            if known.casefold() == wanted:
                return known
        offered = ", ".join(repr(k) for k in self.custom_outcomes) or "none (set [outcomes] custom in the config)"
        raise NotAllowed(f"{label!r} is not one of this team's outcomes; they are: {offered}")

    async def view(self, alert_id: int) -> AlertView:
        """An alert with its claim and outcomes, to redraw its message."""
        async with self.store.unit() as unit:
            alert = await unit.get_alert(alert_id)
            if alert is None:
                raise NotFound(f"there is no alert {alert_id}")
            outcomes = await unit.list_outcomes(alert_id)
            participation = await unit.latest_participation(alert_id)
            names = member_names(await unit.list_handles()) if participation else {}
        posted = alert.conversation.created_at or alert.created_at
        line = progress_line(participation, outcomes, names, posted) if participation else ""
        return AlertView(alert, tuple(outcomes), participation, line)

    async def card(self, alert_id: int) -> AlertCard:
        """What the alert's message shows now, read from storage: every redraw, whatever caused it, draws this."""
        view = await self.view(alert_id)
        return alert_card(view.alert, view.outcomes, view.progress, self.outcome_choices())

    async def stale_messages(self, limit: int = 20) -> list[AlertView]:
        """Delivered alerts whose message is out of date (another discussion of it was seen since), to redraw."""
        async with self.store.unit() as unit:
            alerts = await unit.alerts_to_refresh(limit)
        return [replace(await self.view(a.id), alert=a) for a in alerts]

    async def redrawn(self, alert_id: int) -> None:
        """Note that an alert's message shows what is known now."""
        async with self.store.unit() as unit:
            await unit.mark_refreshed(alert_id)

    async def first_time(self, event_id: str, keep_for: timedelta) -> bool:
        """Whether a chat event is new to every replica (False: a retry already handled); ids last ``keep_for``."""
        now = self.clock()
        async with self.store.unit() as unit:
            return await unit.first_time(event_id, now, now - keep_for)

    async def alert_for_message(self, message_ref: str, *, patience: float = 0.0) -> Alert | None:
        """The alert posted as that message, or None.

        A message is posted before its delivery is recorded, so a ✋ on a message that went out a moment ago may
        come first: with ``patience`` (seconds) an unknown message is looked up again a few times before giving up.
        """
        tries = 1 + max(0, math.ceil(patience / LOOK_AGAIN))
        for attempt in range(tries):
            if attempt:
                await asyncio.sleep(LOOK_AGAIN)
            async with self.store.unit() as unit:
                alert = await unit.alert_by_message(message_ref)
            if alert is not None:
                return alert
        return None

    async def due_followups(self, after: timedelta, limit: int = 20) -> list[Alert]:
        """Claims older than ``after`` with no outcome, not asked about yet; each is handed out once."""
        now = self.clock()
        async with self.store.unit() as unit:
            return await unit.take_followups(now, now - after, limit)
