"""Rendering: neutralised third-party text, and embeds within Discord's limits whatever the input."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import discord
from hypothesis import given
from hypothesis import strategies as st

from earshot.adapters.chat.discord.invite import invite_url, missing_in, needed_permissions
from earshot.adapters.chat.discord.render import (
    alert_embed,
    answer_text,
    cut,
    link,
    neutralise,
    outcome_lines,
    safe_url,
)
from earshot.adapters.chat.discord.views import more_options
from earshot.bot.actions.alert_card import alert_card
from earshot.bot.domain import Alert, Conversation, Outcome, OutcomeKind, Sighting, Summary

T = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
PINGS = re.compile(r"@(everyone|here)|<[@#]")


def alert(**conversation: object) -> Alert:
    conversation.setdefault("title", "Which vector database?")
    c = Conversation(source="hackernews", external_id="1", url="https://news.ycombinator.com/item?id=1", **conversation)  # type: ignore[arg-type]
    return Alert(id=7, topic="vector-db", channel=None, conversation=c, matched=("pgvector",), score=72, created_at=T)


@given(st.text())
def test_neutralised_text_never_pings_or_links(text: str) -> None:
    safe = neutralise(text)
    assert not PINGS.search(safe)
    assert not MASKED_LINK.search(safe)


def test_neutralising_keeps_the_words_readable() -> None:
    assert neutralise("hi @everyone, see [docs](https://x.io) <@123>") == (
        "hi @\u200beveryone, see \\[docs\\](https://x.io) \\<\u200b@\u200b123\\>"
    )
    assert neutralise("# Heading\n> quote\n-# small") == "\\# Heading\n\\> quote\n\\-# small"
    assert neutralise("**bold** _it_ ~~s~~ `code` ||spoiler||") == (
        "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~ \\`code\\` \\|\\|spoiler\\|\\|"
    )


def test_cut_never_leaves_half_an_escape() -> None:
    assert cut("abc\\[def", 5) == "abc…"
    assert cut("short", 10) == "short"
    assert len(cut("x" * 300, 256)) == 256


def test_only_http_urls_are_linked_and_they_cannot_close_the_link() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://e.com/a_(b) c") == "https://e.com/a_%28b%29%20c"
    assert link("[x](https://evil)", "https://ok.example/") == "[\\[x\\](https://evil)](https://ok.example/)"


@given(
    title=st.text(min_size=0, max_size=2000),
    text=st.text(max_size=10000),
    reasons=st.lists(st.text(max_size=500), max_size=40),
    notes=st.lists(st.text(max_size=1000), max_size=30),
    sightings=st.integers(0, 40),
)
def test_embeds_stay_within_discords_limits(
    title: str, text: str, reasons: list[str], notes: list[str], sightings: int
) -> None:
    base = alert(title=title, text=text, author="a" * 500, community="c" * 500, created_at=T, points=3)
    many = tuple(Sighting("reddit", f"https://r.example/{i}", title, "r/x") for i in range(sightings))
    summary = Summary(question=text, said=tuple(reasons))
    full = Alert(
        **{**{f: getattr(base, f) for f in base.__slots__}, "reasons": tuple(reasons), "also_seen": many}  # type: ignore[arg-type]
        | {"summary": summary, "claimed_by": "80351110224678912", "claimed_at": T}
    )
    outcomes = [Outcome(7, OutcomeKind.NOTE, "80351110224678912", T, note) for note in notes]
    embed = alert_embed(alert_card(full, outcomes))
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    assert all(len(f.name or "") <= 256 and 0 < len(f.value or "") <= 1024 for f in embed.fields)
    assert len(embed) <= 6000


def test_the_summary_is_shown_when_present_else_an_excerpt() -> None:
    plain = alert_embed(alert_card(alert(text="We use **pgvector** today.")))
    assert plain.description == "We use \\*\\*pgvector\\*\\* today."
    a = alert()
    summarised = Alert(
        **{f: getattr(a, f) for f in a.__slots__} | {"summary": Summary("Which one?", ("Try pgvector",))}
    )  # type: ignore[arg-type]
    assert alert_embed(alert_card(summarised)).description == "**Which one?**\n• Try pgvector"


def test_answers_list_alerts_as_links_within_2000_characters() -> None:
    alerts = [alert(title=f"Question {i} @here") for i in range(100)]
    text = answer_text("Your open claims:", alerts)
    assert len(text) <= 2000
    assert text.startswith("Your open claims:\n• [Question 0 @\u200bhere](https://news.ycombinator.com/item?id=1)")
    assert text.endswith("more")
    assert answer_text("no", ok=False) == "\N{WARNING SIGN} no"


def test_the_invite_asks_for_exactly_the_permissions_needed() -> None:
    perms = needed_permissions()
    assert perms.value == 1024 | 2048 | 16384 | 65536 | 64 | (1 << 31)
    assert not perms.administrator and not perms.manage_messages and not perms.mention_everyone
    url = invite_url(290926444748734465)
    assert url == (
        "https://discord.com/oauth2/authorize?client_id=290926444748734465&permissions=2147568704"
        "&scope=bot+applications.commands&integration_type=0"
    )
    assert missing_in(perms) == []
    assert missing_in(perms & ~discord.Permissions(embed_links=True)) == ["Embed Links"]


def test_sightings_and_the_claim_are_shown_with_links_and_mentions() -> None:
    a = alert(community="Ask HN", points=40, thread_size=12)
    seen = (Sighting("reddit", "https://www.reddit.com/r/databases/comments/1/", "Vector DB? @here", "r/databases", 8),)
    shown = Alert(
        **{f: getattr(a, f) for f in a.__slots__}
        | {"also_seen": seen, "claimed_by": "53908232506183680", "claimed_at": T}
    )  # type: ignore[arg-type]
    fields = {f.name: f.value for f in alert_embed(alert_card(shown)).fields}
    assert fields["Also seen"] == (
        "• reddit · r/databases: [Vector DB? @\u200bhere](https://www.reddit.com/r/databases/comments/1/) (8 replies)"
    )
    assert fields["Claimed"] == f"by <@53908232506183680> <t:{int(T.timestamp())}:R>"
    assert fields["Source"] == "hackernews · Ask HN"
    assert fields["Thread"] == "40 points · 12 replies · matched pgvector"


def test_a_teams_own_outcome_shows_its_label_made_inert() -> None:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    outcomes = [
        Outcome(1, OutcomeKind.SIGNUP, "111111111111111111", at),
        Outcome(1, OutcomeKind.CUSTOM, "111111111111111111", at, label="talk @everyone [x](https://evil.example)"),
    ]
    lines = outcome_lines(alert_card(alert(), outcomes).outcomes).splitlines()
    assert lines[0].startswith("• sign-up by <@111111111111111111>")
    assert lines[1].startswith("• talk @\u200beveryone \\[x\\](https://evil.example) by <@111111111111111111>")


def test_the_outcome_menu_keeps_within_discords_limits_and_skips_what_buttons_show() -> None:
    choices = [(OutcomeKind.REPLIED, None, "replied"), (OutcomeKind.NOT_RELEVANT, None, "not relevant")]
    too_long = "y" * 99  # "custom:" + it would not fit in an option's value
    choices += [(OutcomeKind.CUSTOM, too_long, too_long)]
    choices += [(OutcomeKind.CUSTOM, f"outcome {n:02} " + "x" * 49, f"outcome {n:02} " + "x" * 49) for n in range(30)]
    options = more_options(choices)
    assert len(options) == 25 and options[0].label.startswith("outcome 00 ")
    assert all(len(o.label) <= 100 and len(o.value) <= 100 for o in options)
    assert more_options([(OutcomeKind.CUSTOM, "a\x07 talk", "a\x07 talk")])[0].label == "a talk"
