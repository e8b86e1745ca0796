"""Every command answers bad input with a sentence, not a traceback: schema revisions, closed pipes, downgrades."""

from __future__ import annotations

import os
import subprocess

import pytest

from adapters.storage import migrate
from tests.e2e.conftest import Earshot

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
        timeout=60,
        check=False,
    )
    os.close(writer)
    assert "Traceback" not in process.stderr and "BrokenPipe" not in process.stderr, process.stderr
    assert process.returncode == 141, process.stderr
