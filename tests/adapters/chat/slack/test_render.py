"""Block Kit for alerts: everything shown, nothing from a feed able to ping, forge a link or break a limit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earshot.adapters.chat.slack.render import (
    BLOCK_LIMIT,
    SECTION_LIMIT,
    alert_blocks,
    answer_text,
    escape,
    fallback_text,
    link,
    reason_text,
    safe_url,
)
from earshot.bot.actions.alert_card import alert_card
from earshot.bot.domain import Outcome, OutcomeKind, Sighting

from .conftest import QUESTION, T0, make_alert, mrkdwn_texts

PINGS = ["<!channel>", "<!here>", "<!everyone>", "<@U024BE7LH>", "<#C0123ABC>", "<!subteam^S012345>"]


def test_an_alert_shows_title_link_place_age_topic_score_reasons_context_and_also_seen() -> None:
    blocks = alert_blocks(alert_card(make_alert()), T0 + timedelta(minutes=0))
    text = json.dumps(blocks, ensure_ascii=False)
    assert blocks[0]["text"]["text"] == (
        "*<https://news.ycombinator.com/item?id=9003|Ask HN: Which vector database do you run in production?>*"
    )
    assert "hackernews · Ask HN · 40 min ago" in text
    assert "topic: vector-db" in text
    assert "score 72 · asks for a recommendation · 40 min old · 14 replies" in text
    assert "Which vector database holds up at 10M rows?\\n• two say pgvector with HNSW is fine" in text
    assert "<https://www.reddit.com/r/PostgreSQL/comments/abc/|Same question> · reddit · r/PostgreSQL" in text
    actions = blocks[-1]["elements"]
    assert [a["text"]["text"] for a in actions] == ["Claim", "Not relevant", "Open thread"]
    assert [a.get("value") for a in actions] == ["42", "42", "42"]
    assert actions[2]["url"] == QUESTION.url


def test_without_a_summary_the_excerpt_is_the_context() -> None:
    text = json.dumps(alert_blocks(alert_card(make_alert(summary=None)), T0), ensure_ascii=False)
    assert "We moved from Mongo to Postgres with pgvector, any regrets? <b>Recall</b>" in text  # plain_text: as is


@pytest.mark.parametrize("ping", PINGS)
def test_no_ping_survives_in_any_field(ping: str) -> None:
    hostile = QUESTION.__class__(
        **{
            **{f: getattr(QUESTION, f) for f in QUESTION.__dataclass_fields__},
            "title": f"{ping} read this",
            "text": f"hello {ping}",
            "author": ping,
            "community": ping,
        }
    )
    alert = make_alert(
        conversation=hostile,
        topic="t",
        reasons=(ping,),
        also_seen=(Sighting("rss", "https://e.com/x", f"{ping} again", ping),),
    )
    blocks = alert_blocks(alert_card(alert), T0)
    for text in [*mrkdwn_texts(blocks), fallback_text(alert_card(alert)), answer_text(f"topic {ping}", (alert,))]:
        assert ping not in text
        assert "<!" not in text.replace("<!date^", "")
        assert "<@" not in text and "<#" not in text


def test_a_title_cannot_forge_or_split_a_link() -> None:
    forged = "Click <https://evil.example|here> | or > this\nnow"
    made = link("https://ok.example/a", forged)
    inner = made[len("<https://ok.example/a|") : -1]
    assert made.startswith("<https://ok.example/a|") and made.endswith(">")
    assert "|" not in inner and ">" not in inner and "<" not in inner and "\n" not in inner


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "file:///etc/passwd", "slack://open", "mailto:a@b.c", "", "https://"],
)
def test_only_http_urls_become_links_or_buttons(url: str) -> None:
    assert safe_url(url) is None
    assert link(url, "title") == "title"
    alert = make_alert(conversation=QUESTION.__class__(source="rss", external_id="1", url=url, title="t"))
    assert all(a["text"]["text"] != "Open thread" for a in alert_blocks(alert_card(alert), T0)[-1]["elements"])


def test_a_url_with_markup_characters_is_encoded() -> None:
    assert safe_url("https://e.com/a|b>c<d e") == "https://e.com/a%7Cb%3Ec%3Cd%20e"
    assert link("https://e.com/?a=1&b=2", "x") == "<https://e.com/?a=1&amp;b=2|x>"


def test_long_text_is_cut_within_slack_limits() -> None:
    huge = "word " * 5000
    hostile = QUESTION.__class__(
        source="rss", external_id="1", url="https://e.com/" + "a" * 2000, title=huge, text=huge
    )
    alert = make_alert(
        conversation=hostile,
        reasons=tuple(huge for _ in range(20)),
        also_seen=tuple(Sighting("rss", "https://e.com/x", huge) for _ in range(40)),
    )
    outcomes = [Outcome(42, OutcomeKind.NOTE, "U0ALICE01", T0, note=huge) for _ in range(30)]
    blocks = alert_blocks(alert_card(alert, outcomes), T0)
    assert len(blocks) <= BLOCK_LIMIT
    for block in blocks:
        if "text" in block:
            assert len(block["text"]["text"]) <= SECTION_LIMIT
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
            elif "text" in element:
                assert len(element["text"]) <= 3000


def test_a_claimed_alert_shows_who_and_when_and_offers_outcomes() -> None:
    alert = make_alert(claimed_by="U0ALICE01", claimed_at=T0)
    outcomes = [Outcome(42, OutcomeKind.REPLIED, "U0ALICE01", T0)]
    blocks = alert_blocks(alert_card(alert, outcomes), T0 + timedelta(hours=2))
    text = json.dumps(blocks, ensure_ascii=False)
    assert ":raised_hand: Claimed by <@U0ALICE01> <!date^1740830400^{date_short_pretty} {time}|2 h ago>" in text
    assert "<@U0ALICE01> replied" in text
    labels = [a["text"]["text"] for a in blocks[-1]["elements"]]
    assert labels == ["Replied", "Got a response", "Lead", "Not worth it", "Add a note", "Release", "Open thread"]


def test_a_teams_label_stays_inert_in_the_menu_and_in_the_outcomes_line() -> None:
    label = "<!channel> *talk* <https://evil.example|x> " + "y" * 90
    choices = [(OutcomeKind.SIGNUP, None, "sign-up"), (OutcomeKind.CUSTOM, label, label)]
    alert = make_alert(claimed_by="U0ALICE01", claimed_at=T0)
    outcomes = [Outcome(42, OutcomeKind.CUSTOM, "U0ALICE01", T0, label=label)]
    blocks = alert_blocks(alert_card(alert, outcomes, choices=choices), T0)
    (menu,) = [b for b in blocks if b.get("block_id") == "earshot:more:42"]
    options = menu["elements"][0]["options"]
    assert [o["text"]["type"] for o in options] == ["plain_text", "plain_text"]  # plain text never pings
    assert options[0]["text"]["text"] == "Sign-up" and options[0]["value"] == "signup"
    assert len(options[1]["text"]["text"]) <= 75 and options[1]["value"] == "custom:" + label
    assert all(len(o["value"]) <= 150 for o in options)
    for text in mrkdwn_texts(blocks):
        assert "<!channel>" not in text and "<https://evil" not in text
    assert any("<@U0ALICE01> recorded “&lt;!channel&gt;" in t for t in mrkdwn_texts(blocks))


def test_without_choices_or_a_claim_there_is_no_menu() -> None:
    choices = [(OutcomeKind.SIGNUP, None, "sign-up")]
    assert not [
        b
        for b in alert_blocks(alert_card(make_alert(), choices=choices), T0)
        if "earshot:more:" in b.get("block_id", "")
    ]
    claimed = make_alert(claimed_by="U0ALICE01", claimed_at=T0)
    shown_as_buttons = [(OutcomeKind.REPLIED, None, "replied")]
    assert len(alert_blocks(alert_card(claimed, choices=shown_as_buttons), T0)) == len(
        alert_blocks(alert_card(claimed), T0)
    )


def test_not_relevant_removes_the_claim_buttons() -> None:
    blocks = alert_blocks(alert_card(make_alert(), [Outcome(42, OutcomeKind.NOT_RELEVANT, "U0BOB0001", T0)]), T0)
    assert [a["text"]["text"] for a in blocks[-1]["elements"]] == ["Open thread"]
    assert "<@U0BOB0001> marked it not relevant" in json.dumps(blocks, ensure_ascii=False)


@given(st.text())
def test_escape_leaves_no_markup(text: str) -> None:
    out = escape(text)
    assert "<" not in out and ">" not in out
    assert out.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").count("&") == 0


@given(st.text(), st.text())
def test_a_link_label_never_escapes_its_link(url_tail: str, label: str) -> None:
    made = link("https://example.com/" + url_tail, label)
    if made.startswith("<"):
        target, _, shown = made[1:-1].partition("|")
        assert "|" not in shown and "<" not in shown and ">" not in shown and "\n" not in shown
        assert ">" not in target and "<" not in target and " " not in target
    else:
        assert "<" not in made and ">" not in made


def test_a_refusal_names_the_holder_as_a_mention_and_stays_inert_otherwise() -> None:
    assert reason_text("cannot record lead on alert 3: U0ALICE01 has claimed it") == (
        "cannot record lead on alert 3: <@U0ALICE01> has claimed it"
    )
    assert reason_text("topic <@U0BOB0001> & <!here>") == "topic &lt;@U0BOB0001&gt; &amp; &lt;!here&gt;"
    assert reason_text("URGENT WORDS stay words") == "URGENT WORDS stay words"
