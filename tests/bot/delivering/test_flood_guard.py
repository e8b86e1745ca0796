"""The flood guard's decisions, table by table: room left, which alerts go now, when a digest is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from earshot.bot.delivering.flood_guard import FloodPolicy, digest_due, room_left, split_by_cap
from earshot.bot.domain import Alert, Conversation

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def alert(alert_id: int, channel: str | None = None) -> Alert:
    item = Conversation("hackernews", str(alert_id), f"https://news.example.com/item?id={alert_id}", "Postgres")
    return Alert(alert_id, "pg", channel, item, ("postgres",), 60, T0)


@pytest.mark.parametrize(
    ("sent", "cap", "left"),
    [(0, 0, None), (50, 0, None), (0, 10, 10), (9, 10, 1), (10, 10, 0), (12, 10, 0)],
)
def test_room_left(sent: int, cap: int, left: int | None) -> None:
    assert room_left(sent, cap) == left


@pytest.mark.parametrize(
    ("alerts", "sent", "cap", "send", "hold"),
    [
        # No cap: everything goes.
        ([alert(1), alert(2)], {None: 100}, 0, [1, 2], []),
        # Room for all.
        ([alert(1), alert(2)], {}, 10, [1, 2], []),
        # Room for some: the oldest go first, whatever the batch order.
        ([alert(3), alert(1), alert(2)], {None: 8}, 10, [1, 2], [3]),
        # A full channel holds everything.
        ([alert(1), alert(2)], {None: 10}, 10, [], [1, 2]),
        # Channels are counted apart; None (the default channel) is one of them.
        ([alert(1, "a"), alert(2, "b"), alert(3, "a"), alert(4)], {"a": 9, "b": 10}, 10, [1, 4], [2, 3]),
        # Over the cap already (it was lowered): nothing more, nothing negative.
        ([alert(1, "a")], {"a": 15}, 10, [], [1]),
    ],
)
def test_split_by_cap(
    alerts: list[Alert], sent: dict[str | None, int], cap: int, send: list[int], hold: list[int]
) -> None:
    sending, holding = split_by_cap(alerts, sent, cap)
    assert [a.id for a in sending] == send
    assert sorted(a.id for a in holding) == hold


HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("last_digest_at", "sent", "cap", "due"),
    [
        (None, 10, 10, True),  # the channel's first digest goes at once
        (T0 - HOUR, 10, 10, True),  # an hour after the last one
        (T0 - HOUR + timedelta(seconds=1), 10, 10, False),  # not sooner while the channel is full
        (T0 - timedelta(minutes=5), 9, 10, True),  # the window has room again
        (T0 - timedelta(minutes=5), 3, 0, True),  # the cap was removed: nothing should wait
    ],
)
def test_digest_due(last_digest_at: datetime | None, sent: int, cap: int, due: bool) -> None:
    assert digest_due(last_digest_at, sent, T0, FloodPolicy(max_per_hour=cap)) is due
