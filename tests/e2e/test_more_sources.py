"""Stack Exchange, GitHub, Discourse and Lobsters feeds through the real `earshot` command: the config file,
`check-config`, `feeds add --option` and `feeds test`, against fake services on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import Earshot
from tests.e2e.test_cli import together
from tests.fakes.discourse import FakeDiscourse, topic
from tests.fakes.github import FakeGitHub, issue, modern_issue
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.lobsters import FakeLobsters, story
from tests.fakes.stackexchange import FakeStackExchange, question

# What these check (the CLI's words, parsing, secrets) is the same on any database: CI runs them on SQLite only.
pytestmark = pytest.mark.any_database

CONFIG = """
    [fetch]
    allow_private = ["127.0.0.1"]

    [[feeds]]
    name = "so-k8s"
    kind = "stackexchange"
    every = "10m"
    base_url = "{se}"
    options = {{ site = "stackoverflow", tagged = ["kubernetes"] }}

    [[feeds]]
    name = "gh"
    kind = "github"
    every = "5m"
    base_url = "{gh}"
    query = "repo:octo/widgets"

    [[feeds]]
    name = "forum"
    kind = "discourse"
    every = "10m"
    url = "{forum}"

    [[feeds]]
    name = "lobsters"
    kind = "lobsters"
    every = "10m"
    base_url = "{lobsters}"

    [[topics]]
    name = "databases"
    query = 'postgres OR sqlite'
    """


def test_feeds_test_reads_each_new_kind(earshot: Earshot, server: FakeHttpServer) -> None:
    now = int(time.time())  # first polls look back an hour from the real clock
    se, gh, forum, lobsters = FakeStackExchange(server), FakeGitHub(server), FakeDiscourse(server), FakeLobsters(server)
    se.add(question(1, now - 60, title="Postgres pod keeps restarting"), question(2, now - 30, title="Helm charts"))
    gh.add(issue(modern_issue(), 7, now - 120, title="SQLite lock errors under load"))
    forum.add(topic(3, now - 100, fancy_title="Moving from MySQL to Postgres"))
    lobsters.add(
        story("ab12cd", now - 50, title="The SQLite query planner"), story("ef34gh", now - 40, title="Zig 1.0")
    )
    earshot.write_config(
        CONFIG.format(se=se.api_url, gh=gh.api_url.rstrip("/"), forum=forum.url, lobsters=lobsters.url)
    )
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()

    checked = earshot("check-config")
    assert checked.returncode == 0, checked.stderr
    # One command first syncs the file into the database; several at once on an empty database would race.
    listed = earshot("feeds", "list")
    assert listed.returncode == 0, listed.stderr

    results = together(
        earshot,
        ("feeds", "test", "so-k8s"),
        ("feeds", "test", "gh"),
        ("feeds", "test", "forum"),
        ("feeds", "test", "lobsters"),
    )
    for done in results:
        assert done.returncode == 0, done.stdout + done.stderr
    so_out, gh_out, forum_out, lobsters_out = (done.stdout for done in results)
    # Scores are shown against min_score (50), as run would decide: a fresh, unanswered "keeps restarting" is a
    # problem worth joining; a bare discussion title is held.
    assert "so-k8s (stackexchange): 2 items: 1 would be posted, 0 held, 1 match no topic" in so_out
    assert "Postgres pod keeps restarting" in so_out
    # A bare error report that asks nothing is held: no single word ("errors") makes a problem someone asks about.
    assert "gh (github): 1 item: 0 would be posted, 1 held (1 below min_score)" in gh_out
    assert "SQLite lock errors under load" in gh_out
    assert "forum (discourse): 1 item: 0 would be posted, 1 held (1 below min_score)" in forum_out
    assert "Moving from MySQL to Postgres" in forum_out
    assert (
        "lobsters (lobsters): 2 items: 0 would be posted, 1 held (1 below min_score), 1 match no topic" in lobsters_out
    )
    assert "The SQLite query planner" in lobsters_out
    assert se.requests()[0].param("tagged") == "kubernetes"


def test_feeds_add_takes_options(earshot: Earshot) -> None:
    earshot.write_config(
        CONFIG.format(
            se="https://a.example", gh="https://b.example", forum="https://c.example", lobsters="https://d.example"
        )
    )
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()
    assert earshot("feeds", "list").returncode == 0  # the file synced before commands run side by side
    added, forum, bad = together(
        earshot,
        ("feeds", "add", "stackexchange", "pgvector", "--option", "site=dba", "--tags", "postgresql"),
        ("feeds", "add", "discourse", "https://meta.discourse.org", "--option", "category=dev/7", "--name", "meta"),
        ("feeds", "add", "stackexchange", "x", "--option", "site=stack overflow", "--name", "bad"),
    )
    assert added.returncode == 0, added.stderr
    assert "added feed stackexchange-pgvector (stackexchange)" in added.stdout
    assert forum.returncode == 0, forum.stderr
    assert bad.returncode == 2
    assert "not a Stack Exchange site name" in bad.stderr and "serverfault" in bad.stderr

    listing = earshot("feeds", "list")
    assert "stackexchange-pgvector" in listing.stdout and "meta" in listing.stdout


def test_a_source_key_never_reaches_the_log(
    earshot: Earshot, server: FakeHttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    se = FakeStackExchange(server)
    se.add(question(1, int(time.time()) - 60, title="Postgres pod keeps restarting"))
    monkeypatch.setenv("STACKEXCHANGE_KEY", "se-key-0123456789")
    earshot.write_config(
        CONFIG.format(se=se.api_url, gh="https://b.example", forum="https://c.example", lobsters="https://d.example")
    )
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()
    done = earshot("-v", "feeds", "test", "so-k8s")
    assert done.returncode == 0, done.stderr
    assert se.requests()[0].param("key") == "se-key-0123456789"
    assert "HTTP Request" in done.stderr  # the verbose log does show request URLs...
    assert "se-key-0123456789" not in done.stderr + done.stdout  # ...with the key masked
