"""Posting: third-party text never pings or forges links; platform failures become clear DeliveryErrors."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from earshot.adapters.chat.discord.chat import DiscordChat
from earshot.adapters.storage import SqlStore
from earshot.bot.actions.chat_actions import ChatActions, Member
from earshot.bot.domain import Digest, Handle, Notice, Progress
from earshot.bot.errors import ConfigError, DeliveryError
from earshot.bot.followup.stats import Report, Stats, StatsRow
from tests.adapters.chat.progress import thread_read
from tests.fakes.clock import T0, Clock
from tests.fakes.discord import ALICE, CHANNELS, Failure, FakeDiscord

from .conftest import MakeChat, add_alert, deliver, fields, posted, stored

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database

HOSTILE = "Free @everyone @here <@80351110224678912> <@&290926798626358001> <#345626669114982403> [login](https://evil.example)"


async def test_a_title_with_everyone_is_posted_without_a_ping_and_nothing_else_can_ping(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat(listen=False)
    await posted(fake, store, chat, clock, title=HOSTILE, text=HOSTILE, community="@everyone")
    post = fake.posts[-1]
    assert post["allowed_mentions"] == {"parse": []}
    embed = post["embeds"][0]
    everything = [embed["title"], embed["description"], *fields(post).values()]
    for text in everything:
        assert "@everyone" not in text and "@here" not in text
        assert "<@" not in text and "<#" not in text
        assert not re.search(r"(?<!\\)\]\(https://evil", text)  # only an escaped "\](" remains: no masked link
    assert embed["title"].startswith("Free @\u200beveryone @\u200bhere \\<\u200b@\u200b80351110224678912\\>")
    assert "\\[login\\](https://evil.example)" in embed["title"]


async def test_a_notice_is_plain_text_without_pings(fake: FakeDiscord, make_chat: MakeChat) -> None:
    chat = await make_chat(listen=False)
    await chat.send_notice(Notice("warning", "feed hn failing: @everyone look", feed="hn"))
    post = fake.posts[-1]
    assert post["content"] == "\N{WARNING SIGN} feed hn failing: @\u200beveryone look"
    assert post["allowed_mentions"] == {"parse": []}


async def test_a_retried_post_carries_the_same_nonce_so_discord_keeps_one_message(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat(listen=False)
    alert_id = await add_alert(store)
    alert = await stored(store, alert_id)
    first = await chat.send_alert(alert)
    again = await chat.send_alert(alert)  # the process died before recording the first: the outbox sends again
    assert first == again
    assert len(fake.posts) == 2 and len(fake.messages) == 1


async def test_after_a_long_break_a_retaken_alert_finds_its_message_in_the_channel_instead_of_posting_again(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    fake.nonce_window = 0.0  # the break outlasted the few minutes Discord remembers a nonce
    chat = await make_chat(listen=False)
    first_id, second_id = await add_alert(store, 1), await add_alert(store, 2)
    async with store.unit() as unit:
        first, second = await unit.get_alert(first_id), await unit.get_alert(second_id)
    assert first is not None and second is not None
    posted = await chat.send_alert(first)  # a process posts it and dies before recording that
    await chat.send_alert(second)  # (and another alert goes out after it)
    again = await chat.send_alert(replace(first, retaken=True))  # the next owner of the lease
    assert again == posted
    assert len(fake.messages) == 2
    # An alert tried before whose message is not there is posted.
    third = await add_alert(store, 3)
    alert = await stored(store, third)
    await chat.send_alert(replace(alert, attempts=1))
    assert len(fake.messages) == 3
    # Without that look, the repeat would have made a second message.
    await chat.send_alert(first)
    assert len(fake.messages) == 4


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (Failure(404, 10003, "Unknown Channel"), "no longer exists (10003 Unknown Channel)"),
        (Failure(403, 50013, "Missing Permissions"), "may not post in #conversations (50013 Missing Permissions)"),
        (Failure(403, 50001, "Missing Access"), "give Earshot's role View Channel, Send Messages, Embed Links"),
    ],
)
async def test_a_channel_that_cannot_take_posts_fails_permanently_saying_how_to_fix_it(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, failure: Failure, words: str
) -> None:
    chat = await make_chat(listen=False)
    fake.fail_channel[CHANNELS["conversations"]] = failure
    alert_id = await add_alert(store)
    alert = await stored(store, alert_id)
    with pytest.raises(DeliveryError) as caught:
        await chat.send_alert(alert)
    assert caught.value.permanent
    assert words in str(caught.value)
    report = await deliver(store, chat, clock)
    assert report.failed == 1 and words in report.errors[0]


async def test_a_rate_limit_becomes_a_retry_later(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat(listen=False)
    fake.fail_channel[CHANNELS["conversations"]] = Failure(429, 20028, "You are being rate limited.", retry_after=120)
    alert_id = await add_alert(store)
    alert = await stored(store, alert_id)
    with pytest.raises(DeliveryError) as caught:
        await chat.send_alert(alert)
    assert not caught.value.permanent
    assert caught.value.retry_after == 120


async def test_a_channel_name_the_server_lacks_is_a_permanent_error(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat(listen=False)
    await add_alert(store, channel="no-such-channel")
    report = await deliver(store, chat, clock)
    assert report.failed == 1
    assert "Discord channel #no-such-channel is not in the server" in report.errors[0]


async def test_a_missing_or_rejected_token_is_a_clear_config_error(fake: FakeDiscord, make_chat: MakeChat) -> None:
    chat: DiscordChat = await make_chat(listen=False, token=None)
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        await chat.start()
    wrong = await make_chat(listen=False, token="not-the-token")
    with pytest.raises(ConfigError, match="refused the token") as caught:
        await wrong.start()
    assert "not-the-token" not in str(caught.value)


async def test_a_digest_lists_the_held_back_alerts_in_one_embed(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat(listen=False)
    ids = [await add_alert(store, n, title=f"Question {n} @everyone") for n in range(3)]
    async with store.unit() as unit:
        alerts = tuple([a for i in ids if (a := await unit.get_alert(i)) is not None])
    ref = await chat.send_digest(Digest(channel="vector-db", alerts=alerts, since=clock()))
    post = fake.posts[-1]
    assert ref == f"{CHANNELS['vector-db']}:{list(fake.messages)[-1]}"
    assert post["allowed_mentions"] == {"parse": []}
    embed = post["embeds"][0]
    assert embed["title"].startswith("3 more conversation(s) since")
    assert embed["description"].count("\n") == 2 and "@everyone" not in embed["description"]
    assert "(https://news.ycombinator.com/item?id=40000000)" in embed["description"]


async def test_a_token_reset_while_running_keeps_the_alerts_for_later(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat(listen=False)
    await chat.send_notice(Notice("info", "logged in"))
    fake.token = "reset-in-the-portal"  # the old token stops working
    alert_id = await add_alert(store)
    alert = await stored(store, alert_id)
    with pytest.raises(DeliveryError) as caught:
        await chat.send_alert(alert)
    assert not caught.value.permanent and caught.value.retry_after == 300
    assert "export the new DISCORD_TOKEN and restart" in str(caught.value)


async def test_a_server_the_bot_is_not_in_is_a_delivery_error_naming_the_fix(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat(listen=False, guild="123456789012345678")
    await add_alert(store)
    report = await deliver(store, chat, clock)
    assert report.failed == 1
    assert "Discord server 123456789012345678 is unknown or the bot is not in it" in report.errors[0]
    assert "earshot discord invite" in report.errors[0]


async def test_a_report_posts_its_numbers_with_the_chart_attached(fake: FakeDiscord, make_chat: MakeChat) -> None:
    chat = await make_chat(listen=False)
    total = StatsRow("", 12, 6, 3, 1, 2, timedelta(hours=1), {"replied": 3})
    stats = Stats(T0, T0 + timedelta(days=6), total, topics=(StatsRow("@everyone", 12, 6, 3, 1, 2),))
    png = b"\x89PNG\r\n\x1a\n" + b"chart" * 50
    ref = await chat.send_report(Report("Earshot weekly report", stats), png)
    post = fake.posts[-1]
    assert ref == f"{post['channel_id']}:{list(fake.messages)[-1]}"
    assert post["allowed_mentions"] == {"parse": []}
    assert post["content"].startswith("**Earshot weekly report**")
    assert "@everyone" not in post["content"]
    assert post["uploaded"] == {"earshot-report.png": png}


async def test_refresh_shows_how_it_is_going_in_the_embed(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, desk: ChatActions
) -> None:
    chat = await make_chat(listen=False)
    alert_id, _ = await posted(fake, store, chat, clock)
    await desk.claim(alert_id, Member(ALICE.id, "alice"))
    async with store.unit() as unit:
        await unit.set_handles([Handle(ALICE.id, "hackernews", "alice", "Alice @here")], clock())
    await thread_read(store, alert_id, clock(), ALICE.id)
    await chat.refresh(await stored(store, alert_id), Progress(None, (), "ignored: the stored state is drawn"))
    edit = fake.edits[-1]
    how = [f for f in edit["embeds"][0]["fields"] if f["name"] == "How it went"]
    assert how and how[0]["value"].startswith("Alice @\u200bhere replied "), how
    assert how[0]["value"].endswith(" · 3 responses")
    assert edit["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize("bad", ["http://[::1", "https://[v1.x]/", "http://a]b[/", "http://" + "x" * 3000])
async def test_an_alert_with_a_malformed_link_is_delivered_without_the_link(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, bad: str
) -> None:
    chat = await make_chat(listen=False)
    _, message_id = await posted(fake, store, chat, clock, url=bad, link=bad)
    message = fake.messages[message_id]
    embed = message["embeds"][0]
    assert "url" not in embed and embed["title"].startswith("Which vector database")
    assert bad not in str(message)
    assert all(c.get("url") is None for row in message["components"] for c in row["components"])
