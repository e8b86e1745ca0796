"""`earshot feeds test` shows, item by item, the score, whether `run` would post or hold it, and why."""

from __future__ import annotations

from datetime import timedelta

from earshot.adapters.cli.views import feed_test_report
from earshot.bot.domain import Conversation, Feed, Topic
from earshot.bot.finding.preview import preview
from earshot.bot.finding.scoring import ScoringPolicy
from tests.fakes.clock import T0

FEED = Feed("blog", "rss", timedelta(minutes=15), url="https://blog.example.com/feed.xml")


def item(n: int, title: str, text: str, minutes: int = 20) -> Conversation:
    return Conversation(
        "rss", str(n), f"https://blog.example.com/{n}", title, text, created_at=T0 - timedelta(minutes=minutes)
    )


def test_each_item_shows_its_score_whether_it_would_be_posted_or_held_and_the_reasons() -> None:
    items = [
        item(1, "Which Postgres connection pooler should we use?", "pgbouncer keeps timing out. Any advice?"),
        item(2, "Postgres 17 released", "The PostgreSQL Global Development Group announces PostgreSQL 17.", 4000),
        item(
            3,
            "Welcher Connection Pooler für Postgres?",
            "Wir betreiben pgbouncer vor einer ausgelasteten Datenbank und bekommen ständig Zeitüberschreitungen.",
        ),
        item(4, "A web framework", "Nothing about databases."),
    ]
    topics = [Topic("pg", "postgres", min_score=50)]
    previews = preview(items, FEED.name, topics, T0, ScoringPolicy(languages=frozenset({"en"})))
    report = feed_test_report(FEED, previews, T0)
    lines = report.splitlines()
    assert lines[0] == "blog (rss): 4 items: 1 would be posted, 2 held (2 below min_score), 1 match no topic"
    posted = next(line for line in lines if line.strip().startswith("POST"))
    assert posted.strip().startswith("POST  pg: score ") and "(min_score 50) [postgres]: " in posted
    assert "20 min old" in posted
    held = [line.strip() for line in lines if line.strip().startswith("HELD")]
    assert held[0].startswith("HELD  pg: score ") and ", below min_score 50 [postgres]: " in held[0]
    assert held[1] == "HELD  pg: written in German (de); the team reads en"
    assert "A web framework" not in report
