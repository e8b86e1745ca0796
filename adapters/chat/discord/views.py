"""Buttons that survive restarts: each custom_id carries its meaning (``earshot:claim:42``), so a button pressed
on a message posted before the last restart, or drawn before the last redraw, still says what was meant. No view
state is kept: routes.py reads the custom_id of every press and hands it to the client's ``AlertActions``, whose
handlers check who pressed, since Discord buttons have no permission gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from earshot.bot.actions.alert_card import FOLLOW_UP_ACTIONS, FREE_ACTIONS, OUTCOMES, Act, Action, AlertCard, Choice
from earshot.bot.domain import Alert, OutcomeKind
from earshot.bot.text import clean

from .render import safe_url

NOTE_MAX = 1000
STYLES = {
    Act.CLAIM: discord.ButtonStyle.primary,
    Act.RELEASE: discord.ButtonStyle.secondary,
    Act.NOT_RELEVANT: discord.ButtonStyle.danger,
    Act.NOTE: discord.ButtonStyle.secondary,
}
OUTCOME_STYLES = {
    OutcomeKind.REPLIED: discord.ButtonStyle.primary,
    OutcomeKind.GOT_RESPONSE: discord.ButtonStyle.success,
    OutcomeKind.LEAD: discord.ButtonStyle.success,
    OutcomeKind.NOT_WORTH_IT: discord.ButtonStyle.secondary,
}
EMOJI = {Act.CLAIM: "\N{RAISED HAND}", Act.NOTE: "\N{MEMO}"}
LABELS = {Act.NOTE: "Note"}  # Discord's rows hold five buttons: a short label, with its emoji
OPTIONS_MAX = 25  # Discord's limits on a select menu
OPTION_LABEL_MAX = 100
OPTION_VALUE_MAX = 100
LINK_BUTTON_URL_MAX = 512  # Discord refuses a longer URL on a link button (and with it the whole message)


def more_options(menu: Sequence[tuple[OutcomeKind, str | None, str]]) -> list[discord.SelectOption]:
    """A card's menu within Discord's limits, less Not relevant (a button of its own here).

    Select options are plain text (no markdown, no mentions), so a team's label needs only its controls dropped.
    """
    shown = {action.kind for action in OUTCOMES} | {OutcomeKind.NOT_RELEVANT}
    options = []
    for choice in map(Choice._make, menu):
        if choice.kind in shown or len(choice.value) > OPTION_VALUE_MAX:
            continue
        options.append(
            discord.SelectOption(
                label=(clean(choice.title).strip() or choice.value)[:OPTION_LABEL_MAX], value=choice.value
            )
        )
    return options[:OPTIONS_MAX]


MORE = "earshot:more:{alert_id}"
NOTE_FORM = "earshot:note_form:{alert_id}"
NOTE_TEXT = "earshot:note_text"
"""The custom_ids of the menu and the note form. A button's is its card action's id and the alert's
(``earshot:claim:42``): each carries its meaning, so a press on a message posted before a restart, or drawn before
the last redraw, still says what was meant; routes.py reads them."""


class Drawn(discord.ui.View):
    """Components for Discord to show. Presses are routed by their custom_id (routes.py), whatever the message
    shows now, so discord.py's view store must neither keep these views nor dispatch them: it matches a press
    only against the message as it is now, and a press on an out-of-date message would go unanswered."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        """Never: see the class docstring."""
        return False


def action_button(action: Action, alert_id: int) -> discord.ui.Item[Any]:
    """An action of the card as a button; its custom_id is the action's id and the alert's."""
    style = OUTCOME_STYLES[action.kind] if action.kind is not None else STYLES[action.act]
    return discord.ui.Button(
        label=LABELS.get(action.act, action.label),
        style=style,
        custom_id=f"{action.id}:{alert_id}",
        emoji=EMOJI.get(action.act),
    )


def more_select(alert_id: int, options: Sequence[discord.SelectOption], row: int | None = None) -> discord.ui.Item[Any]:
    """The "More outcomes…" menu of a claimed alert: sign-up, bug report, the team's own outcomes."""
    return discord.ui.Select(
        custom_id=MORE.format(alert_id=alert_id), placeholder="More outcomes…", options=list(options), row=row
    )


def note_form(alert_id: int) -> discord.ui.Modal:
    """A one-field form: what happened, in a few words. Its submission is routed by custom_id (routes.py), so it
    is recorded even by a process that did not open the form."""
    form = discord.ui.Modal(title="How did it go?", timeout=900, custom_id=NOTE_FORM.format(alert_id=alert_id))
    form.add_item(
        discord.ui.TextInput(label="Note", style=discord.TextStyle.paragraph, max_length=NOTE_MAX, custom_id=NOTE_TEXT)
    )
    return form


CHECK_FORM = "earshot:check_form:{alert_id}"
CHECK_TEXT = "earshot:check_text"
CHECK_MAX = 4000  # Discord's longest text input


def check_form(alert_id: int, title: str) -> discord.ui.Modal:
    """`/earshot check`'s form: the draft reply, in one paragraph input. Routed by custom_id (routes.py); the
    checklist comes back to its writer alone."""
    form = discord.ui.Modal(
        title=f"Check a draft for alert {alert_id}"[:45], timeout=1800, custom_id=CHECK_FORM.format(alert_id=alert_id)
    )
    form.add_item(
        discord.ui.TextInput(
            label="Your draft reply (only you see the checklist)"[:45],
            style=discord.TextStyle.paragraph,
            placeholder=clean(title)[:100] or None,
            max_length=CHECK_MAX,
            custom_id=CHECK_TEXT,
        )
    )
    return form


def alert_view(card: AlertCard) -> discord.ui.View:
    """A card's actions as components: Claim and Not relevant while free; outcomes, Note, Release and Not relevant
    once claimed, with the menu on a row of its own; a closed card only the link to the thread."""
    view = Drawn()
    for action in card.actions:
        view.add_item(action_button(action, card.alert_id))
    options = more_options(card.menu)
    if options:
        view.add_item(more_select(card.alert_id, options, row=2))  # below the buttons' two rows
    url = safe_url(card.url, LINK_BUTTON_URL_MAX)
    if url is not None:
        view.add_item(discord.ui.Button(label="Open thread", style=discord.ButtonStyle.link, url=url))
    return view


def plain_view(alert_id: int) -> discord.ui.View:
    """The buttons of an alert drawn plainly (its content broke the renderer): it can still be claimed."""
    view = Drawn()
    for action in FREE_ACTIONS:
        view.add_item(action_button(action, alert_id))
    return view


def outcome_view(alert: Alert) -> discord.ui.View:
    """The buttons of a follow-up question: the outcomes and a note (releasing is on the alert's message)."""
    view = Drawn()
    for action in FOLLOW_UP_ACTIONS:
        if action.act is not Act.RELEASE:
            view.add_item(action_button(action, alert.id))
    return view
