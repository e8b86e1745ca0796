"""Reading a thread for the team's participation, as tables of threads and what they show; the progress line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.bot.domain import Conversation, Outcome, OutcomeKind, Participation, Reply, Thread
from earshot.bot.followup.participation import progress_line, read_participation
from earshot.bot.team_handles import HandleError, fold_handle, parse_handles
from tests.fakes.clock import T0

H = timedelta(hours=1)
POST = Conversation(
    "hackernews",
    "100",
    "https://news.ycombinator.com/item?id=100",
    "Ask HN: Postgres or SQLite?",
    created_at=T0 - 2 * H,
)
TEAM = {"alice": "U1", "bob": "U2"}


def reply(rid: str, author: str, at_hours: float, parent: str = "100", points: int | None = None) -> Reply:
    return Reply(rid, author, "text", T0 + timedelta(hours=at_hours), points=points, parent_id=parent)


def read(*replies: Reply, claimer: str | None = "U1") -> Participation:
    return read_participation(Thread(POST, replies), TEAM, claimer, T0, alert_id=7, after=H, now=T0 + H)


def test_no_team_reply_means_nobody_replied() -> None:
    p = read(reply("1", "carol", 0.5), reply("2", "dave", 0.6, parent="1"))
    assert (p.replied_by, p.replied_at, p.responses, p.votes) == (None, None, 0, None)
    assert (p.alert_id, p.after, p.checked_at) == (7, H, T0 + H)


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        # The claimer replied; two people answered under it (one twice), one more deeper; a stranger's own thread
        # does not count.
        (
            [
                reply("1", "Alice", 0.5, points=4),
                reply("2", "carol", 0.7, parent="1"),
                reply("3", "carol", 0.8, parent="1"),
                reply("4", "dave", 0.9, parent="2"),
                reply("5", "erin", 0.9),
            ],
            ("U1", 0.5, 2, 4),
        ),
        # A teammate replied but not the claimer: the teammate counts.
        ([reply("1", "bob", 0.2), reply("2", "carol", 0.3, parent="1")], ("U2", 0.2, 1, None)),
        # Both replied: the claimer's reply counts first even if later; answers under either count; votes add up.
        (
            [reply("1", "bob", 0.2, points=1), reply("2", "alice", 0.4, points=2), reply("3", "x", 0.5, parent="1")],
            ("U1", 0.4, 1, 3),
        ),
        # A teammate answering a teammate is not a response; a reply from long before the claim does not count.
        ([reply("1", "alice", -5), reply("2", "alice", 0.1), reply("3", "bob", 0.2, parent="2")], ("U1", 0.1, 0, None)),
        # Written shortly before the claim (reply first, claim after) counts.
        ([reply("1", "alice", -0.5)], ("U1", -0.5, 0, None)),
    ],
)
def test_who_replied_when_and_how_many_answered(replies: list[Reply], expected: tuple[object, ...]) -> None:
    p = read(*replies)
    who, hours, responses, votes = expected
    assert p.replied_by == who
    assert p.replied_at == T0 + timedelta(hours=float(hours))  # type: ignore[arg-type]
    assert (p.responses, p.votes) == (responses, votes)


def test_handles_are_folded_per_source() -> None:
    assert fold_handle("mastodon", "@Alice@Hachyderm.io") == "alice@hachyderm.io"
    assert fold_handle("reddit", "u/Alice_B") == "alice_b"
    found = parse_handles(["hackernews=Alice", "mastodon=@alice@hachyderm.io"], "U1", "Alice")
    assert [(h.source, h.handle) for h in found] == [("hackernews", "alice"), ("mastodon", "alice@hachyderm.io")]
    with pytest.raises(HandleError, match="is not source=handle"):
        parse_handles(["alice"], "U1")
    with pytest.raises(HandleError, match="is not a handle on hackernews"):
        parse_handles(["hackernews=al ice"], "U1")


def test_the_progress_line_and_people_winning_over_the_check() -> None:
    p = Participation(7, H, T0 + H, replied_by="U1", replied_at=T0, responses=3, votes=5)
    names = {"U1": "Alice"}
    assert progress_line(p, [], names, T0 - 2 * H) == "Alice replied 2 h after the post · 3 responses · 5 votes"
    one = Participation(7, H, T0 + H, replied_by="U1", replied_at=T0 - 110 * timedelta(minutes=1), responses=1)
    assert progress_line(one, [], {}, T0 - 2 * H) == "U1 replied 10 min after the post · 1 response"
    nothing = Participation(7, H, T0 + H)
    assert progress_line(nothing, [], names, None) == "No reply from the team yet"
    dismissed = [Outcome(7, OutcomeKind.NOT_WORTH_IT, "U1", T0)]
    assert progress_line(p, dismissed, names, T0) == "Marked not worth it"
    talk = [Outcome(7, OutcomeKind.CUSTOM, "U1", T0, label="conference talk")]
    assert progress_line(p, talk, names, T0 - 2 * H).endswith("· recorded: conference talk")
    assert progress_line(nothing, talk, names, None) == "Recorded: conference talk"
