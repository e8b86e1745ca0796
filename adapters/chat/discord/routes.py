"""Every press of an Earshot component, and every note form sent, routed by its custom_id alone.

discord.py matches a press against the message as Discord holds it NOW; a press on an out-of-date message (Claim
on an alert someone has just claimed, Release after a release, a form opened before a restart) would match
nothing and the member would see "This interaction failed". Here the custom_id says what was meant, ChatActions
says whether it can be done, and every press gets an answer: the redrawn message, or a note for the presser
alone saying why not (who holds it, that it is gone, that the button is from another version).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from earshot.bot.actions.alert_card import PRESS_FAILED, PRESS_OUTDATED, Act, action_for
from earshot.bot.actions.claims import may_record
from earshot.bot.domain import OutcomeKind
from earshot.bot.errors import EarshotError

from .actions import AlertActions, desk_text, member_of
from .card import NONE
from .views import CHECK_TEXT, NOTE_TEXT, note_form

log = logging.getLogger(__name__)

PREFIX = "earshot:"

Route = Callable[[AlertActions, discord.Interaction[Any], int, re.Match[str]], Awaitable[None]]
_ALERT = r"(?P<alert_id>\d{1,18})"  # a database id; longer would not fit a BIGINT


async def _pressed(
    actions: AlertActions, interaction: discord.Interaction[Any], alert_id: int, match: re.Match[str]
) -> None:
    """A button of the card (earshot.bot.actions.alert_card): its custom_id is the action's id and the alert's."""
    action = action_for(match["action"])
    if action is None:
        log.info("discord: a press of %r, which this version does not draw; told so", match[0])
        await _say(interaction, PRESS_OUTDATED)
    elif action.act is Act.CLAIM:
        await actions.claim(interaction, alert_id)
    elif action.act is Act.RELEASE:
        await actions.release(interaction, alert_id)
    elif action.act is Act.NOTE:
        await _note(actions, interaction, alert_id)
    elif action.act is Act.NOT_RELEVANT:
        await actions.record(interaction, alert_id, OutcomeKind.NOT_RELEVANT)
    elif action.kind is not None:
        await actions.record(interaction, alert_id, action.kind)


async def _note(actions: AlertActions, interaction: discord.Interaction[Any], alert_id: int) -> None:
    """The note form, unless the note would be refused anyway: then why, at once (a form must be the first
    answer, so this check is the only work before it)."""
    member = member_of(interaction)
    try:
        alert = (await actions.desk.view(alert_id)).alert
    except EarshotError as exc:
        await _say(interaction, desk_text(str(exc)))
        return
    reason = may_record(alert, member.id, OutcomeKind.NOTE, moderator=member.moderator)
    if reason is not None:
        await _say(interaction, desk_text(f"cannot add a note to alert {alert_id}: {reason}"))
        return
    await interaction.response.send_modal(note_form(alert_id))


async def _more(actions: AlertActions, interaction: discord.Interaction[Any], alert_id: int, _: re.Match[str]) -> None:
    values = _data(interaction).get("values") or []
    if not isinstance(values, list) or not values:
        await _say(interaction, "Pick an outcome in the menu.")
        return
    await actions.choose(interaction, alert_id, str(values[0]))


async def _note_form(
    actions: AlertActions, interaction: discord.Interaction[Any], alert_id: int, _: re.Match[str]
) -> None:
    text = _text_input(_data(interaction), NOTE_TEXT).strip()
    if not text:
        await _say(interaction, "The note was empty; nothing was recorded.")
        return
    await actions.record(interaction, alert_id, OutcomeKind.NOTE, note=text)


async def _check_form(
    actions: AlertActions, interaction: discord.Interaction[Any], alert_id: int, _: re.Match[str]
) -> None:
    """A draft sent from `/earshot check`'s form: the checklist, for its writer alone (an ephemeral follow-up)."""
    draft = _text_input(_data(interaction), CHECK_TEXT)
    if actions.desk.drafts is None:
        await _say(interaction, "The reply check is not set up here.")
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    member = member_of(interaction)
    answer = await actions.desk.drafts.check(alert_id, member.id, member.moderator, draft)
    await _say(interaction, desk_text(answer.text))


COMPONENTS: tuple[tuple[re.Pattern[str], Route], ...] = (
    (re.compile(rf"earshot:more:{_ALERT}"), _more),
    (re.compile(rf"(?P<action>earshot:\w+(?::\w+)?):{_ALERT}"), _pressed),
)
"""Every custom_id views.py draws (buttons and the menu), with what a press on it does."""
FORMS: tuple[tuple[re.Pattern[str], Route], ...] = (
    (re.compile(rf"earshot:note_form:{_ALERT}"), _note_form),
    (re.compile(rf"earshot:check_form:{_ALERT}"), _check_form),
)
"""Every form (modal) views.py opens, with what sending it does."""


async def route(actions: AlertActions, interaction: discord.Interaction[Any]) -> bool:
    """Handle ``interaction`` if it is a press of an Earshot component or an Earshot form; False when not ours."""
    if interaction.type is discord.InteractionType.component:
        table = COMPONENTS
    elif interaction.type is discord.InteractionType.modal_submit:
        table = FORMS
    else:
        return False
    custom_id = str(_data(interaction).get("custom_id") or "")
    if not custom_id.startswith(PREFIX):
        return False
    try:
        for pattern, handler in table:
            match = pattern.fullmatch(custom_id)
            if match is not None:
                await handler(actions, interaction, int(match["alert_id"]), match)
                break
        else:
            log.info("discord: a press of %r, which this version does not draw; told so", custom_id)
            await _say(interaction, PRESS_OUTDATED)
    except Exception:
        # Whatever failed, the member hears back rather than see "This interaction failed".
        log.exception("discord: handling %r failed", custom_id)
        await _say(interaction, PRESS_FAILED)
    return True


async def _say(interaction: discord.Interaction[Any], text: str) -> None:
    """A note for the presser alone, as the answer or, once answered, as a follow-up; ``text`` is ours."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NONE)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NONE)
    except discord.HTTPException as exc:  # the token ran out, or Discord is down: nothing more to do
        log.warning("discord: could not answer a press: %s", exc)


def _data(interaction: discord.Interaction[Any]) -> dict[str, Any]:
    """The interaction's data as a plain dict (discord.py types it as a union of TypedDicts)."""
    data: Any = interaction.data
    return data if isinstance(data, dict) else {}


def _text_input(data: dict[str, Any], custom_id: str) -> str:
    """The value of the form's text input ``custom_id``, wherever Discord nests it (action rows or labels)."""
    stack = list(data.get("components") or [])
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("custom_id") == custom_id and isinstance(node.get("value"), str):
            return str(node["value"])
        stack.extend(node.get("components") or [])
        if isinstance(node.get("component"), dict):
            stack.append(node["component"])
    return ""
