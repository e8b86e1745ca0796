"""The renderers and the webhook never raise on any stored alert, keep within each platform's limits, and let no
third-party text ping anyone or forge a link.

Alerts are built from hostile strings in every field: hypothesis-made ones (lone surrogates, NUL, controls, RTL
marks, Slack and Discord mention syntax, masked links, malformed URLs, very long runs), and, as a conformance
test, each string of the Big List of Naughty Strings in ../shared/corpora.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from earshot.adapters.chat import console, webhook
from earshot.adapters.chat.discord import render as discord_render
from earshot.adapters.chat.discord.card import draw
from earshot.adapters.chat.discord.views import LINK_BUTTON_URL_MAX
from earshot.adapters.chat.slack import render as slack_render
from earshot.bot.actions.alert_card import OUTCOME_WORDS, alert_card
from earshot.bot.domain import Digest, OutcomeKind, Progress
from earshot.bot.text import clean
from tests.fixtures import shared_path

from .hostile import T0, Stored, everywhere, stored_alerts

NOW = T0


def choices(stored: Stored) -> list[tuple[OutcomeKind, str | None, str]]:
    """What ChatActions.outcome_choices offers, with the team's own (hostile) labels."""
    built = [(k, None, OUTCOME_WORDS[k]) for k in OutcomeKind if k not in (OutcomeKind.NOTE, OutcomeKind.CUSTOM)]
    return built + [(OutcomeKind.CUSTOM, label, label) for label in stored.labels]


def urls_of(stored: Stored) -> list[str | None]:
    c = stored.alert.conversation
    return [c.url, c.link, *(s.url for s in stored.alert.also_seen)]


def ids_of(stored: Stored) -> set[str]:
    """Who the message may name: the claimer and the actors of outcomes (ids Earshot stored, not feed text)."""
    return {stored.alert.claimed_by or "", *(o.actor for o in stored.outcomes)}


# --- Slack ------------------------------------------------------------------------------------------------------

SLACK_MARKUP = re.compile(r"<([^<>]*)>")


def slack_mrkdwn_is_ours(text: str, stored: Stored) -> None:
    """Every <...> in mrkdwn is a link to one of the alert's URLs, a mention of a stored id, or a date."""
    targets = {(slack_render.safe_url(u) or "").replace("&", "&amp;") for u in urls_of(stored)} - {""}
    ids = ids_of(stored)
    for inner in SLACK_MARKUP.findall(text):
        if inner.startswith("@"):
            assert inner[1:] in ids and re.fullmatch(r"[UW][A-Z0-9]{2,30}", inner[1:]), inner
        elif inner.startswith("!date^"):
            assert re.fullmatch(r"!date\^-?\d+\^\{date_short_pretty\} \{time\}\|[^|]*", inner), inner
        else:
            target, bar, label = inner.partition("|")
            assert bar and target in targets, inner
            assert "\n" not in label and "|" not in label
    rest = SLACK_MARKUP.sub("", text)
    assert "<" not in rest and ">" not in rest, text
    assert not re.search(r"&(?!amp;|lt;|gt;)", rest), text


def slack_blocks_ok(blocks: list[dict[str, Any]], stored: Stored) -> None:
    assert len(blocks) <= 50
    for block in blocks:
        assert len(block.get("block_id", "")) <= 255
        if block["type"] == "section":
            assert 1 <= len(block["text"]["text"]) <= 3000
        elif block["type"] == "header":
            assert 1 <= len(block["text"]["text"]) <= 150
        elif block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(1 <= len(e["text"]) <= 3000 for e in block["elements"])
        elif block["type"] == "actions":
            assert 1 <= len(block["elements"]) <= 25
            for element in block["elements"]:
                if element["type"] == "button":
                    assert 1 <= len(element["text"]["text"]) <= 75
                    assert len(element.get("url", "")) <= 3000 and len(element.get("value", "")) <= 2000
                else:
                    assert 1 <= len(element["options"]) <= 100
                    assert all(1 <= len(o["text"]["text"]) <= 75 for o in element["options"])
                    assert all(1 <= len(o["value"]) <= 150 for o in element["options"])
    for obj in _text_objects(blocks):
        if obj["type"] == "mrkdwn":
            assert obj["verbatim"] is True
            slack_mrkdwn_is_ours(obj["text"], stored)


def _text_objects(node: object) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") in ("mrkdwn", "plain_text") else []
        return found + [o for value in node.values() for o in _text_objects(value)]
    if isinstance(node, list):
        return [o for value in node for o in _text_objects(value)]
    return []


def check_slack(stored: Stored) -> None:
    alert = stored.alert
    blocks = slack_render.alert_blocks(alert_card(alert, stored.outcomes, stored.progress, choices(stored)), NOW)
    slack_blocks_ok(blocks, stored)
    slack_mrkdwn_is_ours(slack_render.fallback_text(alert_card(alert)), stored)
    text, follow = slack_render.follow_up_blocks(alert)
    slack_blocks_ok(follow, stored)
    slack_mrkdwn_is_ours(text, stored)
    _, digest = slack_render.digest_blocks([alert] * 3, T0, NOW)
    slack_blocks_ok(digest, stored)
    answer = slack_render.answer_text(alert.conversation.title, [alert])
    assert len(answer) <= 3000
    slack_mrkdwn_is_ours(answer, stored)
    slack_blocks_ok(slack_render.note_modal(alert, f"{alert.id}:C1")["blocks"], stored)
    slack_blocks_ok(slack_render.plain_alert(alert)[1], stored)  # what is posted if drawing ever fails
    json.dumps(blocks).encode()  # what slack_sdk sends: ASCII-escaped JSON, never a UnicodeEncodeError


