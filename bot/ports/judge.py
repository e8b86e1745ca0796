"""The judge port: an optional language model asked whether a matched item is worth joining for a topic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class JudgeAsk:
    """Everything a judge is told, and so everything that leaves the machine when one is asked.

    The topic's meaning as the team wrote it (``topic`` name, ``query``, ``about``, ``accept``), and the item as
    the source gave it: ``title``, ``opening`` (the start of its text, already cut to the configured length),
    ``source`` (the feed kind, and the community when there is one) and ``url``. Nothing else: no author, no
    replies, no team names.
    """

    topic: str
    query: str
    about: str
    accept: str
    title: str
    opening: str
    source: str
    url: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """A judge's answer: whether the item is worth joining (``join``) and why, in one line of plain words.

    ``reason`` is third-party text (the model may repeat the item's words): it is cleaned and cut before it is
    stored, and every chat renders it as it renders feed text.
    """

    join: bool
    reason: str


class Judge(Protocol):
    """Asks a language model for a :class:`Verdict` on one item for one topic.

    ``judge`` raises :class:`earshot.bot.errors.JudgeUnavailable` when the model fails, answers an error or says
    something that is not a verdict. Callers bound it with a timeout, a budget and a cache, and decide the alert
    without it whenever it is unavailable: a judge never loses an alert nor holds one back by failing.
    """

    async def judge(self, ask: JudgeAsk) -> Verdict:
        """The verdict on one item for one topic."""
        ...
