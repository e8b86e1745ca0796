"""Restarts and reconnects: a reaction on a message posted before a restart still claims; a resumed gateway
session delivers the reactions made while it was away."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from earshot.adapters.storage import SqlStore
from earshot.adapters.storage.leader import AdvisoryLeader
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.domain import OutcomeKind
from tests.fakes.clock import Clock
from tests.fakes.discord import ALICE, BOB, WAIT, FakeDiscord
from tests.fakes.leader import LocalLeader, Seat

from .conftest import MakeChat, buttons, fields, posted, stored


async def test_a_reaction_after_a_restart_claims_the_alert_posted_before_it(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    before = await make_chat()
    alert_id, message_id = await posted(fake, store, before, clock)
    await before.stop()

    await make_chat()  # a new process: empty message cache, new views
    assert len(fake.identifies) == 2
    await fake.react(ALICE, message_id)
    await fake.wait_for(lambda: fake.edits)
    assert fields(fake.messages[message_id])["Claimed"].startswith(f"by <@{ALICE.id}>")
    # A button pressed on that old message is understood too (its custom_id carries the alert id).
    pressed = await fake.press(BOB, message_id, f"earshot:outcome:replied:{alert_id}")
    (note,) = await fake.wait_for(lambda: fake.followups_for(pressed))
    assert note["flags"] == 64 and "only they (or a moderator)" in note["content"]


async def test_a_dropped_gateway_connection_resumes_and_gets_the_reactions_it_missed(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.drop_connection(4000)
    await fake.react(ALICE, message_id)  # happens while the bot is away
    await fake.wait_for(lambda: fake.resumes)
    assert fake.resumes[0]["session_id"] == "c5adc7ce7f411cde10440df5f888dc22"
    assert len(fake.identifies) == 1  # resumed, not a new session
    await fake.wait_for(lambda: fake.edits)
    assert f"earshot:outcome:replied:{alert_id}" in buttons(fake.messages[message_id])
    alert = await stored(store, alert_id)
    assert alert.claimed_by == ALICE.id


async def test_only_the_leader_holds_the_gateway_and_a_replica_takes_over_when_it_goes(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    seat = Seat()
    first_leader, second_leader = LocalLeader(seat), LocalLeader(seat)
    first = await make_chat(leader=first_leader)
    second = await make_chat(listen=False, leader=second_leader)
    await second.start()
    await asyncio.sleep(0.2)
    assert len(fake.identifies) == 1 and not second.connected.is_set()
    # The follower still posts over REST.
    _, message_id = await posted(fake, store, second, clock)

    first_leader.lose()  # the leader's database connection died: the lock is free
    await asyncio.wait_for(second.connected.wait(), WAIT)
    assert len(fake.identifies) == 2
    await asyncio.sleep(0.2)
    assert first.gateway is None or first.gateway.is_closed()  # it let go of the gateway
    await fake.react(ALICE, message_id)
    await fake.wait_for(lambda: fake.edits)
    assert fields(fake.messages[message_id])["Claimed"].startswith(f"by <@{ALICE.id}>")


async def test_on_postgresql_the_advisory_lock_picks_the_gateway_holder_and_hands_over(
    fake: FakeDiscord, make_store: Callable[[], SqlStore], make_chat: MakeChat
) -> None:
    one, two = make_store(), make_store()
    if one.engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock needs PostgreSQL (EARSHOT_TEST_DATABASE_URL); SQLite runs one process")
    first_lock = AdvisoryLeader(one.engine, "discord-gateway:test", retry_every=0.05)
    second_lock = AdvisoryLeader(two.engine, "discord-gateway:test", retry_every=0.05)
    await make_chat(leader=first_lock)
    second = await make_chat(listen=False, leader=second_lock)
    await second.start()
    await asyncio.sleep(0.3)
    assert len(fake.identifies) == 1 and not second.connected.is_set()
    # The leader's database session dies (a crash, a network cut): PostgreSQL frees its lock.
    assert first_lock._connection is not None
    raw = await first_lock._connection.get_raw_connection()
    await raw.driver_connection.close()  # type: ignore[union-attr]
    await asyncio.wait_for(second.connected.wait(), WAIT)
    assert len(fake.identifies) == 2


async def test_the_outcome_menu_of_a_message_posted_before_a_restart_still_records(
    fake: FakeDiscord, store: SqlStore, desk: ChatActions, make_chat: MakeChat, clock: Clock
) -> None:
    desk.custom_outcomes = ("conference talk",)
    before = await make_chat()
    alert_id, message_id = await posted(fake, store, before, clock)
    await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: fake.edits)
    await before.stop()

    await make_chat()  # a new process: the menu is rebuilt from its custom_id
    picked = await fake.choose(ALICE, message_id, f"earshot:more:{alert_id}", ["custom:conference talk"])
    (done,) = await fake.wait_for(lambda: fake.followups_for(picked))
    assert done["content"] == "Recorded: conference talk."
    async with store.unit() as unit:
        (outcome,) = await unit.list_outcomes(alert_id)
    assert (outcome.kind, outcome.label) == (OutcomeKind.CUSTOM, "conference talk")


async def test_stopping_finishes_a_press_and_a_command_in_hand(
    fake: FakeDiscord,
    store: SqlStore,
    desk: ChatActions,
    make_chat: MakeChat,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    claim, mine = desk.claim, desk.mine

    async def slow_claim(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(2.0)  # the database is slow today
        return await claim(*args, **kwargs)

    async def slow_mine(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(2.0)
        return await mine(*args, **kwargs)

    monkeypatch.setattr(desk, "claim", slow_claim)
    monkeypatch.setattr(desk, "mine", slow_mine)
    pressed = await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    asked = await fake.slash(ALICE, ["earshot", "mine"])
    await fake.wait_for(lambda: fake.callback_for(pressed) and fake.callback_for(asked))  # both deferred
    assert chat.inflight.count == 2
    await chat.stop()  # SIGTERM now

    assert chat.inflight.count == 0
    assert fields(fake.messages[message_id])["Claimed"].startswith(f"by <@{ALICE.id}>")  # redrawn before leaving
    (answer,) = fake.followups_for(asked)  # and the command answered
    assert answer["flags"] == 64
