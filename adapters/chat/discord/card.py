"""An alert's message on Discord, drawn whole from its card (earshot.bot.actions.alert_card): one drawing for the
post, the presses, the reactions and the scheduled refresh, and one redraw that reads the card from storage, so no
path shows less than another (a redraw that skipped the progress line once lost "how it went" after every claim)."""

from __future__ import annotations

import logging
from typing import Any

import discord

from earshot.bot.actions.alert_card import AlertCard, alert_card
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.domain import Alert

from .render import alert_embed
from .views import alert_view, plain_view

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()


def draw(card: AlertCard) -> tuple[discord.Embed, discord.ui.View]:
    """The embed and the components of a card: the one drawing of an alert on Discord."""
    return alert_embed(card), alert_view(card)


def first_card(alert: Alert) -> tuple[discord.Embed, discord.ui.View]:
    """The card an alert is posted with; drawn as little as can be (its id, its buttons) when its content breaks
    the renderer, so that the alert is still delivered and claimable instead of retried for ever."""
    try:
        return draw(alert_card(alert))  # just delivered: nobody has done anything with it yet
    except Exception:
        log.exception("discord: alert %d could not be drawn; posted plainly", alert.id)
    embed = discord.Embed(title=f"Earshot alert {alert.id}", description="It could not be drawn in full; see the logs.")
    return embed, plain_view(alert.id)


def parse_ref(message_ref: str | None) -> tuple[int, int] | None:
    """``"<channel_id>:<message_id>"`` as two ids, or None."""
    if not message_ref:
        return None
    channel, _, message = message_ref.partition(":")
    return (int(channel), int(message)) if channel.isdigit() and message.isdigit() else None


async def redraw(
    desk: ChatActions, client: discord.Client, alert_id: int, interaction: discord.Interaction[Any] | None = None
) -> AlertCard:
    """Edit the alert's message to show its card as stored now; returns the card.

    ``client`` is whichever is at hand (the gateway's for a press, the REST one for a scheduled refresh). Without
    a message reference, the message the press came from is edited instead.
    """
    card = await desk.card(alert_id)
    ref = parse_ref(card.message_ref)
    embed, buttons = draw(card)
    try:
        if ref is not None:
            message = client.get_partial_messageable(ref[0]).get_partial_message(ref[1])
            await message.edit(embed=embed, view=buttons, allowed_mentions=NONE)
        elif interaction is not None:
            await interaction.edit_original_response(embed=embed, view=buttons, allowed_mentions=NONE)
    except discord.HTTPException as exc:
        log.warning("alert %d: could not update its message: %s", alert_id, exc)
    return card
