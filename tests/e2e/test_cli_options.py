"""Options as a user types them: -v anywhere, queries starting with a dash, durations in weeks."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Earshot

# What these check (the CLI's words, parsing, secrets) is the same on any database: CI runs them on SQLite only.
pytestmark = pytest.mark.any_database

CONFIG = """
    [chat]
    platform = "console"
    channel = "conversations"
    """


def test_verbose_is_taken_after_the_subcommand_as_well_as_before(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    earshot.upgrade()
    for argv in (
        ("-v", "topics", "list"),
        ("topics", "list", "-v"),
        ("topics", "-v", "list"),
        ("db", "current", "-vv"),
    ):
        done = earshot(*argv)
        assert done.returncode == 0, (argv, done.stderr)
    quiet = earshot("topics", "list", "-v")
    assert "sqlalchemy" not in quiet.stderr and "aiosqlite" not in quiet.stderr  # driver internals wait for -vv


def test_a_query_starting_with_a_dash_is_taken_as_the_query(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    earshot.upgrade()
    # One word each, starting like this command's own -v and -h: the query parser reads them, not argparse.
    for word in ("-postgres", "-v8", "-hiring"):
        only_excludes = earshot("topics", "add", "t", word)
        assert only_excludes.returncode == 2
        assert "only excludes words" in only_excludes.stderr, (word, only_excludes.stderr)
    for name, query in (("a", "-hiring postgres"), ("b", "-job rust")):
        done = earshot("topics", "add", name, query, "--min-score", "40")
        assert done.returncode == 0, (query, done.stderr)
    listing = earshot("topics", "list").stdout
    assert "-hiring postgres" in listing and "-job rust" in listing
    typo = earshot("topics", "add", "d", "rust", "--chanel", "x")  # a mistyped long option is still refused
    assert typo.returncode == 2 and "--chanel" in typo.stderr


def test_durations_take_weeks_wherever_they_are_read(earshot: Earshot) -> None:
    earshot.write_config(CONFIG + '\n[[feeds]]\nname = "blog"\nkind = "rss"\nurl = "https://blog.example.com/f.xml"\n')
    earshot.upgrade()
    report = earshot("report", "--since", "2w")
    assert report.returncode == 0, report.stderr
    assert "(14d)" in report.stdout
    added = earshot("feeds", "add", "rss", "https://blog.example.com/other.xml", "--every", "1w")
    assert added.returncode == 0, added.stderr
    assert "7d" in earshot("feeds", "list").stdout
    checked = earshot("check-config")  # the file's feed has no every: its kind's usual interval
    assert checked.returncode == 0, checked.stderr
    assert "blog: rss every 15m https://blog.example.com/f.xml" in checked.stdout


def test_team_set_refuses_a_source_that_does_not_exist_and_lists_the_real_ones(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    earshot.upgrade()
    done = earshot("team", "set", "U1", "hackernews=alice", "nosuchsource=x")
    assert done.returncode != 0
    assert "'nosuchsource' is not a source" in done.stderr and "hackernews" in done.stderr and "reddit" in done.stderr
    assert "Traceback" not in done.stderr
    assert "No handles yet" in earshot("team", "list").stdout  # nothing was linked
