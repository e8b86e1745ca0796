"""What the tables say when a value is empty or about to happen: never "in 0s", never a blank where words belong."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.adapters.cli.explain_view import alerts_table
from earshot.adapters.cli.views import feeds_table
from earshot.bot.domain import Feed, FeedState
from tests.fakes.clock import T0


@pytest.mark.parametrize("due_in", [timedelta(0), timedelta(milliseconds=400), timedelta(seconds=-5)])
def test_a_feed_due_within_a_second_is_due_now(due_in: timedelta) -> None:
    state = FeedState(Feed("hn", "hackernews", timedelta(minutes=2)), {}, True, T0 + due_in)
    row = feeds_table([state], T0).splitlines()[1].split()
    assert row[5] == "now" and "0s" not in row


def test_no_alerts_at_all_is_told_apart_from_none_matching_a_filter() -> None:
    assert alerts_table([], "conversations").startswith("no alerts yet")
    assert alerts_table([], "conversations", filtered=True) == "no alerts match"
