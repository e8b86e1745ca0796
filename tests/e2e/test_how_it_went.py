"""`earshot team`, `earshot report` and `earshot topics suggest` as a user runs them, on a database with history."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

from earshot.adapters.storage import SqlStore, migrate
from earshot.bot.domain import Conversation, Outcome, OutcomeKind
from earshot.bot.ports import NewAlert
from tests.bot.finding.test_feedback import DISMISSED, KEPT
from tests.e2e.conftest import Earshot

CONFIG = """
    [chat]
    platform = "console"

    [outcomes]
    custom = ["conference talk"]

    [[topics]]
    name = "databases"
    query = 'postgres OR sqlite'

    [[team]]
    member = "U024BE7LH"
    name = "Alice"
    handles = { hackernews = "Alice", mastodon = "@alice@hachyderm.io" }
    """


async def history(url: str) -> None:
    """Alerts of the last days: the dismissed crypto ones, the claimed Postgres ones (two replied)."""
    await migrate.upgrade(url)
    store = SqlStore.from_url(url)
    now = datetime.now(UTC) - timedelta(days=2)
    try:
        async with store.unit() as unit:
            items = [
                Conversation("hackernews", str(n), f"https://news.ycombinator.com/item?id={n}", title)
                for n, title in enumerate(DISMISSED + KEPT)
            ]
            stored = await unit.insert_conversations(items, "hn", now)
            await unit.insert_alerts([NewAlert(cid, "databases", None, ("postgres",), 60) for cid, _ in stored], now)
            alerts = await unit.lease_alerts(now, "sender", timedelta(minutes=5), 100)
            for alert in alerts:
                await unit.mark_delivered(alert.id, "sender", now, f"console:{alert.id}")
                if alert.conversation.title in DISMISSED:
                    await unit.add_outcome(Outcome(alert.id, OutcomeKind.NOT_RELEVANT, "U2", now))
                else:
                    await unit.claim(alert.id, "U024BE7LH", now + timedelta(hours=2))
            replied = [a for a in alerts if a.conversation.title in KEPT][:2]
            for alert in replied:
                await unit.add_outcome(Outcome(alert.id, OutcomeKind.REPLIED, "U024BE7LH", now + timedelta(hours=3)))
    finally:
        await store.close()


def test_team_handles_from_the_file_and_the_command_line(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    if earshot.database_url.startswith("postgresql"):
        earshot.upgrade()
    done = earshot("team", "set", "U99", "--name", "Bob", "hackernews=bob", "reddit=u/Bob_R")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Bob: hackernews=bob · reddit=bob_r"
    listing = earshot("team", "list")
    assert listing.stdout.splitlines() == [
        "Alice (U024BE7LH): hackernews=alice · mastodon=alice@hachyderm.io",
        "Bob (U99): hackernews=bob · reddit=bob_r",
    ]
    taken = earshot("team", "set", "U99", "hackernews=alice")
    assert taken.returncode == 1
    assert "error: alice on hackernews is linked to Alice already" in taken.stderr
    bad = earshot("team", "set", "U99", "bob")
    assert bad.returncode == 1 and "'bob' is not source=handle" in bad.stderr


def test_report_in_every_format_and_topic_suggestions(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    asyncio.run(history(earshot.database_url))
    text = earshot("report", "--since", "7d")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[:2] == [
        f"Since {(datetime.now(UTC) - timedelta(days=7)):%Y-%m-%d} (7d): 9 alerts, 5 claimed (56%), "
        "median time to claim 2 h",
        "Replied to 2 (40% of claimed), 0 got answers (0% of replies); 0 unclaimed went stale",
    ]
    assert "  Alice: 5 claimed, claims in 2 h, replied 2 (40%), answered 0, recorded: replied 2" in text.stdout
    table = earshot("report", "--since", "7d", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert [(r["group"], r["key"], r["alerts"], r["claimed"], r["replied"]) for r in rows] == [
        ("total", "", "9", "5", "2"),
        ("topic", "databases", "9", "5", "2"),
        ("person", "Alice", "5", "5", "2"),
        ("source", "hackernews", "9", "5", "2"),
        ("community", "hackernews", "9", "5", "2"),
    ]
    markdown = earshot("report", "--since", "7d", "--format", "markdown")
    assert markdown.stdout.startswith("# Earshot report, last 7d\n") and "| databases | 9 |" in markdown.stdout
    png = earshot("report", "--since", "7d", "--format", "png", "--output", "week.png")
    assert png.stdout.strip() == "wrote week.png"
    assert (earshot.workdir / "week.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    bad = earshot("report", "--since", "lately")
    assert bad.returncode == 2 and "--since 'lately'" in bad.stderr

    suggested = earshot("topics", "suggest", "databases")
    assert suggested.returncode == 0, suggested.stderr
    assert suggested.stdout.splitlines() == [
        "databases: 4 dismissed and 5 claimed alerts suggest excluding:",
        "  crypto: in 3 dismissed, 0 claimed",
        "  token: in 3 dismissed, 0 claimed",
        "  airdrop: in 2 dismissed, 0 claimed",
        "",
        "In the config file, [[topics]] name = 'databases':",
        "query = '(postgres OR sqlite) -crypto -token -airdrop'",
    ]
    missing = earshot("topics", "suggest", "nope")
    assert missing.returncode == 1 and "there is no topic 'nope'" in missing.stderr
