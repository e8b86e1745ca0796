"""The briefing as one use case: a claimed alert and the team's rule settings in, a :class:`Briefing` out.

Chat adapters call :meth:`Briefer.brief` right after a claim is won and render the briefing privately. It reads,
never writes, and never posts anything.
"""

from __future__ import annotations

from earshot.bot.errors import NotFound
from earshot.bot.guest.briefing import Briefing, compose
from earshot.bot.guest.checker import GuestPolicy, PlaceRules, RulesReader
from earshot.bot.guest.rules import cards_for
from earshot.bot.ports import Clock, Store


class Briefer:
    """Briefs whoever claims: the same briefing for every chat."""

    def __init__(self, store: Store, clock: Clock, policy: GuestPolicy, reader: RulesReader | None = None) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy
        self._reader = reader

    async def brief(self, alert_id: int) -> Briefing:
        """The briefing for alert ``alert_id``; NotFound for an unknown alert."""
        async with self._store.unit() as unit:
            alert = await unit.get_alert(alert_id)
        if alert is None:
            raise NotFound(f"there is no alert {alert_id}")
        c = alert.conversation
        place = PlaceRules()
        if self._reader is not None:
            place = await self._reader.rules(c.source, c.community)
        cards = cards_for(
            c.source, c.community, self._policy.rules, place_cards=place.cards, dropped=self._policy.dropped
        )
        notes = (place.note,) if place.note else ()
        return compose(alert, self._clock(), cards, notes=notes)
