"""The flood guard and `earshot explain` end to end: the real CLI, fake Hacker News in, a fake webhook out."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import Earshot
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.webhook import WebhookReceiver

# What these check (the CLI's words, parsing, secrets) is the same on any database: CI runs them on SQLite only.
pytestmark = pytest.mark.any_database


def config(algolia: FakeAlgolia, hook: WebhookReceiver) -> str:
    return f"""
        [chat]
        platform = "webhook"
        channel = "conversations"
        webhook_url = "{hook.url}"

        [fetch]
        allow_private = ["127.0.0.1"]

        [delivery]
        max_per_hour = 10

        [[feeds]]
        name = "hn"
        kind = "hackernews"
        every = "2m"
        base_url = "{algolia.base_url}"

        [[topics]]
        name = "databases"
        query = "postgres -hiring"
        min_score = 0
        exclude_authors = ["spammer"]

        [[topics]]
        name = "strict"
        query = "sqlite"
        min_score = 100
        """


def test_fifteen_matches_with_a_cap_of_ten_give_ten_alerts_and_one_digest_of_five_then_explain(
    earshot: Earshot, algolia: FakeAlgolia, hook: WebhookReceiver
) -> None:
    earshot.write_config(config(algolia, hook))
    earshot.upgrade()
    seeded = earshot("run", "--once")
    assert seeded.returncode == 0, seeded.stderr

    t = int(time.time())
    algolia.hits += [
        algolia_hit(9100 + n, t - 600 + n, title=f"Ask HN: Postgres question {n}?", num_comments=1) for n in range(15)
    ]
    algolia.hits += [
        algolia_hit(9200, t - 100, title="Ask HN: Postgres is slow, any fix?", author="spammer"),
        algolia_hit(9201, t - 90, title="Show HN: A new web framework"),
        algolia_hit(9202, t - 80, title="Released: a SQLite 4.0 announcement"),
    ]
    done = earshot("run", "--once")
    assert done.returncode == 0, done.stderr

    alerts = hook.alerts()
    digests = hook.digests()
    assert len(alerts) == 10
    assert len(digests) == 1
    [digest] = digests
    assert digest["count"] == 5 and len(digest["alerts"]) == 5
    assert digest["channel"] == "conversations"
    assert {a["alert_id"] for a in digest["alerts"]}.isdisjoint(a["alert_id"] for a in alerts)
    assert all(a["url"].startswith("https://news.ycombinator.com/item?id=91") for a in digest["alerts"])
    assert all(isinstance(a["score"], int) and a["title"] for a in digest["alerts"])
    assert "5 alerts held over the hourly cap; 1 digests posted with 5 alerts" in done.stderr

    # Nothing more on the next run: nothing lost, nothing twice.
    again = earshot("run", "--once")
    assert again.returncode == 0, again.stderr
    assert (len(hook.alerts()), len(hook.digests())) == (10, 1)

    # explain on an alert posted one by one.
    first = alerts[0]["alert_id"]
    out = earshot("explain", str(first))
    assert out.returncode == 0, out.stderr
    assert f"alert {first} · topic databases" in out.stdout
    assert "delivered at" in out.stdout and f"as message earshot-alert-{first}" in out.stdout
    assert "databases: ALERT (score" in out.stdout
    assert "+ postgres: found in the title" in out.stdout
    assert "- hiring: not found" in out.stdout
    assert "query: postgres -hiring  -> true" in out.stdout
    assert "score: base +25" in out.stdout
    assert "strict: NO MATCH" in out.stdout

    # explain on an alert the flood guard held and posted in the digest.
    held = digest["alerts"][0]["alert_id"]
    out = earshot("explain", str(held))
    assert out.returncode == 0, out.stderr
    assert "delivered in a digest: held by the flood guard at" in out.stdout
    assert "posted in digest earshot-digest-" in out.stdout

    # explain on a URL, in another form than stored: the filtered-out item.
    out = earshot("explain", "HTTPS://news.ycombinator.com/item?id=9200&utm_source=feed")
    assert out.returncode == 0, out.stderr
    assert "Alerts recorded: none" in out.stdout
    assert "databases: FILTERED OUT" in out.stdout
    assert "filters: not by spammer -> dropped: author 'spammer' is excluded" in out.stdout

    # Not matched by any topic.
    out = earshot("explain", "https://news.ycombinator.com/item?id=9201")
    assert out.returncode == 0, out.stderr
    assert "databases: NO MATCH" in out.stdout and "strict: NO MATCH" in out.stdout

    # Below the topic's minimum: stored, viewable, not posted.
    out = earshot("explain", "https://news.ycombinator.com/item?id=9202")
    assert out.returncode == 0, out.stderr
    assert "below_min: kept, not posted" in out.stdout
    assert "strict: BELOW MIN (score" in out.stdout and "< min_score 100)" in out.stdout
    listed = earshot("alerts", "list", "--state", "below_min")
    assert listed.returncode == 0, listed.stderr
    assert "strict" in listed.stdout and "below_min" in listed.stdout and "SQLite 4.0" in listed.stdout
    assert "databases" not in listed.stdout
    everything = earshot("alerts", "list", "--topic", "databases", "--limit", "100")
    assert everything.stdout.count("delivered (digest)") == 5
    assert len(everything.stdout.splitlines()) == 16  # a header and 15 rows

    # Unknown alert, unknown URL: a clear error.
    missing = earshot("explain", "999999")
    assert missing.returncode == 1 and "there is no alert 999999" in missing.stderr
    unknown = earshot("explain", "https://example.com/never-seen")
    assert unknown.returncode == 1 and "no stored conversation at https://example.com/never-seen" in unknown.stderr


def test_topics_add_takes_filters_and_refuses_a_bad_language(earshot: Earshot) -> None:
    earshot.write_config('[[topics]]\nname = "databases"\nquery = "postgres"\n')
    earshot.upgrade()
    added = earshot(
        "topics",
        "add",
        "pg-de",
        "postgres",
        "--languages",
        "en, DE",
        "--exclude-author",
        "ourbot",
        "--exclude-source",
        "reddit",
        "--exclude-source",
        "hn-jobs",
    )
    assert added.returncode == 0, added.stderr
    listing = earshot("topics", "list")
    assert listing.returncode == 0, listing.stderr
    [line] = [row for row in listing.stdout.splitlines() if row.startswith("pg-de")]
    assert line.endswith("postgres [lang en,de; not by ourbot; not from reddit,hn-jobs]")
    bad = earshot("topics", "add", "pg-xx", "postgres", "--languages", "english")
    assert bad.returncode == 2
    assert "language 'english' is not a two-letter ISO 639-1 code" in bad.stderr
