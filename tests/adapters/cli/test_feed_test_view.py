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


def test_explain_says_an_item_was_held_for_its_language() -> None:
    from dataclasses import replace

    from earshot.adapters.cli.explain_view import delivery_line, explanation
    from earshot.bot.domain import Alert, DeliveryState
    from earshot.bot.finding.explain import Explanation, explain_item
    from earshot.bot.ports import StoredConversation

    german = item(
        3,
        "Welcher Connection Pooler für Postgres?",
        "Wir betreiben pgbouncer vor einer ausgelasteten Datenbank und bekommen ständig Zeitüberschreitungen.",
    )
    stored = StoredConversation(9, german, "blog", T0)
    topics = [Topic("pg", "postgres"), Topic("pg-fr", "postgres", languages=("fr",))]
    language, verdicts = explain_item(stored, topics, ScoringPolicy(languages=frozenset({"en"})))
    text = explanation(Explanation(stored, language, verdicts, ()), "conversations")
    assert "  pg: BELOW MIN (written in German (de); the team reads en)" in text
    assert "  pg-fr: BELOW MIN (written in German (de); this topic reads fr)" in text
    assert "    languages: fr (replacing the team's)" in text
    assert "-100  written in German (de); the team reads en (language)" in text
    alert = Alert(
        1,
        "pg",
        None,
        german,
        ("postgres",),
        0,
        T0,
        DeliveryState.BELOW_MIN,
        reasons=("written in German (de); the team reads en",),
    )
    assert delivery_line(alert) == "below_min: kept, not posted (written in German (de); the team reads en)"
    assert delivery_line(replace(alert, reasons=("3 replies",))).endswith("(its score is under the topic's min_score)")
