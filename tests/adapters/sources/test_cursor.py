"""The newest-first cursor and the shared readers, as tables of inputs and outputs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from earshot.adapters.sources.api import option_flag, option_list, parse_time, quota_wait
from earshot.adapters.sources.cursor import MAX_RECENT_IDS, Page, Window, pause_error, walk
from earshot.bot.domain import Conversation

NOW = datetime.fromtimestamp(1_700_000_000, UTC)


def read(cursor: dict[str, Any], overlap: int, now: int = int(NOW.timestamp())) -> Window:
    return Window.read(cursor, overlap, now=now, source="Test")


def item(external_id: str) -> Conversation:
    return Conversation(source="test", external_id=external_id, url=f"https://example.com/{external_id}", title="t")


@pytest.mark.parametrize(
    "cursor",
    [{}, {"newest": "x"}, {"newest": True, "recent_ids": ["a"]}, {"newest": 5, "recent_ids": "a"}, []],
)
def test_a_malformed_cursor_reads_as_a_first_poll_or_an_empty_seen_set(cursor: Any) -> None:
    window = read(cursor if isinstance(cursor, dict) else {}, 60)
    assert window.seen == frozenset()
    assert window.newest in (None, 5)


def test_next_keeps_ids_inside_the_overlap_and_drops_older_ones() -> None:
    window = read({"newest": 1000, "recent_ids": ["old-in-window", "x"]}, 100)
    cursor = window.next({"x": 1000, "y": 1050, "z": 940}, fallback=0)
    # newest moves to 1050, floor 950: z (940) falls out; ids not seen this time stay while the windows overlap.
    assert cursor == {"newest": 1050, "recent_ids": ["y", "x", "old-in-window"]}


def test_next_forgets_unseen_ids_once_the_window_moved_past_them() -> None:
    window = read({"newest": 1000, "recent_ids": ["gone"]}, 100)
    assert window.next({"new": 2000}, fallback=0) == {"newest": 2000, "recent_ids": ["new"]}


def test_next_on_an_empty_first_poll_uses_the_fallback_and_caps_ids() -> None:
    assert read({}, 60).next({}, fallback=42) == {"newest": 42, "recent_ids": []}
    many = {str(i): 10 for i in range(MAX_RECENT_IDS + 5)}
    assert len(read({}, 60).next(many, fallback=0)["recent_ids"]) == MAX_RECENT_IDS


def test_no_time_counts_as_later_than_the_polls_now() -> None:
    # "far" is dated in the year 9999, "skew" a little ahead of our clock: both count as posted now.
    window = read({"newest": 900, "recent_ids": []}, 100, now=1000)
    cursor = window.next({"far": 253_402_300_799, "skew": 1010, "old": 950}, fallback=0)
    assert cursor == {"newest": 1000, "recent_ids": ["far", "skew", "old"]}
    later = read(cursor, 100, now=1600)
    assert later.floor == 900  # the next poll still looks from that now minus the overlap
    assert [later.wants(i, t) for i, t in [("far", 253_402_300_799), ("new", 1300)]] == [False, True]


def test_a_stored_future_newest_is_read_as_now() -> None:
    window = read({"newest": 253_402_300_799, "recent_ids": ["far"]}, 100, now=1000)
    assert (window.newest, window.floor, window.seen) == (1000, 900, frozenset({"far"}))
    assert window.next({"new": 950}, fallback=0) == {"newest": 1000, "recent_ids": ["new", "far"]}


def test_wants_only_new_ids_inside_the_window() -> None:
    window = read({"newest": 1000, "recent_ids": ["a"]}, 100)
    assert [window.wants(i, t) for i, t in [("a", 1000), ("b", 900), ("c", 899), ("d", 5000)]] == [
        False,
        True,
        False,
        True,
    ]


async def test_walk_stops_at_the_window_and_ignores_pinned_items() -> None:
    pages = {
        1: Page([(item("pinned"), 1), (item("n1"), 1000), (item("n2"), 990)], has_more=True, pinned={"pinned"}),
        2: Page([(item("n3"), 980), (item("old"), 800)], has_more=True),
        3: Page([(item("never"), 700)], has_more=False),
    }
    asked: list[int] = []

    async def fetch(number: int) -> Page:
        asked.append(number)
        return pages[number]

    window = read({"newest": 950, "recent_ids": []}, 100)
    items, times, capped = await walk(fetch, window, max_pages=5, seeding=False)
    assert [i.external_id for i in items] == ["n1", "n2", "n3"]
    assert asked == [1, 2]
    assert not capped
    assert times["old"] == 800

    asked.clear()
    _, _, capped = await walk(fetch, window, max_pages=1, seeding=False)
    assert capped and asked == [1]


def test_pause_error_only_while_the_pause_lasts() -> None:
    assert pause_error({}, NOW, "X") is None
    assert pause_error({"not_before": NOW.timestamp() - 1}, NOW, "X") is None
    error = pause_error({"not_before": NOW.timestamp() + 30}, NOW, "X")
    assert error is not None and error.retry_after == pytest.approx(30)


@pytest.mark.parametrize("ahead", [2 * 86400, 365 * 86400, 253_402_300_799 - NOW.timestamp()])
def test_a_stored_pause_longer_than_a_day_is_no_pause(ahead: float) -> None:
    # No API asks for more (Stack Exchange backoffs are capped at a day, quotas reset daily or hourly): a pause
    # that long would stop the feed for good.
    assert pause_error({"not_before": NOW.timestamp() + ahead}, NOW, "X") is None


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": "1700000060"}, None),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000060"}, 60.0),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1699999000"}, 1.0),  # reset already passed
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"}, 30.0),  # a delay, not an epoch
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "253402300799"}, 86400.0),  # year 9999: a day at most
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e300"}, 86400.0),
        ({"X-RateLimit-Remaining": "0"}, 60.0),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "soon"}, 60.0),
        ({}, None),
    ],
)
def test_quota_wait(headers: dict[str, str], wait: float | None) -> None:
    assert quota_wait(httpx.Headers(headers), NOW) == wait


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-12-10T16:39:44Z", datetime(2023, 12, 10, 16, 39, 44, tzinfo=UTC)),
        ("2013-02-04T15:26:25.977-05:00", datetime(2013, 2, 4, 20, 26, 25, 977000, tzinfo=UTC)),
        ("2024-01-01T00:00:00", datetime(2024, 1, 1, tzinfo=UTC)),
        (1_700_000_000, NOW),
        ("yesterday", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_time(value: object, expected: datetime | None) -> None:
    assert parse_time(value) == expected


def test_option_readers() -> None:
    assert option_list("a; b,a", "x", "ex") == ["a", "b"]
    assert option_list(["a", " b "], "x", "ex") == ["a", "b"]
    with pytest.raises(ValueError, match="x must be a list"):
        option_list([1], "x", "ex")
    assert [option_flag(v, "f") for v in (True, "yes", "0", "False")] == [True, True, False, False]
    with pytest.raises(ValueError, match="true or false"):
        option_flag("maybe", "f")
