"""The summariser port: an optional language model writing context summaries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from earshot.bot.domain import Conversation, Reply, Summary


class Summariser(Protocol):
    """Writes a context summary with a language model (optional; the extractive summary is the default).

    ``summarise`` gets the item, its replies and the extractive ``draft``, and returns a Summary with method
    "llm". It raises :class:`earshot.bot.errors.SummaryError` when the model gives nothing usable; callers bound it
    with a timeout and fall back to the draft, so it never holds an alert back.
    """

    async def summarise(self, conversation: Conversation, replies: Sequence[Reply], draft: Summary) -> Summary:
        """Summarise one conversation."""
        ...
