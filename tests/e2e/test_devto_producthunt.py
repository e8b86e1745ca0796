"""Dev.to and Product Hunt feeds through `earshot run --once` and `earshot feeds add`, against fake APIs on
127.0.0.1, webhook out: the first run seeds, the next alerts the new item once, a third alerts nothing."""

from __future__ import annotations

import time

from tests.e2e.conftest import Earshot
from tests.fakes.forem import FakeForem, article, comment
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.webhook import WebhookReceiver

CHAT = """
    [chat]
    platform = "webhook"
    channel = "conversations"
    webhook_url = "{hook}"

    [fetch]
    allow_private = ["127.0.0.1"]

    [[topics]]
    name = "databases"
    query = 'postgres OR sqlite'
    min_score = 0
    """


def test_devto_seeds_then_alerts_a_new_article_and_comment_once(
    earshot: Earshot, server: FakeHttpServer, hook: WebhookReceiver
) -> None:
    forem = FakeForem(server)
    t = int(time.time())
    forem.add(article(1, t - 600, title="Postgres tips", tags=["postgres"], base=forem.url))
    earshot.write_config(
        CHAT.format(hook=hook.url)
        + f"""
    [[feeds]]
    name = "devto-db"
    kind = "devto"
    every = "10m"
    base_url = "{forem.url}"
    options = {{ tags = ["postgres", "sqlite"], include = ["articles", "comments"] }}
    """
    )
    earshot.upgrade()

    first = earshot("run", "--once")
    assert first.returncode == 0, first.stderr
    assert "first poll" in first.stderr and hook.alerts() == []

    forem.add(
        article(2, t - 30, title="SQLite in production", tags=["sqlite"], base=forem.url, last_comment=t - 20),
        article(3, t - 20, title="Postgres on a CSS site", tags=["css"], base=forem.url),
    )
    forem.reply(2, comment("x1", t - 20, "We run SQLite with Postgres beside it"))
    second = earshot("run", "--once")
    assert second.returncode == 0, second.stderr
    assert sorted(a["url"] for a in hook.alerts()) == sorted(
        [forem.articles[1]["url"], f"{forem.url}/bob/comment/x1"]
    )  # the css article is not of the feed's tags
    assert all(a["source"] == "devto" for a in hook.alerts())

    third = earshot("run", "--once")
    assert third.returncode == 0, third.stderr
    assert len(hook.alerts()) == 2  # nothing new: nothing again


def test_feeds_add_devto_takes_tags_and_a_forem_address(earshot: Earshot) -> None:
    earshot.write_config(CHAT.format(hook="https://hooks.example/x"))
    earshot.upgrade()
    added = earshot("feeds", "add", "devto", "python,webdev", "--base-url", "https://community.example")
    assert added.returncode == 0, added.stderr
    assert "added feed devto-python-webdev (devto)" in added.stdout
    bad = earshot("feeds", "add", "devto", "c++")
    assert bad.returncode == 2 and "not Dev.to tags" in bad.stderr
    listing = earshot("feeds", "list")
    assert "devto-python-webdev" in listing.stdout
