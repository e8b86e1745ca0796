"""The `earshot` commands as a new user meets them: init, check-config, topics, feeds, feeds test, db."""

from __future__ import annotations

import subprocess

from sqlalchemy import func, select

from earshot.adapters.storage import SqlStore, migrate, tables
from tests.e2e.conftest import DEADLINE, Earshot
from tests.fakes.feeds import FakeRss, RssItem
from tests.fakes.http_server import FakeHttpServer, Reply

CONFIG = """
    [chat]
    platform = "console"
    channel = "conversations"

    [fetch]
    allow_private = ["127.0.0.1"]

    [[feeds]]
    name = "hn"
    kind = "hackernews"
    every = "2m"

    [[topics]]
    name = "databases"
    query = 'postgres OR sqlite'
    channel = "db-talk"
    """


def ready(earshot: Earshot) -> None:
    """Write the config and, on PostgreSQL, migrate first as the README says (SQLite migrates itself)."""
    earshot.write_config(CONFIG)
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()


def together(earshot: Earshot, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess[str]]:
    """Run independent commands side by side (each start costs about a second), in order of the results."""
    started = [earshot.start(*argv) for argv in commands]
    done = []
    for process in started:
        out, err = process.communicate(timeout=DEADLINE)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def rows(listing: str) -> dict[str, str]:
    """Table lines of a `list` command, by their first column."""
    return {line.split()[0]: line for line in listing.splitlines()[1:] if line.strip()}


def test_init_writes_a_starter_config_that_check_config_accepts(earshot: Earshot) -> None:
    done = earshot("init")
    assert done.returncode == 0, done.stderr
    assert str(earshot.config) in done.stdout and "check-config" in done.stdout
    starter = earshot.config.read_text()
    assert "[[feeds]]" in starter and "[[topics]]" in starter

    earshot.config.write_text("# my own edits\n")
    refused = earshot("init")
    assert refused.returncode == 2
    assert "exists already" in refused.stderr and "--force" in refused.stderr
    assert earshot.config.read_text() == "# my own edits\n"  # untouched

    forced = earshot("init", "--force")
    assert forced.returncode == 0, forced.stderr
    assert earshot.config.read_text() == starter

    checked = earshot("check-config")
    assert checked.returncode == 0, checked.stderr
    out = checked.stdout
    assert f"config {earshot.config}: ok" in out
    assert "2 feeds:" in out and "hn: hackernews every 2m" in out
    assert "rust-blog: rss every 15m https://blog.rust-lang.org/feed.xml" in out
    assert "2 topics:" in out and "vector-db: " in out and "-> #vector-db" in out
    assert "postgres-pain: " in out and "-> #conversations" in out
    assert "Traceback" not in checked.stderr


def test_check_config_names_an_unknown_key_and_the_right_one(earshot: Earshot) -> None:
    earshot.write_config('[chat]\nplatfrom = "console"\n')
    done = earshot("check-config")
    assert done.returncode == 2
    assert "chat.platfrom" in done.stderr and "unknown key" in done.stderr and "platform" in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


def test_a_query_nested_hundreds_deep_is_a_usage_error_in_the_file_and_in_topics_add(earshot: Earshot) -> None:
    deep = "(" * 400 + "rust" + ")" * 400  # once a RecursionError: a 2,000-line traceback and exit 1
    ready(earshot)
    added, odd = together(earshot, ("topics", "add", "deep", deep), ("topics", "add", "odd", "rust~."))
    earshot.write_config(CONFIG.replace("'postgres OR sqlite'", f"'{deep}'"))
    checked = earshot("check-config")
    for done in (checked, added):
        assert done.returncode == 2, done.stderr
        assert "bad query at position 33: nested more than 32 levels deep" in done.stderr
        assert "Traceback" not in done.stderr and done.stderr.splitlines()[-1].startswith("error: ")
    assert odd.returncode == 2 and "bad query at position 5: fuzzy matching" in odd.stderr


