"""`earshot topics add|edit|show|preview` with what a topic means, through the real CLI on the test database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import Earshot
from tests.fakes.feeds import FakeRss, RssItem

# The topic fields' storage is the storage contract's subject, on both databases; here it is the commands.
pytestmark = pytest.mark.any_database

CONFIG = """
    [chat]
    platform = "console"
    channel = "conversations"

    [fetch]
    allow_private = ["127.0.0.1"]

    [scoring]
    languages = ["en"]

    [[topics]]
    name = "databases"
    query = "postgres"
    about = "People running PostgreSQL in production"
    """


def test_a_topic_says_what_it_means_and_can_be_edited(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    earshot.upgrade()
    added = earshot(
        "topics",
        "add",
        "vector-db",
        '"vector database" OR pgvector',
        "--about",
        "Choosing and running vector search for teams storing embeddings",
        "--example",
        "Which vector database for 50M embeddings?",
        "--example",
        "pgvector got slow after 2M rows, which index settings?",
        "--counter-example",
        "Hiring: vector database engineer",
        "--without-keyword",
        "--accept",
        "Only questions, not vendor news",
    )
    assert added.returncode == 0, added.stderr
    shown = earshot("topics", "show", "vector-db")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "about:      Choosing and running vector search for teams storing embeddings" in out
    assert "    - Which vector database for 50M embeddings?\n    - pgvector got slow after 2M rows" in out
    assert "not worth joining:\n    - Hiring: vector database engineer" in out
    assert "matching:   the query, and items close in meaning without a keyword" in out
    assert "accept:     Only questions, not vendor news" in out
    assert "languages:  the team's (en)" in out
    listing = earshot("topics", "list").stdout
    [line] = [row for row in listing.splitlines() if row.startswith("vector-db")]
    assert line.endswith("[about; 2 examples; 1 counter example; without keyword; accept]")

    edited = earshot(
        "topics", "edit", "vector-db", "--example", "Qdrant or pgvector?", "--no-counter-examples", "--keyword-only"
    )
    assert edited.returncode == 0, edited.stderr
    assert "changed topic vector-db" in edited.stdout
    shown = earshot("topics", "show", "vector-db").stdout
    assert "    - Qdrant or pgvector?" in shown and "50M embeddings" not in shown
    assert "not worth joining" not in shown and "matching:   the query only" in shown
    assert "about:      Choosing and running vector search" in shown  # what was not given stays

    # Mistakes: a clear message, exit 2, nothing changed.
    bare = earshot("topics", "add", "bare", "postgres", "--without-keyword")
    assert bare.returncode == 2
    assert "without_keyword: needs about" in bare.stderr
    long = earshot("topics", "add", "long", "postgres", "--example", "x" * 501)
    assert long.returncode == 2 and "keep each to 500" in long.stderr
    nothing = earshot("topics", "edit", "vector-db")
    assert nothing.returncode == 2 and "nothing to change" in nothing.stderr
    from_file = earshot("topics", "edit", "databases", "--about", "other")
    assert from_file.returncode == 1 and "defined in the config file; change it there" in from_file.stderr
    missing = earshot("topics", "show", "nope")
    assert missing.returncode == 1 and "there is no topic 'nope'" in missing.stderr
    assert "bare" not in earshot("topics", "list").stdout
    assert "Traceback" not in bare.stderr + long.stderr + nothing.stderr + from_file.stderr + missing.stderr


def test_preview_tries_a_draft_on_the_stored_items_and_saves_nothing(earshot: Earshot, blog: FakeRss) -> None:
    fresh = datetime.now(UTC) - timedelta(minutes=10)
    blog.items += [
        RssItem(
            "1",
            "Which vector database would you pick for 50M embeddings?",
            "http://example.com/ask",
            "We need to choose a vector database for our search product. Any recommendations?",
            published=fresh,
        ),
        RssItem(
            "2",
            "Welche Vektordatenbank für 50 Millionen Embeddings?",
            "http://example.com/frage",
            "Wir müssen eine Vektordatenbank für unser Suchprodukt auswählen. Habt ihr Empfehlungen für uns?",
            published=fresh,
        ),
        RssItem("3", "Rust 2026 survey results", "http://example.com/rust", "The results are in.", published=fresh),
    ]
    earshot.write_config(CONFIG + f'\n[[feeds]]\nname = "blog"\nkind = "rss"\nurl = "{blog.url}"\nevery = "15m"\n')
    earshot.upgrade()
    ran = earshot("run", "--once")  # the first poll stores what is there and alerts nothing
    assert ran.returncode == 0, ran.stderr

    shown = earshot(
        "topics",
        "preview",
        "vector-db",
        '"vector database" OR vektordatenbank',
        "--about",
        "Vector search",
        "--days",
        "2",
    )
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "draft topic vector-db" in out and "nothing saved" in out
    assert "3 items stored in the last 2 days: 1 would have been posted, 1 held, 1 not matched" in out
    posted, held = out.split("WOULD HAVE BEEN POSTED")[1].split("HELD")
    assert "Which vector database would you pick" in posted and "asks for a recommendation" in posted
    assert "Welche Vektordatenbank" in held and "held: written in German (de); the team reads en" in held
    assert "vector-db" not in earshot("topics", "list").stdout  # saved nothing

    # A high minimum holds what would have been posted, with its score against the minimum.
    strict = earshot("topics", "preview", "vector-db", '"vector database"', "--min-score", "100").stdout
    assert "0 would have been posted, 1 held" in strict and "below min score 100" in strict
    bad = earshot("topics", "preview", "x", "postgres", "--days", "0")
    assert bad.returncode == 2 and "--days 0" in bad.stderr
