"""Every command answers bad input with a sentence, not a traceback: schema revisions, closed pipes, downgrades."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from earshot.adapters.cli.views import _target
from earshot.adapters.storage import migrate
from earshot.bot.domain import Feed
from tests.e2e.conftest import DEADLINE, Earshot

CONFIG = """
    [chat]
    platform = "console"
    channel = "conversations"

    [[topics]]
    name = "databases"
    query = 'postgres OR sqlite'
    """


@pytest.mark.parametrize("command", [("upgrade",), ("downgrade", "--yes")], ids=lambda c: c[0])
def test_an_unknown_schema_revision_is_named_with_the_real_ones(earshot: Earshot, command: tuple[str, ...]) -> None:
    earshot.write_config(CONFIG)
    earshot.upgrade()
    done = earshot("db", command[0], "nonsense", *command[1:])
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "there is no schema revision 'nonsense'" in done.stderr
    assert "base" in done.stderr and migrate.head() in done.stderr and "earshot db history" in done.stderr


def test_db_history_lists_the_revisions_and_where_the_database_is(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    earshot.upgrade()
    done = earshot("db", "history")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == migrate.revisions()
    assert lines[-1] == f"{migrate.head()}  <- the database is here"


def test_a_downgrade_that_drops_tables_needs_yes_and_says_so(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    earshot.upgrade()
    before = migrate.revisions()[-2]
    refused = earshot("db", "downgrade", "-1")
    assert refused.returncode == 2
    assert f"to {before} drops the tables and columns added since" in refused.stderr
    assert "nothing was changed" in refused.stderr and "--yes" in refused.stderr
    assert "(latest)" in earshot("db", "current").stdout

    done = earshot("db", "downgrade", "-1", "--yes")
    assert done.returncode == 0, done.stderr
    assert f"schema at {before}" in done.stdout
    assert earshot("db", "upgrade").returncode == 0


@pytest.mark.any_database  # the CLI's words: the same on any database
@pytest.mark.parametrize(
    "argv",
    [("topics", "list"), ("db", "history"), ("status",), ("feeds", "list"), ("check-config",)],
    ids=lambda argv: " ".join(argv),
)
def test_a_closed_pipe_ends_any_command_quietly(earshot: Earshot, argv: tuple[str, ...]) -> None:
    earshot.write_config(CONFIG + "".join(f'\n[[topics]]\nname = "t{i}"\nquery = "word{i}"\n' for i in range(400)))
    earshot.upgrade()
    # A real pipe whose reader is gone before the command writes: what `earshot ... | head -1` meets.
    reader, writer = os.pipe()
    os.close(reader)
    process = subprocess.run(
        earshot.command(*argv),
        cwd=earshot.workdir,
        env=earshot.env(),
        stdout=writer,
        stderr=subprocess.PIPE,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    os.close(writer)
    assert "Traceback" not in process.stderr and "BrokenPipe" not in process.stderr, process.stderr
    assert process.returncode == 141, process.stderr


@pytest.mark.any_database  # the CLI's words: the same on any database
def test_bad_paths_and_numbers_are_sentences_on_every_command(earshot: Earshot, tmp_path: Path) -> None:
    earshot.write_config(CONFIG)
    earshot.upgrade()
    nowhere = tmp_path / "no" / "such" / "dir"
    cases = {
        ("report", "--output", str(nowhere / "r.txt")): f"--output {nowhere / 'r.txt'}: cannot write it",
        ("report", "--format", "csv", "--output", str(nowhere / "r.csv")): "cannot write it",
        ("explain", "99999999999999999999"): "there is no alert 99999999999999999999",
        ("alerts", "list", "--limit", "99999999999999999999"): "give a whole number from 1 to 10000",
        ("topics", "suggest", "databases", "--limit", "0"): "--limit 0: give a whole number from 1 to 10000",
        ("report", "--since", "0d"): "longer than zero",
        ("feeds", "add", "rss", "https://blog.example.com/f.xml", "--every", "fortnight"): "not a duration",
    }
    for argv, said in cases.items():
        done = earshot(*argv)
        assert "Traceback" not in done.stderr, (argv, done.stderr)
        assert done.returncode in (1, 2), (argv, done.stdout)
        assert said in done.stderr, (argv, done.stderr)


@pytest.mark.any_database  # the CLI's words: the same on any database
def test_config_is_taken_after_the_subcommand_too(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    earshot.upgrade()
    moved = earshot.workdir / "elsewhere.toml"
    moved.write_text(earshot.config.read_text())
    argv = [a for a in earshot.command("topics", "list", "--config", str(moved)) if a != str(earshot.config)]
    argv.remove("--config")  # the runner's own --config before the subcommand: only the one after it stays
    done = subprocess.run(argv, cwd=earshot.workdir, env=earshot.env(), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "databases" in done.stdout


def test_check_config_shows_where_a_feed_without_a_target_reads() -> None:
    every = timedelta(minutes=2)
    assert _target(Feed("hn", "hackernews", every)) == "(all new items)"
    assert _target(Feed("r", "reddit", every, options={"subreddit": "rust"})) == "r/rust"
