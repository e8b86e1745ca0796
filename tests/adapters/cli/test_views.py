"""What the tables say when a value is empty or about to happen: never "in 0s", never a blank where words belong."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from earshot.adapters.cli.explain_view import alerts_table, explanation
from earshot.adapters.cli.views import feeds_table
from earshot.bot.domain import Conversation, Feed, FeedState, Topic
from earshot.bot.finding.explain import Explanation, explain_item, thread_line
from earshot.bot.finding.scoring import ScoringPolicy
from earshot.bot.ports import StoredConversation
from tests.fakes.clock import T0


@pytest.mark.parametrize("due_in", [timedelta(0), timedelta(milliseconds=400), timedelta(seconds=-5)])
def test_a_feed_due_within_a_second_is_due_now(due_in: timedelta) -> None:
    state = FeedState(Feed("hn", "hackernews", timedelta(minutes=2)), {}, True, T0 + due_in)
    row = feeds_table([state], T0).splitlines()[1].split()
    assert row[5] == "now" and "0s" not in row


def test_no_alerts_at_all_is_told_apart_from_none_matching_a_filter() -> None:
    assert alerts_table([], "conversations").startswith("no alerts yet")
    assert alerts_table([], "conversations", filtered=True) == "no alerts match"


def test_explain_shows_the_thread_state_when_the_source_or_title_gives_one() -> None:
    closed = Conversation(
        "github", "octo/widgets#1", "https://github.com/octo/widgets/issues/1", "Crash on empty config", state="closed"
    )
    stored = StoredConversation(7, closed, "gh", T0)
    topic = Topic("widgets", "crash")
    _, verdicts = explain_item(stored, [topic], ScoringPolicy())
    shown = explanation(Explanation(stored, "en", verdicts, (), None, thread_line(closed)), "general")
    assert "thread closed on GitHub" in shown.splitlines()[3]
    assert " -60  closed on GitHub (state)" in shown
    open_ = replace(closed, state=None)
    plain = explanation(Explanation(StoredConversation(7, open_, "gh", T0), "en", (), ()), "general")
    assert "thread" not in plain.splitlines()[3]
