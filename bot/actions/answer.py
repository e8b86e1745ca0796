"""What a chat command answers: plain text for the asker, or for the channel too."""

from __future__ import annotations

from dataclasses import dataclass

from earshot.bot.domain import Alert
from earshot.bot.errors import EarshotError, InvalidQuery

TOPIC_EXAMPLE = 'topic add vector-db "vector database" OR pgvector #search'


@dataclass(frozen=True, slots=True)
class Answer:
    """A reply to a command: plain text (adapters escape it), for the asker only unless ``public``."""

    text: str
    public: bool = False
    ok: bool = True
    alerts: tuple[Alert, ...] = ()  # listed as links after the text


def refused(error: EarshotError) -> Answer:
    """The answer to a command that could not be done: the reason, and an example where one helps."""
    text = str(error)
    if isinstance(error, InvalidQuery):
        text = f"{error.reason} (at character {error.position + 1} of {error.query!r}). Example: {TOPIC_EXAMPLE}"
    return Answer(text, ok=False)