# --- Discord ----------------------------------------------------------------------------------------------------

DISCORD_MARKUP = re.compile(r"<[^<>]*>")
MASKED_LINK = re.compile(r"\[[^\[\]]*\]\(([^()\s]*)\)")


def discord_text_is_inert(text: str, stored: Stored) -> None:
    """No @everyone or @here, no <...> but mentions of stored ids and timestamps, no masked link to elsewhere."""
    assert not re.search(r"@(everyone|here)", text), text
    active = re.sub(r"\\.", "", text, flags=re.DOTALL)  # what Discord parses: escaped characters are shown as is
    ids = {i for i in ids_of(stored) if i.isascii() and i.isdigit()}
    for found in DISCORD_MARKUP.findall(active):
        mention = re.fullmatch(r"<@(\d+)>", found)
        assert (mention and mention[1] in ids) or re.fullmatch(r"<t:-?\d+:[tTdDfFR]>", found), found
    targets = {discord_render.safe_url(u) for u in urls_of(stored)} - {None}
    for target in MASKED_LINK.findall(active):
        assert target in targets, target


def discord_embed_ok(embed: dict[str, Any], stored: Stored) -> None:
    texts = [embed.get("title", ""), embed.get("description", ""), embed.get("footer", {}).get("text", "")]
    assert len(texts[0]) <= 256 and len(texts[1]) <= 4096 and len(texts[2]) <= 2048
    fields = embed.get("fields", [])
    assert len(fields) <= 25
    for field in fields:
        assert 1 <= len(field["name"]) <= 256 and 1 <= len(field["value"]) <= 1024
        texts += [field["name"], field["value"]]
    assert sum(len(t) for t in texts) <= 6000
    assert embed.get("url") in {discord_render.safe_url(u) for u in urls_of(stored)} | {None}
    for text in texts:
        discord_text_is_inert(text, stored)


def check_discord(stored: Stored) -> None:
    alert = stored.alert
    embed, view = draw(alert_card(alert, stored.outcomes, stored.progress, choices(stored)))
    discord_embed_ok(embed.to_dict(), stored)  # type: ignore[arg-type]
    rows = view.to_components()
    assert len(rows) <= 5
    for row in rows:
        assert 1 <= len(row["components"]) <= 5
        for item in row["components"]:
            assert len(item.get("custom_id", "")) <= 100 and len(item.get("label", "")) <= 80
            if "url" in item:
                assert len(item["url"]) <= LINK_BUTTON_URL_MAX
                assert item["url"] == discord_render.safe_url(alert.conversation.url)
            for option in item.get("options", []):
                assert 1 <= len(option["label"]) <= 100 and 1 <= len(option["value"]) <= 100
            assert len(item.get("options", [])) <= 25
    digest = discord_render.digest_embed(Digest(None, (alert,) * 3, T0)).to_dict()
    discord_embed_ok(digest | {"url": None}, stored)  # type: ignore[operator]
    for content in (discord_render.answer_text(alert.topic, [alert]), discord_render.follow_up_text(alert)):
        assert len(content) <= 2000
        discord_text_is_inert(content, stored)


# --- console and webhook ----------------------------------------------------------------------------------------

TERMINAL_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def check_console(stored: Stored) -> None:
    alert = stored.alert
    progress = Progress(None, stored.outcomes, stored.progress)
    for out in (
        console.render_alert(alert_card(alert), "general", "2 h ago"),
        console.render_digest(Digest(None, (alert,), T0), "general"),
        console.update_line(alert, progress),
    ):
        assert not TERMINAL_CONTROL.search(out), repr(out)
        out.encode("utf-8")  # printable to a UTF-8 terminal


def check_webhook(stored: Stored) -> None:
    alert = stored.alert
    progress = Progress(None, stored.outcomes, stored.progress)
    for payload in (
        webhook.alert_payload(alert, "general"),
        webhook.update_payload(alert, progress, "general"),
        webhook.digest_payload(Digest(None, (alert,), T0), "general"),
    ):
        body = webhook.encode(payload)
        assert json.loads(body.decode("utf-8"))["type"] == payload["type"]


CHECKS = [check_slack, check_discord, check_console, check_webhook]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(stored=stored_alerts())
def test_no_stored_alert_breaks_a_renderer(check: Any, stored: Stored) -> None:
    check(stored)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_no_naughty_string_in_any_field_breaks_a_renderer(check: Any) -> None:
    strings = json.loads(shared_path("corpora", "naughty-strings", "blns.json").read_text(encoding="utf-8"))
    assert len(strings) > 500
    for text in strings:
        for stored in everywhere(text):
            check(stored)


def test_clean_leaves_no_lone_surrogate() -> None:
    assert clean("a\ud83db\udc00") == "a\ufffdb\ufffd"
    assert clean("\ud83d\ude00") == "\U0001f600"  # a pair written as two halves is the character
