"""The reply check as one use case: a stored alert's thread and community, the team's settings, a draft in.

Chat adapters and the CLI call :meth:`ReplyChecker.check` and render the :class:`Checked` their own way. It reads,
never writes, and never posts anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from earshot.bot.domain import Alert
from earshot.bot.errors import EarshotError, NotFound
from earshot.bot.guest.asked import Asked
from earshot.bot.guest.check import Checklist, check_reply
from earshot.bot.guest.ours import Ours, ours_for
from earshot.bot.guest.rules import NO_GENERATED, RuleCard, asking, cards_for
from earshot.bot.ports import Store
from earshot.bot.ports.meaning import Embedder

MAX_DRAFT = 40_000  # characters; a draft longer than this is not a reply


class EmptyDraft(EarshotError):
    """The draft has no text to check."""


@dataclass(frozen=True)
class PlaceRules:
    """A place's own rule cards (a subreddit's), and a note when they could not be read."""

    cards: tuple[RuleCard, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Advice:
    """An advisor's suggestions to improve a draft (never a whole reply), and a note when it had none to give."""

    suggestions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class Advisor(Protocol):
    """Suggests how a draft could answer the ask more clearly and say less about us (an LLM, off by default).

    Never raises for a model that is slow, down or over its budget: it says so in a note instead.
    """

    async def suggest(self, asked: Asked, draft: str, checklist: Checklist) -> Advice:
        """A few short suggestions for ``draft`` as a reply to ``asked``, knowing what the check found."""
        ...


class RulesReader(Protocol):
    """Reads a place's own rules (a subreddit's), cached by the reader; never raises for a place it cannot read."""

    async def rules(self, source: str, community: str | None) -> PlaceRules:
        """The place's cards, or none and a note saying why the site-wide cards stand alone."""
        ...


@dataclass(frozen=True)
class GuestPolicy:
    """What counts as ours (the team's, each person's) and the team's rule cards, from the settings."""

    ours: Ours = field(default_factory=Ours)
    people: Mapping[str, Ours] = field(default_factory=dict)
    rules: tuple[RuleCard, ...] = ()
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checked:
    """The checklist for a draft, the alert it answers, and notes on how the rules were read."""

    alert: Alert
    checklist: Checklist
    notes: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()  # an LLM's hints to improve the draft, when the team turned that on


class ReplyChecker:
    """Checks drafts against stored alerts' threads; the same for every chat and the CLI."""

    def __init__(
        self,
        store: Store,
        policy: GuestPolicy,
        reader: RulesReader | None = None,
        embedder: Embedder | None = None,
        advisor: Advisor | None = None,
    ) -> None:
        self._store = store
        self._policy = policy
        self._reader = reader
        self._embedder = embedder  # reads whether the asker's points are answered in meaning; words alone without
        self._advisor = advisor  # an LLM's suggestions, when the team turned them on

    async def check(
        self, alert_id: int, draft: str, *, member: str | None = None, earlier: Sequence[str] = ()
    ) -> Checked:
        """The checklist for ``draft`` as a reply to alert ``alert_id``'s thread, as ``member`` would post it.

        Raises NotFound for an unknown alert and EmptyDraft for a blank draft. ``earlier`` are the team's earlier
        replies, when the caller has them (the participation checks do not keep their text).
        """
        if not draft.strip():
            raise EmptyDraft("the draft is empty; paste the reply you mean to post")
        if len(draft) > MAX_DRAFT:
            raise EmptyDraft(f"the draft is {len(draft)} characters; a reply is under {MAX_DRAFT}")
        async with self._store.unit() as unit:
            alert = await unit.get_alert(alert_id)
        if alert is None:
            raise NotFound(f"no alert {alert_id}; `earshot alerts list` shows the stored ones")
        conversation = alert.conversation
        said = alert.summary.said if alert.summary is not None else ()
        asked = Asked(conversation.title, conversation.text, tuple(said))
        place = PlaceRules()
        if self._reader is not None:
            place = await self._reader.rules(conversation.source, conversation.community)
        cards = cards_for(
            conversation.source,
            conversation.community,
            self._policy.rules,
            place_cards=place.cards,
            dropped=self._policy.dropped,
        )
        ours = ours_for(self._policy.ours, self._policy.people, member)
        checklist = check_reply(
            draft, asked, source=conversation.source, cards=cards, ours=ours, earlier=earlier, embedder=self._embedder
        )
        notes: tuple[str, ...] = (place.note,) if place.note else ()
        if not ours:
            notes += ("nothing counts as ours yet: set [ours] products and domains to check mentions and links",)
        suggestions: tuple[str, ...] = ()
        if self._advisor is not None:
            if asking(cards, NO_GENERATED):
                notes += ("no LLM suggestions here: this community bans generated text",)
            else:
                advice = await self._advisor.suggest(asked, draft, checklist)
                suggestions, notes = advice.suggestions, notes + advice.notes
        return Checked(alert, checklist, notes, suggestions)
