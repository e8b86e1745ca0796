"""Buttons that survive restarts: each custom_id carries its meaning (``earshot:claim:42``), so a button pressed
on a message posted before the last restart still reaches the right handler. No view state is kept.

The callbacks hand the press to the client's :class:`AlertActions` (``interaction.client.actions``); the
handlers there check who pressed, since Discord buttons have no permission gate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot.domain import Alert, OutcomeKind
from bot.text import clean

from .render import safe_url

if TYPE_CHECKING:
    from .actions import AlertActions

NOTE_MAX = 1000
OUTCOME_BUTTONS = (
    (OutcomeKind.REPLIED, "Replied", discord.ButtonStyle.primary),
    (OutcomeKind.GOT_RESPONSE, "Got a response", discord.ButtonStyle.success),
    (OutcomeKind.LEAD, "Lead", discord.ButtonStyle.success),
    (OutcomeKind.NOT_WORTH_IT, "Not worth it", discord.ButtonStyle.secondary),
)
_OUTCOMES = "|".join(kind.value for kind, _, _ in OUTCOME_BUTTONS)
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


class HasActions(Protocol):
    """The client as the buttons see it."""

    actions: AlertActions


def actions_of(interaction: discord.Interaction[Any]) -> AlertActions:
    """The handlers of the client that received this interaction."""
    client: HasActions = interaction.client
    return client.actions


class ClaimButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"earshot:claim:(?P<alert_id>\d+)"):
    """Claim the alert."""

    def __init__(self, alert_id: int) -> None:
        self.alert_id = alert_id
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Claim",
            emoji="\N{RAISED HAND}",
            style=discord.ButtonStyle.primary,
            custom_id=f"earshot:claim:{alert_id}",
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ClaimButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["alert_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Claim it for whoever pressed."""
        await actions_of(interaction).claim(interaction, self.alert_id)


class ReleaseButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"earshot:release:(?P<alert_id>\d+)"):
    """Give the alert back."""

    def __init__(self, alert_id: int) -> None:
        self.alert_id = alert_id
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Release", style=discord.ButtonStyle.secondary, custom_id=f"earshot:release:{alert_id}"
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReleaseButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["alert_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Release it (the claimer, or a moderator)."""
        await actions_of(interaction).release(interaction, self.alert_id)


class NotRelevantButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"earshot:not_relevant:(?P<alert_id>\d+)"
):
    """Feedback: this alert should not have been posted."""

    def __init__(self, alert_id: int) -> None:
        self.alert_id = alert_id
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Not relevant", style=discord.ButtonStyle.danger, custom_id=f"earshot:not_relevant:{alert_id}"
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NotRelevantButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["alert_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the feedback (anyone may)."""
        await actions_of(interaction).record(interaction, self.alert_id, OutcomeKind.NOT_RELEVANT)


class OutcomeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"earshot:outcome:(?P<kind>{_OUTCOMES}):(?P<alert_id>\d+)",
):
    """Record how joining the conversation went."""

    def __init__(self, alert_id: int, kind: OutcomeKind) -> None:
        self.alert_id = alert_id
        self.kind = kind
        label, style = next((label, style) for k, label, style in OUTCOME_BUTTONS if k is kind)
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=style, custom_id=f"earshot:outcome:{kind.value}:{alert_id}"
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> OutcomeButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["alert_id"]), OutcomeKind(match["kind"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record it (the claimer, or a moderator)."""
        await actions_of(interaction).record(interaction, self.alert_id, self.kind)


class NoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"earshot:note:(?P<alert_id>\d+)"):
    """Open a form to write a note on the alert."""

    def __init__(self, alert_id: int) -> None:
        self.alert_id = alert_id
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Note", emoji="\N{MEMO}", style=discord.ButtonStyle.secondary, custom_id=f"earshot:note:{alert_id}"
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NoteButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["alert_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Answer with the note form (a modal must be the first answer, so no work happens before it)."""
        await interaction.response.send_modal(NoteModal(self.alert_id))


class MoreOutcomesSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"earshot:more:(?P<alert_id>\d+)"):
    """The "More outcomes…" menu of a claimed alert: sign-up, bug report, the team's own outcomes."""

    def __init__(self, alert_id: int, options: Sequence[discord.SelectOption], row: int | None = None) -> None:
        self.alert_id = alert_id
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"earshot:more:{alert_id}", placeholder="More outcomes…", options=list(options)
        )
        super().__init__(select, row=row)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MoreOutcomesSelect:
        """Rebuild the menu from its custom_id (the picked value comes with the interaction)."""
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(int(match["alert_id"]), options)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the picked outcome (the claimer, or a moderator)."""
        values = self.item.values
        if values:
            await actions_of(interaction).choose(interaction, self.alert_id, str(values[0]))


class NoteModal(discord.ui.Modal):
    """A one-field form: what happened, in a few words."""

    note: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
        label="Note", style=discord.TextStyle.paragraph, max_length=NOTE_MAX, custom_id="earshot:note_text"
    )

    def __init__(self, alert_id: int) -> None:
        super().__init__(title="How did it go?", timeout=900, custom_id=f"earshot:note_form:{alert_id}")
        self.alert_id = alert_id

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:  # type: ignore[override]
        """Record the note."""
        await actions_of(interaction).record(interaction, self.alert_id, OutcomeKind.NOTE, note=self.note.value)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    ClaimButton,
    ReleaseButton,
    NotRelevantButton,
    OutcomeButton,
    NoteButton,
    MoreOutcomesSelect,
)
"""Register these with ``client.add_dynamic_items`` so presses after a restart are understood."""


def alert_view(alert: Alert, *, closed: bool = False, choices: Sequence[Choice] = ()) -> discord.ui.View:
    """The buttons under an alert: Claim and Not relevant while free; outcomes, Note and Release once claimed,
    with a menu of the other ``choices`` (``Desk.outcome_choices``) on a row of its own.

    ``closed`` (marked not relevant) leaves only the link to the thread.
    """
    view = discord.ui.View(timeout=None)
    if not closed:
        if alert.claimed_by is None:
            view.add_item(ClaimButton(alert.id))
        else:
            for kind, _, _ in OUTCOME_BUTTONS:
                view.add_item(OutcomeButton(alert.id, kind))
            view.add_item(NoteButton(alert.id))
            view.add_item(ReleaseButton(alert.id))
            options = more_options(choices)
            if options:
                view.add_item(MoreOutcomesSelect(alert.id, options, row=2))  # below the buttons' two rows
        view.add_item(NotRelevantButton(alert.id))
    url = safe_url(alert.conversation.url, LINK_BUTTON_URL_MAX)
    if url is not None:
        view.add_item(discord.ui.Button(label="Open thread", style=discord.ButtonStyle.link, url=url))
    return view


def outcome_view(alert: Alert) -> discord.ui.View:
    """The buttons of a follow-up question: the outcomes and a note."""
    view = discord.ui.View(timeout=None)
    for kind, _, _ in OUTCOME_BUTTONS:
        view.add_item(OutcomeButton(alert.id, kind))
    view.add_item(NoteButton(alert.id))
    return view
