"""Manners in the report: did the team's replies that helped first get answered more often than those that
promoted? Counts only, and "not enough data yet" until both kinds have enough replies to compare."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from earshot.bot.records import MannersCount, TeamReply

ENOUGH = 5  # replies of each kind before their answer rates are compared


def count_manners(replies: Iterable[TeamReply], until: datetime | None = None) -> MannersCount:
    """The judged replies (promoted known) checked up to ``until``, split into helped first and promoted."""
    helped = helped_answered = promoted = promoted_answered = 0
    for reply in replies:
        if reply.promoted is None or (until is not None and reply.checked_at > until):
            continue
        answered = reply.responses > 0
        if reply.promoted:
            promoted += 1
            promoted_answered += answered
        else:
            helped += 1
            helped_answered += answered
    return MannersCount(helped, helped_answered, promoted, promoted_answered)


def manners_lines(counts: MannersCount | None) -> list[str]:
    """The report's lines on manners; none when they were not counted."""
    if counts is None:
        return []
    c = counts
    if not c.helped and not c.promoted:
        return ["Helped first vs promoted: not enough data yet (no team reply judged in this period)."]
    said = (
        f"Helped first vs promoted: {c.helped} repl{'y' if c.helped == 1 else 'ies'} helped first "
        f"({c.helped_answered} got answers), {c.promoted} named or linked what is ours ({c.promoted_answered} got "
        "answers)"
    )
    if c.helped < ENOUGH or c.promoted < ENOUGH:
        return [f"{said}; not enough data yet to compare (at least {ENOUGH} of each)."]
    helped_rate, promoted_rate = c.helped_answered / c.helped, c.promoted_answered / c.promoted
    if helped_rate > promoted_rate:
        verdict = "replies that helped first got answers more often"
    elif helped_rate < promoted_rate:
        verdict = "replies that promoted got answers more often"
    else:
        verdict = "both got answers as often"
    return [f"{said}: {verdict} ({helped_rate:.0%} against {promoted_rate:.0%})."]
