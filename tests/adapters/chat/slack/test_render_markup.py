"""mrkdwn built from third-party text: Slack may not parse it on its side, and cutting it never breaks markup."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earshot.adapters.chat.slack.markup import cut_mrkdwn
from earshot.adapters.chat.slack.render import SECTION_LIMIT, alert_blocks, link, mrkdwn
from earshot.bot.actions.alert_card import alert_card
from earshot.bot.domain import Conversation, Sighting

from .conftest import QUESTION, T0, make_alert

# Our own markup: a link we built, a member mention, a Slack date. Anything else in <...> would be broken markup.
OURS = re.compile(r"<(?:https?://[^\s<>|]+\|[^<>|\n]+|@[UW][A-Z0-9]+|!date\^\d+\^[^<>|]+\|[^<>|]*)>")


def mrkdwn_objects(node: object) -> list[dict]:
    """Every mrkdwn text object in a Block Kit structure."""
    if isinstance(node, dict):
        found = [node] if node.get("type") == "mrkdwn" else []
        return found + [o for value in node.values() for o in mrkdwn_objects(value)]
    if isinstance(node, list):
        return [o for value in node for o in mrkdwn_objects(value)]
    return []


def markup_is_whole(text: str) -> bool:
    """Every < opens markup of ours that closes, and every & starts an entity."""
    rest = OURS.sub("", text)
    return "<" not in rest and ">" not in rest and not re.search(r"&(?!amp;|lt;|gt;)", rest)


def test_every_mrkdwn_text_object_asks_slack_not_to_parse_it() -> None:
    alert = make_alert(claimed_by="U0ALICE01", claimed_at=T0)
    objects = mrkdwn_objects(
        alert_blocks(alert_card(alert, progress="Alice replied @channel #general https://x.y"), T0)
    )
    assert objects and all(o["verbatim"] is True for o in objects)
    assert mrkdwn("x") == {"type": "mrkdwn", "text": "x", "verbatim": True}


ADVERSARIAL = [
    "Why | pipes > angles < and & break <links|here>",
    "a" * 3000,
    "&" * 2000,
    "<!channel> " * 300,
    "line\nbreak\r\ttab|pipe",
    "é" * 2999 + "&",
]


@pytest.mark.parametrize("title", ADVERSARIAL)
@pytest.mark.parametrize("url_size", [10, 1500, 2990, 3000])
def test_a_title_link_cut_at_the_limit_keeps_its_markup_whole(title: str, url_size: int) -> None:
    url = "https://e.com/" + "a" * url_size
    conversation = Conversation(source="rss", external_id="1", url=url, title=title)
    sightings = tuple(Sighting("rss", url + "&b=<1>", title) for _ in range(12))
    blocks = alert_blocks(alert_card(make_alert(conversation=conversation, also_seen=sightings)), T0)
    for obj in mrkdwn_objects(blocks):
        assert len(obj["text"]) <= SECTION_LIMIT
        assert markup_is_whole(obj["text"]), obj["text"][-200:]


@given(st.text(min_size=1), st.text(), st.integers(1, 600))
def test_cutting_mrkdwn_never_leaves_half_a_link_or_an_entity(label: str, tail: str, limit: int) -> None:
    text = f"*{link('https://e.com/' + tail, label)}* · {link('https://f.com/', tail)} &amp; more"
    out = cut_mrkdwn(text, limit)
    assert len(out) <= max(limit, 1)
    assert markup_is_whole(out), out


def test_a_cut_link_is_cut_on_its_label() -> None:
    text = link("https://e.com/x", "A fairly long title about vector databases")
    assert cut_mrkdwn(text, 30) == "<https://e.com/x|A fairly lo…>"
    assert cut_mrkdwn("&amp;&amp;&amp;", 10) == "&amp;…"
    assert cut_mrkdwn("<https://e.com/" + "x" * 50 + "|label>", 20) == "label…"  # no room for the URL: words


def test_the_quoted_title_keeps_its_words() -> None:
    blocks = alert_blocks(alert_card(make_alert(conversation=QUESTION)), T0)
    assert blocks[0]["text"]["text"] == f"*<{QUESTION.url}|{QUESTION.title}>*"
