"""Who of the team took part in a thread, and how it went: a pure reading of a thread, and its one-line summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from earshot.bot.domain import Outcome, OutcomeKind, Participation, Reply, Thread
from earshot.bot.team_handles import fold_handle

CLAIM_GRACE = timedelta(hours=1)
"""A reply written shortly before the claim counts: people often reply first and press Claim after."""

REPLY_KINDS = frozenset(
    {
        OutcomeKind.REPLIED,
        OutcomeKind.GOT_RESPONSE,
        OutcomeKind.LEAD,
        OutcomeKind.SIGNUP,
        OutcomeKind.BUG_REPORT,
        OutcomeKind.CUSTOM,
    }
)
"""Outcomes that say the claimer joined the conversation."""
RESPONSE_KINDS = frozenset({OutcomeKind.GOT_RESPONSE, OutcomeKind.LEAD, OutcomeKind.SIGNUP, OutcomeKind.BUG_REPORT})
"""Outcomes that say someone answered."""
NEGATIVE_KINDS = frozenset({OutcomeKind.NOT_WORTH_IT, OutcomeKind.NOT_RELEVANT})
"""Outcomes that say nobody joined: they win over what a check found."""


def read_participation(
    thread: Thread,
    team: Mapping[str, str],
    claimer: str | None,
    claimed_at: datetime | None,
    *,
    alert_id: int = 0,
    after: timedelta = timedelta(0),
    now: datetime,
    judge: Callable[[str, str], tuple[bool | None, bool | None]] | None = None,
) -> Participation:
    """What ``thread`` shows of the team: ``team`` maps folded handles on the thread's source to member ids.

    The claimer's first reply counts before any other teammate's; replies from well before the claim do not
    count. ``responses`` is how many other people replied under the team's replies, ``votes`` the points of the
    team's replies (None when the source shows no points). ``judge`` (reply text, member id) says whether the
    counted reply promoted what is ours and disclosed how we are connected; without it, neither is recorded.
    """
    source = thread.conversation.source
    earliest = claimed_at - CLAIM_GRACE if claimed_at is not None else None
    ours: list[tuple[Reply, str]] = []
    for reply in thread.replies:
        member = team.get(fold_handle(source, reply.author)) if reply.author else None
        if member is None:
            continue
        if earliest is not None and reply.created_at is not None and reply.created_at < earliest:
            continue
        ours.append((reply, member))
    if not ours:
        return Participation(alert_id, after, now)
    first = _first(ours, claimer)
    ids = {reply.external_id for reply, _ in ours}
    answering = _answering(thread.replies, ids, team, source)
    votes = [reply.points for reply, _ in ours if reply.points is not None]
    promoted, disclosed = judge(first[0].text, first[1]) if judge is not None else (None, None)
    return Participation(
        alert_id,
        after,
        now,
        replied_by=first[1],
        replied_at=first[0].created_at,
        responses=answering,
        votes=sum(votes) if votes else None,
        reply_url=first[0].url,
        promoted=promoted,
        disclosed=disclosed,
    )


def _first(ours: Sequence[tuple[Reply, str]], claimer: str | None) -> tuple[Reply, str]:
    """The claimer's earliest reply, or else the team's earliest."""
    mine = [pair for pair in ours if pair[1] == claimer] or list(ours)
    # Replies without a time sort last, in the thread's order.
    return min(mine, key=lambda pair: (pair[0].created_at is None, pair[0].created_at or datetime.min))


def _answering(replies: Sequence[Reply], ours: set[str], team: Mapping[str, str], source: str) -> int:
    """How many people other than the team replied somewhere under one of the team's replies."""
    parent = {r.external_id: r.parent_id for r in replies}
    people: set[str] = set()
    for reply in replies:
        if reply.external_id in ours:
            continue
        if reply.author and fold_handle(source, reply.author) in team:
            continue
        node, seen = reply.parent_id, 0
        while node is not None and seen < len(replies):
            if node in ours:
                people.add(fold_handle(source, reply.author) if reply.author else f"#{reply.external_id}")
                break
            node, seen = parent.get(node), seen + 1
    return len(people)


def settled_by_people(outcomes: Sequence[Outcome]) -> OutcomeKind | None:
    """The latest outcome people recorded that says how it went (notes aside), or None."""
    said = [o.kind for o in outcomes if o.kind is not OutcomeKind.NOTE]
    return said[-1] if said else None


def _span(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def progress_line(
    participation: Participation | None,
    outcomes: Sequence[Outcome],
    names: Mapping[str, str],
    posted_at: datetime | None,
) -> str:
    """How it is going in one line: "Alice replied 2 h after the post · 3 responses · 5 votes".

    What people recorded wins over the automatic check: "not worth it" stays that, whatever the thread shows.
    """
    said = settled_by_people(outcomes)
    if said in NEGATIVE_KINDS:
        return "Marked " + said.value.replace("_", " ") if said else ""
    p = participation
    if p is None or p.replied_by is None:
        if said is not None:
            return f"Recorded: {_kind_words(outcomes)}"
        return "No reply from the team yet" if p is not None else ""
    who = names.get(p.replied_by, p.replied_by)
    when = ""
    if p.replied_at is not None:
        when = f" {_span(p.replied_at - posted_at)} after the post" if posted_at else ""
    parts = [f"{who} replied{when}"]
    parts.append({0: "no responses yet", 1: "1 response"}.get(p.responses, f"{p.responses} responses"))
    if p.votes is not None:
        parts.append("1 vote" if p.votes == 1 else f"{p.votes} votes")
    if said is not None:
        parts.append(f"recorded: {_kind_words(outcomes)}")
    return " · ".join(parts)


def _kind_words(outcomes: Sequence[Outcome]) -> str:
    words = []
    for o in outcomes:
        if o.kind is OutcomeKind.NOTE:
            continue
        word = o.label if o.kind is OutcomeKind.CUSTOM and o.label else o.kind.value.replace("_", " ")
        if word not in words:
            words.append(word)
    return ", ".join(words)
