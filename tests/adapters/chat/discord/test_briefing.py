"""Claiming on Discord briefs the claimer privately: an ephemeral follow-up for a button, a DM for a reaction."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from earshot.adapters.chat.discord.briefing import briefing_message
from earshot.adapters.storage import SqlStore
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.domain import Alert, Conversation
from earshot.bot.guest.briefer import Briefer
from earshot.bot.guest.briefing import compose
from earshot.bot.guest.checker import GuestPolicy
from earshot.bot.guest.rules import cards_for
from tests.fakes.clock import Clock
from tests.fakes.discord import ALICE, BOB, CHANNELS, FakeDiscord

from .conftest import T0, MakeChat, posted, private_notes

SITUATION = "We run 12 Postgres servers for about 40k users. We tried Milvus but it didn't scale. Which would you pick?"


@pytest.fixture
async def briefed(desk: ChatActions, store: SqlStore, clock: Clock) -> AsyncIterator[ChatActions]:
    desk.briefer = Briefer(store, clock, GuestPolicy())
    yield desk


async def test_the_claim_button_briefs_the_presser_in_an_ephemeral_follow_up(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, briefed: ChatActions
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock, text=SITUATION)
    channel_posts = len(fake.posts)
    press = await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    (note,) = await fake.wait_for(lambda: private_notes(fake, press))
    assert note["flags"] == 64 and note["allowed_mentions"] == {"parse": []}
    content = note["content"]
    assert content.startswith("**Your briefing** for [Which vector database do you recommend? (1)](https://news.")
    assert "**Their scale:** *We run 12 Postgres servers for about 40k users.*" in content
    assert "**Their tried:** *We tried Milvus but it didn't scale.*" in content
    assert "**Rule:** [HN guidelines, promotion](https://news.ycombinator.com/newsguidelines.html)" in content
    assert len(fake.posts) == channel_posts  # nothing posted in any channel


async def test_a_reaction_claim_briefs_by_direct_message(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, briefed: ChatActions
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock, text=SITUATION)
    await fake.react(BOB, message_id)
    (dm,) = await fake.wait_for(lambda: fake.dms_to(BOB.id))
    assert dm["content"].startswith("**Your briefing**") and dm["allowed_mentions"] == {"parse": []}
    assert dm["channel_id"] not in CHANNELS.values()
    assert [p for p in fake.posts if p["channel_id"] in CHANNELS.values()][-1]["nonce"] == f"earshot-{alert_id}"


async def test_closed_dms_leave_the_claim_standing_and_nothing_in_the_channel(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, briefed: ChatActions
) -> None:
    fake.closed_dms.add(BOB.id)
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    channel_posts = [p for p in fake.posts if p["channel_id"] in CHANNELS.values()]
    await fake.react(BOB, message_id)
    await fake.wait_for(lambda: fake.dms_to(BOB.id))  # tried, refused with 50007
    await fake.wait_for(lambda: fake.edits)
    assert [p for p in fake.posts if p["channel_id"] in CHANNELS.values()] == channel_posts
    async with store.unit() as unit:
        alert = await unit.get_alert(alert_id)
    assert alert is not None and alert.claimed_by == BOB.id


def test_hostile_thread_text_cannot_ping_or_forge_links() -> None:
    conversation = Conversation(
        "reddit",
        "t3_1abc",
        "https://www.reddit.com/r/selfhosted/comments/1abc/x/",
        "@everyone [free money](https://evil.example) <@&123456789012345678>",
        "We tried <#123456789012345678> and @here. Budget is $50 [per month](https://evil.example).",
        community="r/selfhosted",
    )
    alert = Alert(1, "t", None, conversation, (), 50, T0)
    text = briefing_message(compose(alert, T0, cards_for("reddit", "r/selfhosted")))
    assert "@everyone" not in text and "@here" not in text
    assert not re.search(r"(?<!\\)\]\(https://evil", text)  # every bracket around the forged link escaped
    assert "<@&" not in text and "<#1" not in text
    assert "**Their budget:**" in text and "[Reddiquette, self-promotion](https://support.reddithelp.com/" in text
