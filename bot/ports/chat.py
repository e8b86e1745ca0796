"""Chat ports: where alerts go, and the chat adapters that listen to people and edit their messages."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from earshot.bot.domain import Alert, Digest, Notice, Progress
from earshot.bot.records import Report


class Chat(Protocol):
    """Where alerts go (console, webhook, Slack, Discord).

    ``send_alert`` returns a reference to the message it posted (a message id, or "" when there is none) and
    raises :class:`earshot.bot.errors.DeliveryError` when the platform did not take it.
    """

    async def send_alert(self, alert: Alert) -> str:
        """Post one alert."""
        ...

    async def send_notice(self, notice: Notice) -> None:
        """Post an operational notice (a feed failing or recovering)."""
        ...

    async def send_digest(self, digest: Digest) -> str:
        """Post the alerts the flood guard held back from one channel as ONE message; return its reference."""
        ...

    async def send_report(self, report: Report, chart_png: bytes | None) -> str:
        """Post a report (the weekly numbers) with its chart, when there is one; return the message reference."""
        ...


@runtime_checkable
class Refresher(Protocol):
    """A chat adapter that shows how a claimed alert is going: edits its message (Slack, Discord) or posts an
    update (console, webhook). Called after an automatic participation check changed what is known."""

    async def refresh(self, alert: Alert, progress: Progress) -> None:
        """Show ``progress`` for ``alert`` (its message was ``alert.message_ref``)."""
        ...


@runtime_checkable
class Listener(Protocol):
    """A chat adapter that also listens to people (reactions, buttons, commands), like Slack and Discord.

    The runner calls ``start`` before it schedules any work and ``stop`` when it shuts down; ``follow_up`` asks
    the claimer of ``alert`` how joining the conversation went (the runner finds the alerts that are due).
    A listener that can edit its messages also implements :class:`Refresher` (a separate port, so that a listener
    without it is still recognised as one).
    """

    async def start(self) -> None:
        """Connect and begin handling events; return once connected."""
        ...

    async def stop(self) -> None:
        """Stop handling events and disconnect."""
        ...

    async def follow_up(self, alert: Alert) -> None:
        """Ask the claimer of ``alert``, next to its message, how it went."""
        ...
