"""Reddit, Mastodon and Bluesky feeds through the real `earshot` command: config file, `feeds add`, `feeds test`."""

from __future__ import annotations

import copy

import pytest

from tests.e2e.conftest import Earshot
from tests.e2e.test_cli import ready, rows, together
from tests.fakes.bluesky import APP_PASSWORD, HANDLE, FakeBluesky, post
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.mastodon import FakeMastodon, status
from tests.fakes.reddit import CLIENT_ID, SECRET, FakeReddit
from tests.fakes.reddit_shapes import comment_stream, new_posts

# What these check (the CLI's words, parsing, secrets) is the same on any database: CI runs them on SQLite only.
pytestmark = [pytest.mark.slow, pytest.mark.any_database]

CONFIG = """
    [fetch]
    allow_private = ["127.0.0.1"]

    [[feeds]]
    name = "ask"
    kind = "reddit"
    every = "5m"
    base_url = "{base}"
    options = {{ subreddit = "AskReddit", auth_url = "{base}", rss_url = "{base}" }}

    [[feeds]]
    name = "toots"
    kind = "mastodon"
    every = "5m"
    url = "{base}/tags/rust"

    [[feeds]]
    name = "sky"
    kind = "bluesky"
    every = "5m"
    base_url = "{base}"
    query = "postgres"

    [[topics]]
    name = "databases"
    query = 'postgres OR sqlite OR surprised'
    """


def test_feeds_test_reads_each_new_kind(
    earshot: Earshot, server: FakeHttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reddit, mastodon, bluesky = FakeReddit(server), FakeMastodon(server), FakeBluesky(server, Clock())
    reddit.posts = new_posts(5)
    reddit.comments = comment_stream(3)
    toot = status(1, mastodon.url, content="<p>Is <b>postgres</b> fast enough for queues?</p>")
    mastodon.statuses = [toot, status(2, mastodon.url)]
    bluesky.posts = [post(1, Clock().now, text="postgres vacuum tuning, anyone?")]
    earshot.write_config(CONFIG.format(base=server.url("").rstrip("/")))
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()
    monkeypatch.setenv("REDDIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("BLUESKY_HANDLE", HANDLE)
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", APP_PASSWORD)
    monkeypatch.delenv("MASTODON_TOKEN", raising=False)
    # One command syncs the file first: first syncs running at once race on PostgreSQL (same topic inserted twice).
    assert earshot("feeds", "list").returncode == 0

    ask, toots, sky = together(earshot, ("feeds", "test", "ask"), ("feeds", "test", "toots"), ("feeds", "test", "sky"))
    assert ask.returncode == 0, ask.stdout + ask.stderr
    assert "ask (reddit): 8 items: 0 would be posted, 1 held (1 below min_score), 7 match no topic" in ask.stdout
    assert "Which city surprised you the most when you visited it? (" in ask.stdout
    assert "HELD  databases: score 37, below min_score 50 [surprised]" in ask.stdout
    notes = [line for line in ask.stdout.splitlines() if "note:" in line]
    assert notes == ["  note: ask has not been polled yet: its first poll records what is there and posts nothing"]
    assert toots.returncode == 0, toots.stdout + toots.stderr
    assert "toots (mastodon): 2 items: 0 would be posted, 1 held (1 below min_score), 1 match no topic" in toots.stdout
    assert toot["url"] in toots.stdout
    assert sky.returncode == 0, sky.stdout + sky.stderr
    assert "sky (bluesky): 1 item: 0 would be posted, 1 held (1 below min_score)" in sky.stdout
    assert "https://bsky.app/profile/lenaverhoeven.bsky.social/post/3lzz000000001" in sky.stdout
    assert SECRET not in ask.stdout + ask.stderr and APP_PASSWORD not in sky.stdout + sky.stderr

    monkeypatch.delenv("REDDIT_CLIENT_ID")
    bluesky.anonymous_search = False
    monkeypatch.delenv("BLUESKY_APP_PASSWORD")
    rss, refused = together(earshot, ("feeds", "test", "ask"), ("feeds", "test", "sky"))
    assert rss.returncode == 0, rss.stdout + rss.stderr
    assert "ask (reddit): 5 items" in rss.stdout
    assert "note: no Reddit credentials: reading the public RSS feed, slower, posts only" in rss.stdout
    assert refused.returncode == 1
    assert "sky: cannot read it" in refused.stdout and "set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD" in refused.stdout
    assert "Traceback" not in ask.stderr + toots.stderr + sky.stderr + rss.stderr + refused.stderr


def test_feeds_add_expresses_each_new_kind(earshot: Earshot) -> None:
    ready(earshot)
    assert earshot("feeds", "list").returncode == 0  # sync the file once before commands run side by side
    sub, tag, sky, search = together(
        earshot,
        ("feeds", "add", "reddit", "r/rust", "--option", "include=posts,comments"),
        ("feeds", "add", "mastodon", "https://fosstodon.org/tags/rust"),
        ("feeds", "add", "bluesky", "pgvector", "--option", "lang=en", "--name", "sky"),
        ("feeds", "add", "mastodon", "https://fosstodon.org", "--query", "pgvector", "--name", "foss-search"),
    )
    for done in (sub, tag, sky, search):
        assert done.returncode == 0, done.stderr
    listing = rows(earshot("feeds", "list").stdout)
    # Default names: the subreddit (not "r-rust"), and a URL's host with its path (a second tag gets its own name).
    assert set(listing) == {"hn", "reddit-rust", "fosstodon-org-tags-rust", "sky", "foss-search"}
    assert "reddit" in listing["reddit-rust"] and "5m" in listing["reddit-rust"] and "r/rust" in listing["reddit-rust"]
    assert "bluesky" in listing["sky"] and "pgvector" in listing["sky"]

    nowhere, both, bad_option = together(
        earshot,
        ("feeds", "add", "mastodon", "https://fosstodon.org", "--name", "nowhere"),
        ("feeds", "add", "mastodon", "https://fosstodon.org/tags/rust", "--query", "pg", "--name", "both"),
        ("feeds", "add", "reddit", "r/rust", "--option", "flavour", "--name", "odd"),
    )
    assert nowhere.returncode == 2 and "neither a hashtag nor a query" in nowhere.stderr
    assert 'url = "https://mastodon.social"' in nowhere.stderr  # an example of what would be right
    assert both.returncode == 2 and "both a hashtag and a query" in both.stderr
    assert bad_option.returncode == 2 and "write it as key=value" in bad_option.stderr
    assert "Traceback" not in nowhere.stderr + both.stderr + bad_option.stderr


def test_check_config_refuses_bad_kind_settings(earshot: Earshot) -> None:
    bad = copy.copy(CONFIG).replace('query = "postgres"', "").format(base="https://bsky.social")
    earshot.write_config(bad)
    done = earshot("check-config")
    assert done.returncode == 2
    assert "feed 'sky': a bluesky feed needs search words" in done.stderr
