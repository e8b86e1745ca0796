"""Buttons that survive restarts: each custom_id carries its meaning (``earshot:claim:42``), so a button pressed
on a message posted before the last restart, or drawn before the last redraw, still says what was meant. No view
state is kept: routes.py reads the custom_id of every press and hands it to the client's ``AlertActions``, whose
handlers check who pressed, since Discord buttons have no permission gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.domain import Alert, OutcomeKind
from bot.text import clean

from .render import safe_url

NOTE_MAX = 1000
OUTCOME_BUTTONS = (
    (OutcomeKind.REPLIED, "Replied", discord.ButtonStyle.primary),
    (OutcomeKind.GOT_RESPONSE, "Got a response", discord.ButtonStyle.success),
    (OutcomeKind.LEAD, "Lead", discord.ButtonStyle.success),
    (OutcomeKind.NOT_WORTH_IT, "Not worth it", discord.ButtonStyle.secondary),
)
OPTIONS_MAX = 25  # Discord's limits on a select menu
OPTION_LABEL_MAX = 100
OPTION_VALUE_MAX = 100
LINK_BUTTON_URL_MAX = 512  # Discord refuses a longer URL on a link button (and with it the whole message)
CUSTOM_PREFIX = "custom:"

Choice = tuple[OutcomeKind, str | None, str]
"""An outcome the Desk offers: kind, label (custom ones) and the words to show (``Desk.outcome_choices``)."""


def choice_value(kind: OutcomeKind, label: str | None) -> str:
    """An option's value: the kind (``signup``), or ``custom:<label>`` for a team's own outcome."""
    return CUSTOM_PREFIX + label if kind is OutcomeKind.CUSTOM and label is not None else kind.value


def find_choice(value: str, choices: Sequence[Choice]) -> Choice | None:
    """The offered choice an option's value stands for, or None when it is not offered (any more)."""
    return next((c for c in choices if choice_value(c[0], c[1]) == value), None)


def more_options(choices: Sequence[Choice]) -> list[discord.SelectOption]:
    """The choices the buttons do not show (Not relevant has its own), within Discord's limits.

    Select options are plain text (no markdown, no mentions), so a team's label needs only its controls dropped.
    """
    shown = {kind for kind, _, _ in OUTCOME_BUTTONS} | {OutcomeKind.NOT_RELEVANT}
    options = []
    for kind, label, words in choices:
        value = choice_value(kind, label)
        if kind in shown or len(value) > OPTION_VALUE_MAX:
            continue
        text = clean(words).strip() or value
        text = text if kind is OutcomeKind.CUSTOM else text[:1].upper() + text[1:]
        options.append(discord.SelectOption(label=text[:OPTION_LABEL_MAX], value=value))
    return options[:OPTIONS_MAX]


CLAIM = "earshot:claim:{alert_id}"
RELEASE = "earshot:release:{alert_id}"
NOT_RELEVANT = "earshot:not_relevant:{alert_id}"
OUTCOME = "earshot:outcome:{kind}:{alert_id}"
NOTE = "earshot:note:{alert_id}"
MORE = "earshot:more:{alert_id}"
NOTE_FORM = "earshot:note_form:{alert_id}"
NOTE_TEXT = "earshot:note_text"
"""The custom_ids Earshot draws. Each carries its meaning (which alert, which outcome), so a press on a message
posted before a restart, or drawn before the last redraw, still says what was meant; routes.py reads them."""


class Drawn(discord.ui.View):
    """Components for Discord to show. Presses are routed by their custom_id (routes.py), whatever the message
    shows now, so discord.py's view store must neither keep these views nor dispatch them: it matches a press
    only against the message as it is now, and a press on an out-of-date message would go unanswered."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        """Never: see the class docstring."""
        return False


def _button(label: str, style: discord.ButtonStyle, custom_id: str, emoji: str | None = None) -> discord.ui.Item[Any]:
    return discord.ui.Button(label=label, style=style, custom_id=custom_id, emoji=emoji)


def claim_button(alert_id: int) -> discord.ui.Item[Any]:
    """Claim the alert."""
    return _button("Claim", discord.ButtonStyle.primary, CLAIM.format(alert_id=alert_id), "\N{RAISED HAND}")


def release_button(alert_id: int) -> discord.ui.Item[Any]:
    """Give the alert back (the claimer, or a moderator)."""
    return _button("Release", discord.ButtonStyle.secondary, RELEASE.format(alert_id=alert_id))


def not_relevant_button(alert_id: int) -> discord.ui.Item[Any]:
    """Feedback anyone may give: this alert should not have been posted."""
    return _button("Not relevant", discord.ButtonStyle.danger, NOT_RELEVANT.format(alert_id=alert_id))


def outcome_button(alert_id: int, kind: OutcomeKind) -> discord.ui.Item[Any]:
    """Record how joining the conversation went (one of OUTCOME_BUTTONS)."""
    label, style = next((label, style) for k, label, style in OUTCOME_BUTTONS if k is kind)
    return _button(label, style, OUTCOME.format(kind=kind.value, alert_id=alert_id))


def note_button(alert_id: int) -> discord.ui.Item[Any]:
    """Open the form to write a note on the alert."""
    return _button("Note", discord.ButtonStyle.secondary, NOTE.format(alert_id=alert_id), "\N{MEMO}")


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


def alert_view(alert: Alert, *, closed: bool = False, choices: Sequence[Choice] = ()) -> discord.ui.View:
    """The buttons under an alert: Claim and Not relevant while free; outcomes, Note and Release once claimed,
    with a menu of the other ``choices`` (``Desk.outcome_choices``) on a row of its own.

    ``closed`` (marked not relevant) leaves only the link to the thread.
    """
    view = Drawn()
    if not closed:
        if alert.claimed_by is None:
            view.add_item(claim_button(alert.id))
        else:
            for kind, _, _ in OUTCOME_BUTTONS:
                view.add_item(outcome_button(alert.id, kind))
            view.add_item(note_button(alert.id))
            view.add_item(release_button(alert.id))
            options = more_options(choices)
            if options:
                view.add_item(more_select(alert.id, options, row=2))  # below the buttons' two rows
        view.add_item(not_relevant_button(alert.id))
    url = safe_url(alert.conversation.url, LINK_BUTTON_URL_MAX)
    if url is not None:
        view.add_item(discord.ui.Button(label="Open thread", style=discord.ButtonStyle.link, url=url))
    return view


def outcome_view(alert: Alert) -> discord.ui.View:
    """The buttons of a follow-up question: the outcomes and a note."""
    view = Drawn()
    for kind, _, _ in OUTCOME_BUTTONS:
        view.add_item(outcome_button(alert.id, kind))
    view.add_item(note_button(alert.id))
    return view
