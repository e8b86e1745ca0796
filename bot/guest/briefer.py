"""The briefing as one use case: a claimed alert and the team's rule settings in, a :class:`Briefing` out.

Chat adapters call :meth:`Briefer.brief` right after a claim is won and render the briefing privately. It reads,
never writes, and never posts anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from earshot.bot.errors import NotFound
from earshot.bot.guest.briefing import Briefing, Earlier, Manners, compose
from earshot.bot.guest.checker import GuestPolicy, PlaceRules, RulesReader
from earshot.bot.guest.rules import cards_for, community_key
from earshot.bot.ports import Clock, Store
from earshot.bot.records import TeamReply

LOOK_BACK = 200  # the team's latest counted replies in a community that the briefing reads
PERSON_WINDOW = 20  # the claimer's latest judged replies there that their share of promotion is taken over


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
            replies = await unit.team_replies(place=(c.source, c.community), limit=LOOK_BACK)
        place = PlaceRules()
        if self._reader is not None:
            place = await self._reader.rules(c.source, c.community)
        cards = cards_for(
            c.source, c.community, self._policy.rules, place_cards=place.cards, dropped=self._policy.dropped
        )
        notes = (place.note,) if place.note else ()
        earlier = [earlier_of(r) for r in replies if r.alert_id != alert.id]
        manners = manners_of(replies, alert.claimed_by, community_key(c.source, c.community))
        return compose(alert, self._clock(), cards, earlier, manners, notes)


def earlier_of(reply: TeamReply) -> Earlier:
    """A counted team reply as the briefing lists it: the reply's own link where known, else its thread's."""
    return Earlier(
        reply.reply_url or reply.thread_url,
        reply.title,
        reply.member,
        reply.replied_at,
        reply.promoted,
        reply.disclosed,
    )


def manners_of(replies: Sequence[TeamReply], member: str | None, community: str) -> Manners | None:
    """One person's most recent judged replies in a community (newest first, up to ``PERSON_WINDOW``): how many
    promoted; None without a person. Replies checked before manners were recorded are left out."""
    if member is None:
        return None
    judged = [r for r in replies if r.member == member and r.promoted is not None][:PERSON_WINDOW]
    return Manners(community, len(judged), sum(1 for r in judged if r.promoted))
