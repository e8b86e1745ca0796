"""Progress on a claimed alert, stored the way the participation checker stores it, for redraw tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Participation

CHECKER = "participation-checker"


async def thread_read(store: SqlStore, alert_id: int, now: datetime, replied_by: str, responses: int = 3) -> None:
    """A check of the claimed alert's thread that found ``replied_by``'s reply with ``responses`` answers."""
    async with store.unit() as unit:
        await unit.plan_checks(now, [timedelta(hours=1)], ["hackernews"], now - timedelta(days=365))
        checks = await unit.lease_checks(now + timedelta(days=1), CHECKER, timedelta(minutes=5), 100)
        check = next(c for c in checks if c.alert.id == alert_id)
        found = Participation(alert_id, check.after, now, replied_by, now, responses)
        await unit.finish_check(check.id, CHECKER, found)
