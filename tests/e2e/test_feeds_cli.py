"""`feeds test` shows what `run` would do with each item, creating no database; `feeds add` names and checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from earshot.adapters.storage import SqlStore, tables
from earshot.bot.domain import Topic
from tests.e2e.conftest import Earshot
from tests.fakes.feeds import FakeRss, RssItem
from tests.fakes.http_server import FakeHttpServer, Reply

TOPICS = """
    [chat]
    platform = "console"

    [fetch]
    allow_private = ["127.0.0.1"]

    [[topics]]
    name = "databases"
    query = 'postgres'
    min_score = 0

    [[topics]]
    name = "strict"
    query = 'sqlite'
    min_score = 100

    [[topics]]
    name = "no-bots"
    query = 'mysql'
    exclude_authors = ["bot"]
    """


def items(blog: FakeRss) -> None:
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    blog.items += [
        RssItem("1", "Postgres at scale?", "http://example.com/pg", "How do you partition?", published=hour_ago),
        RssItem("2", "SQLite launch", "http://example.com/lite", "We launched.", published=hour_ago),
        RssItem("3", "MySQL tips", "http://example.com/my", "From a bot", author="bot", published=hour_ago),
        RssItem("4", "A new web framework", "http://example.com/web", "Routing"),
        RssItem("5", "Postgres, undated", "http://example.com/undated", "No date on this one"),
    ]


@pytest.mark.any_database  # the CLI's words: the same on any database
def test_feeds_test_shows_each_items_score_and_whether_run_would_post_or_hold_it(
    fresh_sqlite: Earshot, server: FakeHttpServer, blog: FakeRss
) -> None:
    earshot = fresh_sqlite
    earshot.write_config(TOPICS)
    items(blog)
    done = earshot("feeds", "test", blog.url)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    first = out.splitlines()[0]
    assert first == "test (rss): 5 items: 2 would be posted, 2 held (1 below min_score, 1 filtered), 1 match no topic"
    assert "POST  databases: score " in out and "(min_score 0) [postgres]" in out
    assert "HELD  strict: score " in out and "below min_score 100 [sqlite]" in out
    assert "HELD  no-bots: filtered (" in out and "bot" in out
    assert "Postgres, undated (no date)" in out and "()" not in out
    assert "Postgres at scale? (1 h ago)" in out
    assert "no database at" in out and "the config file's topics are used" in out
    assert not (fresh_sqlite.workdir / "fresh.db").exists()  # not created, not migrated
    assert len(server.hits(blog.path)) == 1


async def test_feeds_test_reads_an_existing_database_without_writing_to_it(
    earshot: Earshot, server: FakeHttpServer, blog: FakeRss, store: SqlStore
) -> None:
    earshot.write_config(TOPICS)  # `store` has migrated the database
    async with store.unit() as unit:
        await unit.add_topic(Topic("web", "framework", min_score=0, origin="cli"))
    items(blog)
    done = earshot("feeds", "test", blog.url)
    assert done.returncode == 0, done.stderr
    assert "3 would be posted" in done.stdout and "POST  web: score" in done.stdout  # the database's topic too
    assert "no database" not in done.stdout
    async with store.engine.connect() as connection:
        assert (await connection.execute(select(tables.topics.c.name))).scalars().all() == ["web"]  # no sync
        assert (await connection.execute(select(tables.conversations.c.id))).first() is None


ADDING = """
    [chat]
    platform = "console"

    [fetch]
    allow_private = ["127.0.0.1"]
    """


def page(*feeds: str) -> bytes:
    links = "".join(f'<link rel="alternate" type="application/rss+xml" title="Posts" href="{f}">' for f in feeds)
    return f"<!doctype html><html><head><title>Blog</title>{links}</head><body>Hi</body></html>".encode()


def ready(earshot: Earshot) -> None:
    earshot.write_config(ADDING)
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()


@pytest.mark.any_database  # the CLI's words: the same on any database
def test_a_web_page_is_not_added_as_a_feed_and_its_advertised_feed_is_offered(
    earshot: Earshot, server: FakeHttpServer, blog: FakeRss
) -> None:
    ready(earshot)
    server.route("GET", "/", lambda r: Reply(200, page("/blog/feed.xml"), {"Content-Type": "text/html"}))
    server.route("GET", "/bare", lambda r: Reply(200, page(), {"Content-Type": "text/html; charset=utf-8"}))
    home = server.url("/")

    offered = earshot("feeds", "add", "rss", home)  # not a terminal: it asks nothing and adds nothing
    assert offered.returncode == 2, offered.stdout + offered.stderr
    assert "is a web page, not a feed; it advertises:" in offered.stderr
    assert f"  {blog.url}  (Posts)" in offered.stderr
    assert f"add one with: earshot feeds add rss {blog.url} (or the same command with --yes)" in offered.stderr

    no_feed = earshot("feeds", "add", "rss", server.url("/bare"))
    assert no_feed.returncode == 2
    assert "is a web page, not a feed, and it names no feed" in no_feed.stderr and "--no-check" in no_feed.stderr
    assert "no feeds yet" in earshot("feeds", "list").stdout

    taken = earshot("feeds", "add", "rss", home, "--yes")
    assert taken.returncode == 0, taken.stderr
    assert f"using the feed it advertises: {blog.url}" in taken.stdout
    assert f"added feed 127-0-0-1-blog (rss): reads {blog.url}" in taken.stdout

    unchecked = earshot("feeds", "add", "rss", server.url("/bare"), "--no-check")
    assert unchecked.returncode == 0, unchecked.stderr
    assert "added feed 127-0-0-1-bare (rss)" in unchecked.stdout
    assert "Traceback" not in offered.stderr + no_feed.stderr + taken.stderr + unchecked.stderr


@pytest.mark.any_database  # the CLI's words: the same on any database
def test_a_second_feed_on_one_host_gets_its_own_name_and_a_taken_name_says_to_use_name(
    earshot: Earshot, server: FakeHttpServer, blog: FakeRss
) -> None:
    ready(earshot)
    other = FakeRss(server, "/releases.xml")
    first = earshot("feeds", "add", "rss", blog.url)
    second = earshot("feeds", "add", "rss", other.url)
    again = earshot("feeds", "add", "rss", blog.url)
    assert first.returncode == second.returncode == again.returncode == 0, first.stderr + second.stderr
    assert "added feed 127-0-0-1-blog (rss)" in first.stdout
    assert "added feed 127-0-0-1-releases (rss)" in second.stdout
    assert "added feed 127-0-0-1-blog-2 (rss)" in again.stdout

    clash = earshot("feeds", "add", "rss", other.url, "--name", "127-0-0-1-blog")
    assert clash.returncode == 1
    assert "exists already" in clash.stderr and "--name NAME" in clash.stderr


@pytest.mark.any_database  # the CLI's words: the same on any database
def test_reddit_targets_name_the_subreddit_once_and_say_what_they_do(earshot: Earshot) -> None:
    ready(earshot)
    slash = earshot("feeds", "add", "reddit", "r/rust")
    bare = earshot("feeds", "add", "reddit", "golang")
    url = earshot("feeds", "add", "reddit", "https://www.reddit.com/r/Python/", "--name", "py")
    search = earshot("feeds", "add", "reddit", "--query", "pgvector")
    for done in (slash, bare, url, search):
        assert done.returncode == 0, done.stderr
    assert "added feed reddit-rust (reddit): reads r/rust's new posts and comments;" in slash.stdout
    assert "reads r/golang's new posts" in bare.stdout and "--query" in bare.stdout
    assert "searches all of Reddit for 'pgvector'" in search.stdout
    listing = earshot("feeds", "list").stdout
    assert "r/rust" in listing and "r/r/" not in listing and "r/Python" in listing