def test_topics_add_list_and_remove(earshot: Earshot) -> None:
    ready(earshot)
    added = earshot("topics", "add", "rust-talk", "rust -job", "--channel", "rust", "--min-score", "70")
    assert added.returncode == 0, added.stderr
    assert "added topic rust-talk: rust -job" in added.stdout

    listing, bad, from_file = together(
        earshot,
        ("topics", "list"),
        ("topics", "add", "broken", '"unclosed phrase'),
        ("topics", "remove", "databases"),
    )
    assert listing.returncode == 0, listing.stderr
    topics = rows(listing.stdout)
    assert set(topics) == {"databases", "rust-talk"}
    assert topics["rust-talk"].split()[1:5] == ["#rust", "on", "cli", "70"]
    assert topics["rust-talk"].endswith("rust -job")
    assert topics["databases"].split()[1:5] == ["#db-talk", "on", "config", "50"]

    assert bad.returncode == 2
    assert "bad query at position 1" in bad.stderr and "closing quote" in bad.stderr

    assert from_file.returncode == 1
    assert "'databases' is defined in the config file; remove it there" in from_file.stderr

    removed = earshot("topics", "remove", "rust-talk")
    assert removed.returncode == 0, removed.stderr
    assert "removed topic rust-talk" in removed.stdout

    after = earshot("topics", "list")
    assert set(rows(after.stdout)) == {"databases"}  # the broken one was never added either
    assert "Traceback" not in bad.stderr + from_file.stderr + after.stderr


def test_feeds_add_list_and_remove(earshot: Earshot) -> None:
    ready(earshot)
    added = earshot("feeds", "add", "rss", "https://blog.example.com/feed.xml", "--every", "15m")
    assert added.returncode == 0, added.stderr
    assert "added feed blog-example-com (rss)" in added.stdout and "first poll" in added.stdout

    listing, not_a_url, bad_tag, from_file = together(
        earshot,
        ("feeds", "list"),
        ("feeds", "add", "rss", "not-a-url"),
        ("feeds", "add", "hackernews", "postgres", "--tags", "story,bogus"),
        ("feeds", "remove", "hn"),
    )
    assert listing.returncode == 0, listing.stderr
    feeds = rows(listing.stdout)
    assert set(feeds) == {"blog-example-com", "hn"}
    assert feeds["blog-example-com"].split()[1:4] == ["rss", "15m", "new"]
    assert "https://blog.example.com/feed.xml" in feeds["blog-example-com"]

    assert not_a_url.returncode == 2
    assert "'not-a-url' must start with http:// or https://" in not_a_url.stderr

    assert bad_tag.returncode == 2
    assert "'bogus'" in bad_tag.stderr and "story, comment, ask_hn, show_hn" in bad_tag.stderr

    assert from_file.returncode == 1
    assert "defined in the config file" in from_file.stderr

    removed = earshot("feeds", "remove", "blog-example-com")
    assert removed.returncode == 0, removed.stderr
    assert "removed feed blog-example-com" in removed.stdout

    after = earshot("feeds", "list")
    assert set(rows(after.stdout)) == {"hn"}
    assert "Traceback" not in not_a_url.stderr + bad_tag.stderr + from_file.stderr + after.stderr


def test_feeds_add_with_an_unreadable_interval_is_a_usage_error(earshot: Earshot) -> None:
    ready(earshot)
    done = earshot("feeds", "add", "rss", "https://blog.example.com/feed.xml", "--every", "soon")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2
    assert "--every" in done.stderr and "soon" in done.stderr and "not a duration" in done.stderr


def test_feeds_add_refuses_an_interval_the_config_file_would_refuse(earshot: Earshot) -> None:
    ready(earshot)
    done = earshot("feeds", "add", "rss", "https://blog.example.com/feed.xml", "--every", "1s")
    assert done.returncode == 2, done.stdout
    assert "too short" in done.stderr and '"30s"' in done.stderr


