"""[participation], [outcomes], [report], [claims] and [[team]]: typed values, defaults and clear errors."""

from __future__ import annotations

from datetime import time, timedelta

from earshot.bot.domain import Handle
from earshot.bot.followup.report_schedule import Weekly

from .conftest import Load, Problems

GOOD = """
[participation]
checks = ["7d", "1h", "1d", "1h"]

[outcomes]
custom = ["conference talk", "partnership"]

[report]
weekly = "Fri 16:30"
timezone = "Europe/Paris"

[claims]
release_after = "2d"

[[team]]
member = "U024BE7LH"
name = "Alice"
handles = { hackernews = "Alice", mastodon = "@alice@hachyderm.io" }

[[team]]
member = "80351110224678912"
handles = { reddit = "u/bob_r" }
"""


def test_the_sections_become_typed_settings(load: Load) -> None:
    settings = load(GOOD).how_it_went
    assert settings.checks == (timedelta(hours=1), timedelta(days=1), timedelta(days=7))
    assert settings.custom_outcomes == ("conference talk", "partnership")
    assert settings.weekly == Weekly(4, time(16, 30), "Europe/Paris")
    assert settings.release_after == timedelta(days=2)
    assert settings.team == (
        Handle("U024BE7LH", "hackernews", "alice", "Alice"),
        Handle("U024BE7LH", "mastodon", "alice@hachyderm.io", "Alice"),
        Handle("80351110224678912", "reddit", "bob_r", None),
    )


def test_the_defaults_and_the_weekly_report_off_unless_asked_for(load: Load) -> None:
    settings = load('[chat]\nchannel = "c"\n').how_it_went
    assert settings.checks == (timedelta(hours=1), timedelta(days=1), timedelta(days=7))
    assert (settings.weekly, settings.release_after, settings.team) == (None, timedelta(days=3), ())
    assert load('[report]\nweekly = "mon 09:00"\n').how_it_went.weekly == Weekly(0, time(9))


def test_bad_values_say_what_would_be_right(problems: Problems) -> None:
    found = problems(
        """
[participation]
checks = ["soon"]

[report]
weekly = "someday 9am"
timezone = "Mars/Olympus"

[claims]
release_after = "10s"

[[team]]
name = "Nobody"
handles = { hackernews = 3 }
"""
    )
    text = "\n".join(found)
    assert "participation.checks[1]" in text and "not a duration" in text
    assert "report.weekly = \"someday 9am\": 'someday' is not a day; use one of mon, tue" in text
    assert "'Mars/Olympus' is not a time zone" in text
    assert 'claims.release_after = "10s": too short; use at least "1m"' in text
    assert 'team[1] "Nobody".member: missing; say who it is: their chat user id, like member = "U024BE7LH"' in text
    assert 'hackernews: expected a handle in quotes, like hackernews = "alice"' in text


def test_check_config_says_what_the_sections_hold(load: Load) -> None:
    from earshot.adapters.cli.views import how_it_went_summary

    assert how_it_went_summary(load(GOOD)) == (
        "  how it went: thread checks 1h, 1d, 7d after a claim; weekly report fri 16:30 Europe/Paris; claims "
        "released after 2d; 2 teammates with handles in the file; custom outcomes: conference talk, partnership"
    )


def test_a_team_handle_on_a_source_that_does_not_exist_is_refused_with_the_real_ones(problems: Problems) -> None:
    found = "\n".join(problems('[[team]]\nmember = "U1"\nhandles = { hackernews = "alice", hackrnews = "al" }\n'))
    assert "'hackrnews' is not a source; handles are for bluesky, devto, discourse, github, hackernews" in found
