"""The console chat: alerts readable at a glance, and third-party text that cannot rewrite the terminal."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from earshot.adapters.chat.console import ConsoleChat, render_alert
from earshot.bot.actions.alert_card import alert_card
from earshot.bot.domain import Alert, Conversation, Notice, Sighting, Summary

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# What must never reach a terminal from a feed: ESC (and so every escape sequence), BEL, bidi and zero-width marks.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

COMMENT = Conversation(
    source="hackernews",
    external_id="9003",
    url="https://news.ycombinator.com/item?id=9003",
    title="Re: Show HN: A new web framework",
    text="We moved from Mongo to\n\n  Postgres, any   regrets?",
    author="alice",
    created_at=T0 - timedelta(minutes=30),
    thread_size=14,
    points=3,
    link="https://example.com/framework",
    community="Show HN",
    kind="comment",
)
ALERT = Alert(
    42,
    "databases",
    "db-talk",
    COMMENT,
    ("postgres", "mongo"),
    50,
    T0,
    reasons=("asks a question", "30 min old", "14 replies"),
)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_render_shows_everything_a_person_needs_to_decide() -> None:
    text = render_alert(alert_card(ALERT), "conversations", "30 min ago")

    assert text.splitlines() == [
        "── #db-talk · databases · hackernews · Show HN · 30 min ago ".ljust(72, "─"),
        "  Re: Show HN: A new web framework",
        "  https://news.ycombinator.com/item?id=9003",
        "  links to https://example.com/framework",
        "  score 50 · asks a question · 30 min old · 14 replies",
        "  by alice · 3 points · 14 replies · matched: postgres, mongo",
        "  > We moved from Mongo to Postgres, any regrets?",
    ]


def test_render_uses_the_default_channel_and_leaves_out_what_is_unknown() -> None:
    bare = Conversation("rss", "post-1", "https://blog.example.com/p/1", "Postgres tips")
    alert = Alert(7, "databases", None, bare, ("postgres",), 60, T0)

    assert render_alert(alert_card(alert), "conversations", "").splitlines() == [
        "── #conversations · databases · rss ".ljust(72, "─"),
        "  Postgres tips",
        "  https://blog.example.com/p/1",
        "  score 60",
        "  matched: postgres",
    ]


def test_a_long_text_is_cut_to_an_excerpt() -> None:
    long = Conversation("rss", "p", "https://blog.example.com/p", "Postgres", text="word " * 200)

    text = render_alert(alert_card(Alert(1, "databases", None, long, ("postgres",), 60, T0)), "conversations", "")

    last = text.splitlines()[-1]
    assert last.startswith("  > word word")
    assert last.endswith("…")
    assert len(last) <= len("  > ") + 280


async def test_send_alert_writes_to_the_stream_with_its_age_and_returns_a_ref() -> None:
    stream = io.StringIO()
    chat = ConsoleChat(Clock(), "conversations", stream)

    ref = await chat.send_alert(ALERT)

    assert ref == "console:42"
    assert stream.getvalue() == render_alert(alert_card(ALERT), "conversations", "30 min ago") + "\n\n"


@pytest.mark.parametrize(
    ("created_at", "age"),
    [
        (T0 - timedelta(seconds=20), "just now"),
        (T0 - timedelta(hours=5), "5 h ago"),
        (T0 - timedelta(days=3), "3 days ago"),
    ],
)
async def test_the_age_is_counted_from_the_clock(created_at: datetime, age: str) -> None:
    stream = io.StringIO()
    alert = Alert(
        1, "databases", None, Conversation("rss", "p", "https://b.example/p", "T", created_at=created_at), (), 1, T0
    )

    await ConsoleChat(Clock(), "conversations", stream).send_alert(alert)

    assert f" · {age} " in stream.getvalue().splitlines()[0]


async def test_escape_sequences_and_bidi_controls_in_third_party_text_are_removed() -> None:
    hostile = Conversation(
        source="rss",
        external_id="p1",
        url="https://blog.example.com/p/1",
        title="\x1b[2J\x1b[HPostgres\x1b[0m \u202eslit\u202c tips\x07",
        text="Read \x1b]8;;https://evil.example/\x1b\\this\x1b]8;;\x1b\\ \u2066now\u2069\u200b",
        author="\x1b[31mmallory\x1b[0m",
        community="Planet\u202e Postgres",
    )
    alert = Alert(1, "databases", None, hostile, ("postgres",), 60, T0, reasons=("no question\x1b[0m or request",))
    stream = io.StringIO()

    await ConsoleChat(Clock(), "conversations", stream).send_alert(alert)

    out = stream.getvalue()
    assert UNSAFE.search(out) is None
    assert "[2J" not in out and "8;;" not in out  # whole sequences go, not just their ESC
    lines = out.splitlines()
    assert lines[1] == "  Postgres slit tips"
    assert lines[3] == "  score 60 · no question or request"
    assert "by mallory" in lines[4]
    assert lines[5] == "  > Read this now"
    assert "Planet Postgres" in lines[0]


async def test_escape_sequences_in_a_link_are_removed_too() -> None:
    story = Conversation(
        "hackernews",
        "1",
        "https://news.ycombinator.com/item?id=1",
        "Postgres",
        link="https://example.com/\x1b[2J\u202egpj.exe",
    )
    stream = io.StringIO()

    await ConsoleChat(Clock(), "conversations", stream).send_alert(Alert(1, "t", None, story, (), 1, T0))

    assert UNSAFE.search(stream.getvalue()) is None


async def test_a_notice_is_printed_with_its_level() -> None:
    stream = io.StringIO()

    await ConsoleChat(Clock(), "conversations", stream).send_notice(
        Notice("warning", "Feed hn has failed 3 times in a row: HTTP 503.", feed="hn")
    )

    assert stream.getvalue() == "[earshot warning] Feed hn has failed 3 times in a row: HTTP 503.\n\n"


async def test_a_notice_is_cleaned_too() -> None:
    stream = io.StringIO()

    await ConsoleChat(Clock(), "conversations", stream).send_notice(Notice("error", "bad \x1b[31mfeed\x1b[0m\u202e"))

    assert stream.getvalue() == "[earshot error] bad feed\n\n"


def test_the_summary_replaces_the_excerpt_and_other_discussions_are_listed() -> None:
    summary = Summary("Any regrets moving from Mongo to Postgres?", ("Migrations got easier.", "Ops was \x1b[31mhard."))
    seen = Sighting("reddit", "https://reddit.example/r/db/1", "Mongo to Postgres", "r/databases", 12, 40)
    text = render_alert(alert_card(replace(ALERT, summary=summary, also_seen=(seen,))), "conversations", "30 min ago")

    lines = text.splitlines()
    assert "  > Any regrets moving from Mongo to Postgres?" in lines
    assert "  · Migrations got easier." in lines
    assert "  · Ops was hard." in lines
    assert "  > We moved" not in text  # the summary stands in for the raw excerpt
    assert (
        "  also on reddit · r/databases: Mongo to Postgres https://reddit.example/r/db/1 (40 points · 12 replies)"
        in lines
    )
    assert not UNSAFE.search(text.replace("\n", ""))
