"""Manners in the report: replies that helped first against replies that promoted, counts and answers, and
"not enough data yet" until both kinds have enough replies."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.followup.manners import ENOUGH, count_manners, manners_lines
from earshot.bot.followup.reports import build_report
from earshot.bot.followup.stats import report_text
from earshot.bot.records import MannersCount, TeamReply
from tests.bot.guest.test_briefer import lobsters_alert, replied
from tests.fakes.clock import T0

H = timedelta(hours=1)


def team_reply(n: int, promoted: bool | None, responses: int, checked: timedelta = H) -> TeamReply:
    return TeamReply(
        n, "lobsters", None, f"https://lobste.rs/s/s{n}", f"T{n}", "U1", T0, T0 + checked, responses, None, promoted
    )


def test_count_manners_splits_judged_replies_and_leaves_out_unjudged_and_later_ones() -> None:
    replies = [
        team_reply(1, False, 2),
        team_reply(2, False, 0),
        team_reply(3, True, 1),
        team_reply(4, None, 5),  # checked before manners were recorded
        team_reply(5, True, 3, checked=30 * H),  # after the period
    ]
    assert count_manners(replies, until=T0 + 2 * H) == MannersCount(2, 1, 1, 1)
    assert count_manners(replies) == MannersCount(2, 1, 2, 2)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (None, []),
        (MannersCount(), ["Helped first vs promoted: not enough data yet (no team reply judged in this period)."]),
        (
            MannersCount(1, 1, 0, 0),
            [
                "Helped first vs promoted: 1 reply helped first (1 got answers), 0 named or linked what is ours "
                f"(0 got answers); not enough data yet to compare (at least {ENOUGH} of each)."
            ],
        ),
        (
            MannersCount(8, 6, 5, 1),
            [
                "Helped first vs promoted: 8 replies helped first (6 got answers), 5 named or linked what is ours "
                "(1 got answers): replies that helped first got answers more often (75% against 20%)."
            ],
        ),
        (
            MannersCount(5, 1, 5, 4),
            [
                "Helped first vs promoted: 5 replies helped first (1 got answers), 5 named or linked what is ours "
                "(4 got answers): replies that promoted got answers more often (20% against 80%)."
            ],
        ),
        (
            MannersCount(5, 2, 10, 4),
            [
                "Helped first vs promoted: 5 replies helped first (2 got answers), 10 named or linked what is ours "
                "(4 got answers): both got answers as often (40% against 40%)."
            ],
        ),
    ],
)
def test_manners_lines(counts: MannersCount | None, expected: list[str]) -> None:
    assert manners_lines(counts) == expected


async def test_the_report_counts_the_teams_judged_replies_of_its_period(store: MemoryStore) -> None:
    ids = [await lobsters_alert(store, n) for n in range(1, 4)]
    for alert_id, promoted in zip(ids, [False, True, None], strict=True):
        await replied(store, alert_id, "U1", promoted)
    report = await build_report(store, T0 - 30 * H, T0 + 30 * H, "Earshot weekly report")
    assert report.manners == MannersCount(1, 1, 1, 1)
    assert (
        report_text(report)
        .splitlines()[-1]
        .startswith("Helped first vs promoted: 1 reply helped first (1 got answers), 1 named or linked what is ours")
    )
    before = await build_report(store, T0 - 30 * H, T0 - 20 * H, "Earlier")
    assert before.manners == MannersCount() and "Helped first" not in report_text(before)  # no alerts: no line
