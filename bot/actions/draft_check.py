"""`/earshot check` in chat: which alert a draft answers, who may check it, and the checklist as an Answer.

The chat adapters open a form for the draft and hand what is typed in here; the answer is always private (the
person who asked, alone) and nothing is posted anywhere. Who may check: the alert's claimer, or a moderator (who
may already act on others' claims). An alert nobody holds is claimed first, so the team knows who is replying.
Without an alert id, the check is about the asker's most recently claimed open alert.
"""

from __future__ import annotations

from dataclasses import dataclass

from earshot.bot.actions.answer import Answer, refused
from earshot.bot.domain import Alert
from earshot.bot.errors import EarshotError, NotAllowed, NotFound
from earshot.bot.guest.checker import ReplyChecker
from earshot.bot.guest.text import checklist_text
from earshot.bot.ports import Store

CLAIMS_LOOKED_AT = 50  # open claims read to find the latest one
USAGE = "check [ALERT_ID], e.g. check 42 (without an id: your latest claimed alert)"


class NoCheck(EarshotError):
    """The reply check is not set up in this process."""


@dataclass(frozen=True)
class Target:
    """The alert a draft will be checked against, as the form shows it."""

    alert_id: int
    title: str


class DraftCheck:
    """The reply check as chat offers it: choose the alert, check who asks, run the checker."""

    def __init__(self, store: Store, checker: ReplyChecker) -> None:
        self._store = store
        self._checker = checker

    async def target(self, member_id: str, moderator: bool, alert_text: str | None) -> Target:
        """The alert a member's ``/earshot check [ALERT_ID]`` is about; NotFound or NotAllowed says why not."""
        if alert_text:
            if not alert_text.isdigit() or len(alert_text) > 18:
                raise NotFound(f"{alert_text!r} is not an alert id. Write it as: {USAGE}")
            async with self._store.unit() as unit:
                alert = await unit.get_alert(int(alert_text))
            if alert is None:
                raise NotFound(f"no alert {alert_text}")
        else:
            async with self._store.unit() as unit:
                held = await unit.open_claims(member_id, CLAIMS_LOOKED_AT)
            if not held:
                raise NotFound("you hold no open claim: claim the alert first, or give its id (check 42)")
            alert = max(held, key=lambda a: (a.claimed_at is not None, a.claimed_at, a.id))
        allowed(alert, member_id, moderator)
        return Target(alert.id, alert.conversation.title)

    async def check(self, alert_id: int, member_id: str, moderator: bool, draft: str) -> Answer:
        """The checklist for ``draft`` as the member's reply to ``alert_id``, as a private answer; a refusal (not
        the claimer any more, an empty draft, the alert gone) is answered too, never raised."""
        try:
            async with self._store.unit() as unit:
                alert = await unit.get_alert(alert_id)
            if alert is None:
                raise NotFound(f"no alert {alert_id}")
            allowed(alert, member_id, moderator)
            checked = await self._checker.check(alert_id, draft, member=member_id)
        except EarshotError as exc:
            return refused(exc)
        return Answer(checklist_text(checked, width=None))


def allowed(alert: Alert, member_id: str, moderator: bool) -> None:
    """Raise NotAllowed unless ``member_id`` holds the alert's claim or is a moderator."""
    if moderator or alert.claimed_by == member_id:
        return
    if alert.claimed_by is None:
        raise NotAllowed(f"alert {alert.id} is not claimed: claim it first, then check your draft")
    raise NotAllowed(f"alert {alert.id} is claimed by {alert.claimed_by}: only they (or a moderator) may check a draft")
