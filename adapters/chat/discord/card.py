"""An alert's message on Discord, drawn whole from what is stored: one drawing for the post, the presses, the
reactions and the scheduled refresh, so no path shows less than another (a redraw that skipped the progress
line once lost "how it went" after every claim)."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.desk import AlertView, Desk
from bot.domain import Alert, OutcomeKind

from .render import alert_embed
from .views import Choice, Drawn, alert_view, claim_button, not_relevant_button

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()


def closed(outcomes: tuple[Any, ...], alert: Alert) -> bool:
    """An alert nobody holds that someone marked not relevant keeps only its link."""
    return alert.claimed_by is None and any(o.kind is OutcomeKind.NOT_RELEVANT for o in outcomes)


def card(view: AlertView, choices: list[Choice]) -> tuple[discord.Embed, discord.ui.View]:
    """The embed and the buttons of an alert in the state ``view`` holds."""
    alert = view.alert
    embed = alert_embed(alert, view.outcomes, view.progress)
    return embed, alert_view(alert, closed=closed(view.outcomes, alert), choices=choices)


def first_card(alert: Alert) -> tuple[discord.Embed, discord.ui.View]:
    """The card an alert is posted with; drawn as little as can be (its id, its buttons) when its content breaks
    the renderer, so that the alert is still delivered and claimable instead of retried for ever."""
    try:
        return alert_embed(alert), alert_view(alert)
    except Exception:
        log.exception("discord: alert %d could not be drawn; posted plainly", alert.id)
    embed = discord.Embed(title=f"Earshot alert {alert.id}", description="It could not be drawn in full; see the logs.")
    view = Drawn()
    view.add_item(claim_button(alert.id))
    view.add_item(not_relevant_button(alert.id))
    return embed, view


def parse_ref(message_ref: str | None) -> tuple[int, int] | None:
    """``"<channel_id>:<message_id>"`` as two ids, or None."""
    if not message_ref:
        return None
    channel, _, message = message_ref.partition(":")
    return (int(channel), int(message)) if channel.isdigit() and message.isdigit() else None


async def redraw(
    desk: Desk, client: discord.Client, alert_id: int, interaction: discord.Interaction[Any] | None = None
) -> Alert:
    """Edit the alert's message to show all that is stored about it now; returns the alert.

    ``client`` is whichever is at hand (the gateway's for a press, the REST one for a scheduled refresh). Without
    a message reference, the message the press came from is edited instead.
    """
    view = await desk.view(alert_id)
    alert = view.alert
    ref = parse_ref(alert.message_ref)
    embed, buttons = card(view, desk.outcome_choices())
    try:
        if ref is not None:
            message = client.get_partial_messageable(ref[0]).get_partial_message(ref[1])
            await message.edit(embed=embed, view=buttons, allowed_mentions=NONE)
        elif interaction is not None:
            await interaction.edit_original_response(embed=embed, view=buttons, allowed_mentions=NONE)
    except discord.HTTPException as exc:
        log.warning("alert %d: could not update its message: %s", alert_id, exc)
    return alert
