"""End to end: alerts reach the webhook with their context summary, and a crosspost is one alert listing both."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import Earshot
from tests.e2e.test_run_once import config
from tests.fakes.algolia import FakeAlgolia, FakeAlgoliaItems, algolia_hit, algolia_item, comment_item
from tests.fakes.feeds import FakeRss, RssItem
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.webhook import WebhookReceiver

# What the summary and the webhook payload say: the same on any database (storing crossposts is in the contract).
pytestmark = pytest.mark.any_database


def test_the_webhook_payload_carries_the_summary_of_the_thread(
    earshot: Earshot, algolia: FakeAlgolia, server: FakeHttpServer, hook: WebhookReceiver
) -> None:
    earshot.write_config(config(algolia, [], hook))
    earshot.upgrade()
    assert earshot("run", "--once").returncode == 0  # the first poll seeds

    t = int(time.time())
    algolia.hits.append(
        algolia_hit(
            9101,
            t - 120,
            title="Ask HN: Which Postgres connection pooler do you run?",
            text="We have 40 services. Is PgBouncer still the default choice?",
            points=5,
            num_comments=0,
        )
    )
    items = FakeAlgoliaItems(server)
    story = {"id": 9101, "type": "story", "by": "pg", "time": t - 120, "score": 17}
    story |= {
        "title": "Ask HN: Which Postgres connection pooler do you run?",
        "text": "Is PgBouncer still the default?",
    }
    items.add(
        algolia_item(
            story,
            [
                comment_item(9102, "PgBouncer in transaction mode still works well for our many services.", at=t - 60),
                comment_item(9103, "Thanks!", at=t - 50),
            ],
        )
    )

    done = earshot("run", "--once")

    assert done.returncode == 0, done.stderr
    [alert] = hook.alerts()
    assert alert["summary"] == {
        "question": "Ask HN: Which Postgres connection pooler do you run? Is PgBouncer still the default choice?",
        "said": ["PgBouncer in transaction mode still works well for our many services."],
        "method": "extractive",
    }
    assert (alert["thread_size"], alert["points"]) == (2, 17)  # the thread's fresh numbers
    assert alert["also_seen"] == []
    assert len(items.requests(9101)) == 1


def test_a_link_seen_on_hacker_news_and_an_rss_feed_is_one_alert_listing_both(
    earshot: Earshot, algolia: FakeAlgolia, blog: FakeRss, hook: WebhookReceiver
) -> None:
    earshot.write_config(config(algolia, [blog], hook))
    earshot.upgrade()
    assert earshot("run", "--once").returncode == 0  # the first poll seeds both feeds

    article = "http://example.com/postgres-17-upgrade"
    t = int(time.time())
    algolia.hits.append(
        algolia_hit(9201, t - 60, title="Upgrading to Postgres 17", url=f"{article}?utm_source=hn", points=30)
    )
    blog.items.append(RssItem("pg17", "Upgrading to Postgres 17", article, "What we learned upgrading Postgres"))
    blog.items.append(RssItem("other", "Rust in production", "http://example.com/rust", "Rust all the way"))

    done = earshot("run", "--once")

    assert done.returncode == 0, done.stderr
    alerts = hook.alerts()
    databases = [a for a in alerts if a["topic"] == "databases"]
    assert len(databases) == 1, databases
    [alert] = databases
    assert len(alert["also_seen"]) == 1
    both = {alert["source"], alert["also_seen"][0]["source"]}
    assert both == {"hackernews", "rss"}
    urls = {alert["url"], alert["also_seen"][0]["url"]}
    assert urls == {"https://news.ycombinator.com/item?id=9201", article}
    assert [a["topic"] for a in alerts if a["topic"] != "databases"] == ["rust"]  # other alerts are unaffected
