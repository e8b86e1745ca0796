"""Dev.to and Product Hunt feeds through `earshot run --once` and `earshot feeds add`, against fake APIs on
127.0.0.1, webhook out: the first run seeds, the next alerts the new item once, a third alerts nothing."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import Earshot
from tests.fakes.forem import FakeForem, article, comment
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.producthunt import FakeProductHunt, post
from tests.fakes.producthunt import comment as ph_comment
from tests.fakes.webhook import WebhookReceiver

pytestmark = pytest.mark.any_database  # the sources' subject is the same on any database

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


PH_FEED = """
    [[feeds]]
    name = "ph-dev"
    kind = "producthunt"
    every = "15m"
    base_url = "{url}"
    options = {{ topic = "developer-tools", include = ["posts", "comments"] }}
    """


def test_producthunt_seeds_then_alerts_a_new_post_and_comment_once_with_the_token_unseen(
    earshot: Earshot, server: FakeHttpServer, hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    ph = FakeProductHunt(server, token="ph-secret-token-0123456789")
    monkeypatch.setenv("PRODUCTHUNT_TOKEN", "ph-secret-token-0123456789")
    monkeypatch.setenv("PRODUCTHUNT_API_URL", ph.url)
    t = int(time.time())
    ph.add(post(1, t - 600, name="Pgwidget", tagline="Postgres dashboards"))
    earshot.write_config(CHAT.format(hook=hook.url) + PH_FEED.format(url=ph.url))
    earshot.upgrade()

    first = earshot("-v", "run", "--once")
    assert first.returncode == 0, first.stderr
    assert "first poll" in first.stderr and hook.alerts() == []

    ph.add(
        post(2, t - 30, name="Litebase", tagline="SQLite in the cloud"),
        post(3, t - 20, name="Paintly", topics=["design"]),
    )
    ph.reply(1, ph_comment(10, t - 10, "Does it work with Postgres 17?"))
    second = earshot("-v", "run", "--once")
    assert second.returncode == 0, second.stderr
    assert sorted(a["url"] for a in hook.alerts()) == [
        "https://www.producthunt.com/posts/litebase",
        "https://www.producthunt.com/posts/widget?comment=10",
    ]
    third = earshot("run", "--once")
    assert third.returncode == 0 and len(hook.alerts()) == 2
    logs = first.stderr + second.stderr + third.stderr
    assert "HTTP Request" in logs and "ph-secret-token-0123456789" not in logs

    monkeypatch.delenv("PRODUCTHUNT_TOKEN")
    missing = earshot("run", "--once")
    assert "set PRODUCTHUNT_TOKEN" in missing.stderr + missing.stdout


def test_doctor_checks_the_product_hunt_token(
    earshot: Earshot, server: FakeHttpServer, hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    ph = FakeProductHunt(server, token="right-token-123456")
    earshot.write_config(CHAT.format(hook=hook.url) + PH_FEED.format(url=ph.url))
    monkeypatch.delenv("PRODUCTHUNT_TOKEN", raising=False)
    unset = earshot("doctor")
    assert unset.returncode == 1, unset.stdout + unset.stderr
    assert "FIX  producthunt feed 'ph-dev': PRODUCTHUNT_TOKEN is not set" in unset.stdout
    assert "-> set PRODUCTHUNT_TOKEN to a developer token" in unset.stdout

    monkeypatch.setenv("PRODUCTHUNT_TOKEN", "wrong-token-987654")
    wrong = earshot("doctor")
    assert wrong.returncode == 1 and "HTTP 401" in wrong.stdout and "check PRODUCTHUNT_TOKEN" in wrong.stdout
    assert "wrong-token-987654" not in wrong.stdout + wrong.stderr

    monkeypatch.setenv("PRODUCTHUNT_TOKEN", "right-token-123456")
    right = earshot("doctor")
    assert right.returncode == 0, right.stdout
    assert (
        "ok   producthunt feed 'ph-dev': PRODUCTHUNT_TOKEN works (6240 of 6250 complexity points left" in right.stdout
    )
