"""What a press or a reaction on an alert does: find who did it, call one ChatActions use case, redraw the alert.

Button presses are deferred first (Discord wants an answer within 3 s), then the alert's message is redrawn and
anything meant for the presser alone (a refusal, who holds the claim) goes as an ephemeral follow-up.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from earshot.adapters.chat.inflight import InFlight, tracked
from earshot.bot.actions.alert_card import CHOICE_GONE, PRESS_FAILED, AlertCard, find_choice
from earshot.bot.actions.chat_actions import CLAIM_PATIENCE, ChatActions, Member
from earshot.bot.domain import OutcomeKind
from earshot.bot.errors import EarshotError

from .briefing import briefing_message
from .card import NONE, redraw
from .render import CLAIM_EMOJI, mention, neutralise, outcome_words, stamp

log = logging.getLogger(__name__)
SNOWFLAKE = re.compile(r"\b(\d{17,20})\b")


def member_from_permissions(user: discord.abc.User, permissions: discord.Permissions) -> Member:
    """A Member: Manage Server may change topics and feeds; Manage Messages or Manage Server moderate claims."""
    admin = permissions.administrator
    return Member(
        id=str(user.id),
        name=user.display_name,
        may_manage=admin or permissions.manage_guild,
        moderator=admin or permissions.manage_guild or permissions.manage_messages,
    )


def member_of(interaction: discord.Interaction[Any]) -> Member:
    """The person behind an interaction, with the permissions Discord resolved for them in that channel."""
    return member_from_permissions(interaction.user, interaction.permissions)


class AlertActions:
    """Claims, releases and outcomes from buttons and reactions, for one connected client."""

    def __init__(self, desk: ChatActions, client: discord.Client, inflight: InFlight | None = None) -> None:
        self.desk = desk
        self.client = client
        self.inflight = inflight if inflight is not None else InFlight()  # stopping waits for these

    # Buttons ---------------------------------------------------------------------------------------------------

    @tracked
    async def claim(self, interaction: discord.Interaction[Any], alert_id: int) -> None:
        """Claim for the presser; tell them privately who has it if someone was first."""
        await interaction.response.defer()
        try:
            result = await self.desk.claim(alert_id, member_of(interaction))
        except EarshotError as exc:
            await self._tell(interaction, desk_text(str(exc)))
            return
        except Exception:
            await self._failed(interaction, alert_id)
            return
        if not result.won:
            since = stamp(result.claimed_at)
            await self._tell(interaction, f"{mention(result.holder)} claimed this {since}; it is theirs for now.")
            return
        await self.redraw(alert_id, interaction)
        briefing = await self.desk.briefing(alert_id)
        if briefing is not None:
            try:
                await self._tell(interaction, briefing_message(briefing))
            except discord.HTTPException as exc:  # the claim stands; the briefing is a courtesy
                log.warning("alert %d: the briefing could not be sent: %s", alert_id, exc)

    @tracked
    async def release(self, interaction: discord.Interaction[Any], alert_id: int) -> None:
        """Release (the claimer, or a moderator)."""
        await interaction.response.defer()
        try:
            await self.desk.release(alert_id, member_of(interaction))
        except EarshotError as exc:
            await self._tell(interaction, desk_text(str(exc)))
            return
        except Exception:
            await self._failed(interaction, alert_id)
            return
        await self.redraw(alert_id, interaction)

    @tracked
    async def choose(self, interaction: discord.Interaction[Any], alert_id: int, value: str) -> None:
        """An outcome picked in the alert's "More outcomes…" menu: recorded as a button would record it."""
        choice = find_choice(value, self.desk.outcome_choices())
        if choice is None:  # a menu drawn before the team's outcomes changed
            await interaction.response.defer()
            await self.redraw(alert_id, interaction)
            await self._tell(interaction, CHOICE_GONE)
            return
        kind, label, _ = choice
        await self.record(interaction, alert_id, kind, label=label)

    @tracked
    async def record(
        self,
        interaction: discord.Interaction[Any],
        alert_id: int,
        kind: OutcomeKind,
        note: str | None = None,
        *,
        label: str | None = None,
    ) -> None:
        """Record an outcome (the claimer or a moderator; anyone for Not relevant)."""
        await interaction.response.defer()
        try:
            outcome = await self.desk.record(alert_id, member_of(interaction), kind, note, label=label)
        except EarshotError as exc:
            await self._tell(interaction, desk_text(str(exc)))
            return
        except Exception:
            await self._failed(interaction, alert_id)
            return
        card = await self.redraw(alert_id, interaction)
        words = outcome_words(outcome.kind, outcome.label)
        if interaction.message is not None and _ref_of(interaction.message) != card.message_ref:
            # Pressed on a follow-up question: close that question instead of leaving live buttons twice.
            await interaction.edit_original_response(
                content=f"Recorded: {words}. Thanks!", view=None, allowed_mentions=NONE
            )
        else:
            await self._tell(interaction, f"Recorded: {words}.")

    # Reactions -------------------------------------------------------------------------------------------------

    @tracked
    async def reaction_added(self, payload: discord.RawReactionActionEvent) -> None:
        """✋ on an alert claims it for whoever reacted (raw events: works on messages from before a restart)."""
        if not self._is_claim(payload) or payload.member is None or payload.member.bot:
            return
        ref = f"{payload.channel_id}:{payload.message_id}"
        alert = await self.desk.alert_for_message(ref, patience=CLAIM_PATIENCE)
        if alert is None:
            return
        channel = self.client.get_channel(payload.channel_id)
        permissions = (
            channel.permissions_for(payload.member)
            if isinstance(channel, discord.abc.GuildChannel)
            else payload.member.guild_permissions
        )
        try:
            result = await self.desk.claim(alert.id, member_from_permissions(payload.member, permissions))
        except EarshotError as exc:
            log.info("reaction claim of alert %d refused: %s", alert.id, exc)
            return
        if result.won:
            await self.redraw(alert.id)
            await self._brief_by_dm(alert.id, payload.member)
        else:
            log.info("alert %d: %s reacted, but %s holds it", alert.id, payload.user_id, result.holder)

    @tracked
    async def reaction_removed(self, payload: discord.RawReactionActionEvent) -> None:
        """Taking ✋ back releases the claim, if the one who took it back holds it."""
        if not self._is_claim(payload):
            return
        alert = await self.desk.alert_for_message(f"{payload.channel_id}:{payload.message_id}")
        if alert is None:
            return
        if alert.claimed_by != str(payload.user_id):
            log.info(
                "alert %d: %s took back ✋, but %s holds the claim; nothing released",
                alert.id,
                payload.user_id,
                alert.claimed_by or "nobody",
            )
            return
        try:
            await self.desk.release(alert.id, Member(id=str(payload.user_id), name=str(payload.user_id)))
        except EarshotError as exc:
            log.info("reaction release of alert %d refused: %s", alert.id, exc)
            return
        await self.redraw(alert.id)

    async def _brief_by_dm(self, alert_id: int, user: discord.abc.Messageable) -> None:
        """A reaction has no interaction to answer privately: the briefing goes as a direct message."""
        briefing = await self.desk.briefing(alert_id)
        if briefing is None:
            return
        try:
            await user.send(briefing_message(briefing), allowed_mentions=NONE)
        except discord.HTTPException as exc:  # DMs closed to server members (403), or Discord failed
            log.info("alert %d: the briefing could not be sent by direct message: %s", alert_id, exc)

    def _is_claim(self, payload: discord.RawReactionActionEvent) -> bool:
        mine = self.client.user is not None and payload.user_id == self.client.user.id
        return not mine and payload.emoji.is_unicode_emoji() and payload.emoji.name == CLAIM_EMOJI

    # Drawing ---------------------------------------------------------------------------------------------------

    async def redraw(self, alert_id: int, interaction: discord.Interaction[Any] | None = None) -> AlertCard:
        """Edit the alert's message to show its card as stored now; returns the card."""
        return await redraw(self.desk, self.client, alert_id, interaction)

    async def _failed(self, interaction: discord.Interaction[Any], alert_id: int) -> None:
        """Our fault (the database is down, a bug): log it, and say so rather than leave the press unanswered."""
        log.exception("alert %d: handling a button press failed", alert_id)
        await self._tell(interaction, PRESS_FAILED)

    async def _tell(self, interaction: discord.Interaction[Any], text: str) -> None:
        """A note for the presser alone; ``text`` is ours (third-party parts already made inert)."""
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NONE)


def desk_text(text: str) -> str:
    """A desk message made inert, with the user ids it quotes (claimers, actors) shown as mentions."""
    return SNOWFLAKE.sub(lambda m: f"<@{m[1]}>", neutralise(text))


def _ref_of(message: discord.Message) -> str:
    return f"{message.channel.id}:{message.id}"