async def test_feeds_test_shows_what_would_alert_and_why_a_feed_cannot_be_read(
    earshot: Earshot, server: FakeHttpServer, blog: FakeRss, store: SqlStore
) -> None:
    earshot.write_config(CONFIG)  # `store` has migrated the database
    blog.items += [
        RssItem("1", "Postgres at scale", "http://example.com/pg", "Partitioning tips"),
        RssItem("2", "A new web framework", "http://example.com/web", "Routing and templates"),
    ]
    done = earshot("feeds", "test", blog.url)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # Undated and without replies, it scores under the default min_score: run would hold it, and says so.
    assert "test (rss): 2 items: 0 would be posted, 1 held (1 below min_score), 1 match no topic" in out
    assert "Postgres at scale (no date)\n    HELD  databases: score " in out and "http://example.com/pg" in out
    assert "web framework" not in out
    assert len(server.hits(blog.path)) == 1
    async with store.engine.connect() as connection:
        for table in (tables.conversations, tables.alerts):
            assert (await connection.execute(select(func.count()).select_from(table))).scalar_one() == 0
        feeds = (await connection.execute(select(tables.feeds.c.name))).scalars().all()
    assert feeds == []  # it writes nothing, not even the config file's feeds

    server.route("GET", "/down.xml", lambda r: Reply(500, b"oops", {"Content-Type": "text/plain"}))
    down, metadata = together(
        earshot, ("feeds", "test", server.url("/down.xml")), ("feeds", "test", "http://169.254.169.254/")
    )
    assert down.returncode == 1
    assert "cannot read it" in down.stdout and "HTTP 500" in down.stdout

    assert metadata.returncode == 1
    assert "refused" in metadata.stdout and "169.254.169.254" in metadata.stdout
    assert "allow_private" in metadata.stdout
    assert "Traceback" not in done.stderr + down.stderr + metadata.stderr


def test_db_current_downgrade_and_upgrade(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    head = migrate.head()
    earshot.upgrade()
    current = earshot("db", "current")
    assert current.returncode == 0, current.stderr
    assert f"schema at {head} (latest)" in current.stdout

    refused = earshot("db", "downgrade", "base")  # not a terminal, so it does not ask: it needs --yes
    assert refused.returncode == 2
    assert "drops every table Earshot keeps" in refused.stderr and "--yes" in refused.stderr
    assert f"schema at {head} (latest)" in earshot("db", "current").stdout  # nothing dropped

    down = earshot("db", "downgrade", "base", "--yes")
    assert down.returncode == 0, down.stderr
    assert "schema at base (empty)" in down.stdout

    up = earshot("db", "upgrade")
    assert up.returncode == 0, up.stderr
    assert f"schema at {head}" in up.stdout
    listing = earshot("topics", "list")  # the tables are back and usable
    assert listing.returncode == 0, listing.stderr
    assert set(rows(listing.stdout)) == {"databases"}


def test_db_upgrade_runs_without_the_chat_platforms_tokens(earshot: Earshot) -> None:
    # A migration job (an init container, a release step) holds the database URL, not the Slack tokens.
    earshot.write_config('[chat]\nplatform = "slack"\nchannel = "C0ALERTS1"\n')
    up = earshot("db", "upgrade")
    assert up.returncode == 0, up.stderr
    assert f"schema at {migrate.head()}" in up.stdout
    listing = earshot("topics", "list")  # a command that talks to Slack still asks for them
    assert listing.returncode == 2
    assert "needs SLACK_BOT_TOKEN in the environment" in listing.stderr


def test_commands_started_together_on_a_new_sqlite_file_migrate_it_once_and_all_succeed(earshot: Earshot) -> None:
    """SQLite brings itself up to date on first use: commands started at the same moment (a cron job beside `run`
    after an upgrade) wait for the first to migrate instead of rebuilding the same tables side by side."""
    if not earshot.database_url.startswith("sqlite"):
        return  # PostgreSQL is migrated explicitly (`earshot db upgrade`): nothing migrates itself there
    ready(earshot)
    added = together(earshot, *[("topics", "add", f"t{i}", f"word{i}") for i in range(6)])
    for i, done in enumerate(added):
        assert done.returncode == 0, done.stderr
        assert f"added topic t{i}" in done.stdout
    current = earshot("db", "current")
    assert current.returncode == 0 and migrate.head() in current.stdout, current.stderr
