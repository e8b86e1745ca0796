"""/earshot slash commands against the local Discord: answered within 3 s (deferred), checked, recorded."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from earshot.adapters.sources import KINDS
from earshot.adapters.storage import SqlStore, tables
from tests.fakes.discord import ALICE, BOB, CHANNELS, MOD, FakeDiscord

from .conftest import MakeChat, posted

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database


async def run(fake: FakeDiscord, person: Any, path: list[str], **options: Any) -> dict[str, Any]:
    """Run a command and return the private answer, after checking it was deferred ephemerally first."""
    interaction = await fake.slash(person, ["earshot", *path], options)
    answer = (await fake.wait_for(lambda: fake.followups_for(interaction)))[-1]
    deferred = fake.callback_for(interaction)
    assert deferred is not None and deferred["type"] == 5 and deferred["data"]["flags"] == 64
    assert answer["allowed_mentions"] == {"parse": []} or answer["content"].startswith("Done")
    return answer


async def audit(store: SqlStore) -> list[tuple[str, str, str]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(select(tables.audit_log).order_by(tables.audit_log.c.id))
        return [(r.actor, r.action, r.subject) for r in rows if r.actor != "config"]


async def test_the_command_group_is_synced_to_the_server(fake: FakeDiscord, make_chat: MakeChat) -> None:
    await make_chat()
    (earshot,) = fake.commands["290926798626357999"]
    assert earshot["name"] == "earshot" and earshot["dm_permission"] is False
    names = {o["name"]: o for o in earshot["options"]}
    assert set(names) == {"topic", "feed", "mine", "unclaimed", "stats", "me", "check", "help"}
    feed_add = next(o for o in names["feed"]["options"] if o["name"] == "add")
    kind = next(o for o in feed_add["options"] if o["name"] == "kind")
    assert [c["value"] for c in kind["choices"]] == sorted(KINDS)  # every kind, as choices
    assert {"hackernews", "rss"} <= {c["value"] for c in kind["choices"]}
    remove = next(o for o in names["topic"]["options"] if o["name"] == "remove")
    assert remove["options"][0]["autocomplete"] is True
    (alert,) = names["check"]["options"]
    assert alert["name"] == "alert" and alert["type"] == 4 and alert["required"] is False  # an integer, optional


async def test_a_moderator_adds_and_removes_a_topic_and_the_change_is_recorded(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat
) -> None:
    await make_chat()
    posts = len(fake.posts)
    done = await run(fake, MOD, ["topic", "add"], name="vector-db", query='"vector database" OR pgvector')
    assert done["flags"] == 64
    announced = fake.posts[posts]
    assert announced["channel_id"] == CHANNELS["conversations"]
    assert "vector-db" in announced["content"] and announced["allowed_mentions"] == {"parse": []}
    async with store.unit() as unit:
        topic = await unit.get_topic("vector-db")
    assert topic is not None and topic.query == '"vector database" OR pgvector'

    interaction = await fake.slash(MOD, ["earshot", "topic", "remove"], {"name": "vec"}, autocomplete="name")
    choices = await fake.wait_for(lambda: fake.callback_for(interaction))
    assert choices == {
        "type": 8,
        "data": {"choices": [{"name": "vector-db", "value": "vector-db"}]},
        "interaction_id": interaction,
    }

    await run(fake, MOD, ["topic", "remove"], name="vector-db")
    async with store.unit() as unit:
        assert await unit.get_topic("vector-db") is None
    assert await audit(store) == [(MOD.id, "topic.add", "vector-db"), (MOD.id, "topic.remove", "vector-db")]


async def test_a_bad_query_is_answered_with_the_reason(fake: FakeDiscord, store: SqlStore, make_chat: MakeChat) -> None:
    await make_chat()
    answer = await run(fake, MOD, ["topic", "add"], name="broken", query='"vector database')
    assert answer["flags"] == 64 and answer["content"].startswith("\N{WARNING SIGN}")
    assert "quote" in answer["content"]
    async with store.unit() as unit:
        assert await unit.get_topic("broken") is None


async def test_a_query_that_once_crashed_the_parser_is_answered_with_the_reason(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat
) -> None:
    await make_chat()
    for query, reason in (("NOT " * 200 + "pg", "nested more than 32 levels"), ('"pg bouncer"~.', "proximity")):
        answer = await run(fake, MOD, ["topic", "add"], name="deep", query=query)
        assert answer["flags"] == 64 and answer["content"].startswith("\N{WARNING SIGN}")
        assert reason in answer["content"]
    async with store.unit() as unit:
        assert await unit.get_topic("deep") is None


async def test_the_reading_commands_answer_privately(fake: FakeDiscord, make_chat: MakeChat) -> None:
    await make_chat()
    for path, options in (
        (["topic", "list"], {}),
        (["feed", "list"], {}),
        (["mine"], {}),
        (["unclaimed"], {}),
        (["stats"], {"period": "30d"}),
        (["help"], {}),
    ):
        answer = await run(fake, ALICE, path, **options)
        assert answer["flags"] == 64 and answer["content"], path


async def test_me_links_the_members_handles_and_lists_them(fake: FakeDiscord, make_chat: MakeChat) -> None:
    await make_chat()
    linked = await run(fake, ALICE, ["me"], handles="hackernews=alicehn reddit=u/aliceb")
    assert linked["flags"] == 64 and "alicehn" in linked["content"]
    listed = await run(fake, ALICE, ["me"])
    assert "hackernews" in listed["content"] and "aliceb" in listed["content"]
    taken = await run(fake, BOB, ["me"], handles="hackernews=alicehn")
    assert "alicehn" in taken["content"] and taken["content"] != linked["content"]


async def test_a_moderator_adds_and_removes_a_feed_by_its_autocompleted_name(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat
) -> None:
    await make_chat()
    await run(fake, MOD, ["feed", "add"], kind="hackernews", target="vector database", every="5m")
    async with store.unit() as unit:
        (state,) = await unit.list_feeds()
    assert (state.feed.kind, state.feed.query, state.feed.every.total_seconds()) == (
        "hackernews",
        "vector database",
        300,
    )
    interaction = await fake.slash(MOD, ["earshot", "feed", "remove"], {"name": "hack"}, autocomplete="name")
    choices = await fake.wait_for(lambda: fake.callback_for(interaction))
    assert [c["value"] for c in choices["data"]["choices"]] == [state.feed.name]
    listed = await run(fake, ALICE, ["feed", "list"])
    assert state.feed.name in listed["content"]
    bad = await run(fake, MOD, ["feed", "add"], kind="hackernews", target="x", every="often")
    assert bad["content"].startswith("\N{WARNING SIGN}") and "often" in bad["content"]
    await run(fake, MOD, ["feed", "remove"], name=state.feed.name)
    async with store.unit() as unit:
        assert await unit.list_feeds() == []
    assert [a[1] for a in await audit(store)] == ["feed.add", "feed.remove"]


async def test_mine_and_unclaimed_list_the_alerts_as_links(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Any
) -> None:
    chat = await make_chat()
    _, message_id = await posted(fake, store, chat, clock, title="Need @here help [now](https://evil.example)")
    waiting = await run(fake, BOB, ["unclaimed"])
    assert (
        "[Need @\u200bhere help \\[now\\](https://evil.example)](https://news.ycombinator.com/item?id=40000001)"
        in (waiting["content"])
    )
    await fake.react(ALICE, message_id)
    await fake.wait_for(lambda: fake.edits)
    mine = await run(fake, ALICE, ["mine"])
    assert "https://news.ycombinator.com/item?id=40000001" in mine["content"]
    assert "https://news.ycombinator.com" not in (await run(fake, BOB, ["mine"]))["content"]
