"""`earshot run --once` end to end: fake Hacker News and RSS in, webhook out, on the test database."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import Earshot
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.feeds import FakeRss, RssItem
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.webhook import WebhookReceiver


def config(
    algolia: FakeAlgolia, blogs: list[FakeRss], hook: WebhookReceiver, extra: str = "", min_score: int = 0
) -> str:
    """A config for these tests; ``min_score`` 0 by default, since they test the pipeline, not the score."""
    feeds = "".join(
        f"""
        [[feeds]]
        name = "blog{i}"
        kind = "rss"
        url = "{blog.url}"
        every = "15m"
        """
        for i, blog in enumerate(blogs)
    )
    return f"""
        [chat]
        platform = "webhook"
        channel = "conversations"
        webhook_url = "{hook.url}"

        [fetch]
        allow_private = ["127.0.0.1"]
        {extra}
        [[feeds]]
        name = "hn"
        kind = "hackernews"
        every = "2m"
        base_url = "{algolia.base_url}"
        {feeds}
        [[topics]]
        name = "databases"
        query = 'postgres OR sqlite OR "vector database"'
        channel = "db-talk"
        min_score = {min_score}

        [[topics]]
        name = "rust"
        query = "rust -job"
        min_score = {min_score}
        """


def now() -> int:
    return int(time.time())


def test_seed_then_alert_once_then_nothing_then_exactly_one(
    earshot: Earshot, algolia: FakeAlgolia, server: FakeHttpServer, hook: WebhookReceiver
) -> None:
    blog = FakeRss(server, "/blog.xml")
    planet = FakeRss(server, "/planet.xml", title="Planet Databases")
    t = now()
    algolia.hits += [
        algolia_hit(9001, t - 600, title="Ask HN: Postgres or SQLite for a side project?", points=12, num_comments=3),
        algolia_hit(9002, t - 500, title="Show HN: A new web framework", points=2),
    ]
    blog.items += [RssItem("post-1", "Rust 2026 survey", "http://example.com/rust-survey", "Results are in")]
    earshot.write_config(config(algolia, [blog, planet], hook))
    earshot.upgrade()

    first = earshot("run", "--once")
    assert first.returncode == 0, first.stderr
    assert "first poll" in first.stderr
    assert hook.alerts() == []  # a new feed's first poll records what is there and alerts nothing

    algolia.hits.append(
        algolia_hit(
            9003,
            now() - 30,
            text="We moved from Mongo to <i>Postgres</i>, any regrets?",
            author="alice",
            story_id=9002,
            story_title="Show HN: A new web framework",
        )
    )
    published = datetime.now(UTC) - timedelta(minutes=5)
    shared = RssItem(
        "blog-42",
        "Choosing a vector database",
        "http://example.com/vector-db",
        "pgvector vs qdrant",
        author="Bob",
        published=published,
    )
    blog.items.append(shared)
    # The same post through an aggregator, under its own guid: the same conversation, alerted once.
    planet.items.append(RssItem("planet-7", shared.title, shared.link, shared.description, published=published))
    second = earshot("run", "--once")
    assert second.returncode == 0, second.stderr
    alerts = hook.alerts()
    assert sorted((a["topic"], a["url"]) for a in alerts) == [
        ("databases", "http://example.com/vector-db"),
        ("databases", "https://news.ycombinator.com/item?id=9003"),
    ]
    comment = next(a for a in alerts if a["source"] == "hackernews")
    assert comment["channel"] == "db-talk"
    assert comment["author"] == "alice"
    assert comment["title"] == "Re: Show HN: A new web framework"
    assert comment["excerpt"] == "We moved from Mongo to Postgres, any regrets?"
    assert comment["matched"] == ["postgres"]
    assert isinstance(comment["alert_id"], int) and isinstance(comment["score"], int)
    assert comment["created_at"].startswith(datetime.fromtimestamp(now() - 30, UTC).strftime("%Y-%m-%d"))
    assert {
        "alert_id",
        "topic",
        "source",
        "title",
        "url",
        "author",
        "created_at",
        "excerpt",
        "matched",
        "score",
        "reasons",
    } <= set(comment)
    assert comment["reasons"] and all(isinstance(r, str) for r in comment["reasons"])
    ids = [r.headers.get("idempotency-key") for r in hook.received]
    assert ids == [f"earshot-alert-{a['alert_id']}" for a in alerts]

    third = earshot("run", "--once")
    assert third.returncode == 0, third.stderr
    assert len(hook.alerts()) == 2  # nothing new, nothing twice

    algolia.hits.append(algolia_hit(9004, now() - 5, title="Rust and SQLite in production", points=40))
    fourth = earshot("run", "--once")
    assert fourth.returncode == 0, fourth.stderr
    newest = hook.alerts()[2:]
    assert sorted(a["topic"] for a in newest) == ["databases", "rust"]  # one item, one alert per matching topic
    assert {a["url"] for a in newest} == {"https://news.ycombinator.com/item?id=9004"}


def test_late_indexed_item_with_an_older_timestamp_is_still_alerted(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver, blog: FakeRss
) -> None:
    t = now()
    algolia.hits.append(algolia_hit(100, t - 60, title="Postgres tips", points=1))
    earshot.write_config(config(algolia, [blog], hook))
    earshot.upgrade()
    assert earshot("run", "--once").returncode == 0
    # Indexed only now, but stamped before the newest item the last poll saw (Algolia indexing lag).
    algolia.hits.append(algolia_hit(101, t - 120, title="SQLite is enough", points=1))
    done = earshot("run", "--once")
    assert done.returncode == 0, done.stderr
    assert [a["url"] for a in hook.alerts()] == ["https://news.ycombinator.com/item?id=101"]


def test_with_the_default_min_score_only_joinable_items_are_posted(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver
) -> None:
    earshot.write_config(config(algolia, [], hook, min_score=50))
    earshot.upgrade()
    assert earshot("run", "--once").returncode == 0  # seeds
    t = now()
    algolia.hits += [
        algolia_hit(201, t - 600, title="Ask HN: Postgres or SQLite for a side project?", num_comments=2),
        algolia_hit(202, t - 600, title="Hiring: senior Postgres engineer (remote, full-time)", num_comments=0),
    ]
    done = earshot("run", "--once")
    assert done.returncode == 0, done.stderr
    [posted] = hook.alerts()
    assert posted["url"] == "https://news.ycombinator.com/item?id=201"
    assert posted["score"] >= 50
    assert posted["reasons"][0] == "asks a question"
