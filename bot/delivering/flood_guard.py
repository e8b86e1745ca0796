"""The flood guard's decisions: how many alerts a channel may still get this hour, and when its digest is due.

Pure functions, time as an argument. A channel is an alert's channel name, None for the default channel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from earshot.bot.domain import Alert

WINDOW = timedelta(hours=1)
"""The cap counts alerts posted to a channel in the hour before now (a sliding window)."""


@dataclass(frozen=True, slots=True)
class FloodPolicy:
    """At most ``max_per_hour`` alerts a channel per ``window`` (0: no cap), the rest in one digest each window."""

    max_per_hour: int = 0
    window: timedelta = WINDOW
    digest_limit: int = 50  # alerts in one digest message; more wait for the next one

    @property
    def enabled(self) -> bool:
        """Whether there is a cap at all."""
        return self.max_per_hour > 0


def room_left(sent_in_window: int, cap: int) -> int | None:
    """How many more alerts the channel may get now: None without a cap, else never below 0."""
    if cap <= 0:
        return None
    return max(0, cap - sent_in_window)


def split_by_cap(
    alerts: Sequence[Alert], sent_in_window: Mapping[str | None, int], cap: int
) -> tuple[list[Alert], list[Alert]]:
    """The alerts to send now and the ones to hold, channel by channel, oldest (lowest id) sent first."""
    if cap <= 0:
        return list(alerts), []
    room = {channel: room_left(count, cap) or 0 for channel, count in sent_in_window.items()}
    send: list[Alert] = []
    hold: list[Alert] = []
    for alert in sorted(alerts, key=lambda a: a.id):
        left = room.get(alert.channel, cap)
        if left > 0:
            send.append(alert)
            room[alert.channel] = left - 1
        else:
            hold.append(alert)
    send.sort(key=lambda a: a.id)
    return send, hold


def digest_due(last_digest_at: datetime | None, sent_in_window: int, now: datetime, policy: FloodPolicy) -> bool:
    """Whether the channel's held alerts go out now: its first digest this window, or the cap has room again."""
    if last_digest_at is None or now - last_digest_at >= policy.window:
        return True
    left = room_left(sent_in_window, policy.max_per_hour)
    return left is None or left > 0  # no cap (any more): nothing should wait
