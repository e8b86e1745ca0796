"""End to end against the local Discord: post, claim by reaction and by button, outcomes, restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from earshot.adapters.scheduling import Runner
from earshot.adapters.storage import SqlStore
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Alert, OutcomeKind
from earshot.bot.finding.polling import Poller
from tests.fakes.clock import Clock
from tests.fakes.discord import ALICE, BOB, CHANNELS, MOD, WAIT, FakeDiscord

from .conftest import MakeChat, add_alert, buttons, deliver, fields, posted, stored


async def test_an_alert_is_posted_as_an_embed_with_buttons_and_a_ready_reaction(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    post = fake.posts[-1]
    assert post["channel_id"] == CHANNELS["conversations"]
    assert post["allowed_mentions"] == {"parse": []}
    assert post["nonce"] == f"earshot-{alert_id}" and post["enforce_nonce"] is True
    embed = post["embeds"][0]
    assert embed["title"] == "Which vector database do you recommend? (1)"
    assert embed["url"] == "https://news.ycombinator.com/item?id=40000001"
    assert "pgvector" in embed["description"]
    shown = fields(fake.messages[message_id])
    assert shown["Topic"] == "vector-db"
    assert shown["Score 72/100"] == "• asks for a recommendation\n• 3 replies"
    assert shown["Source"] == "hackernews"
    assert shown["Age"].startswith("<t:")
    assert buttons(fake.messages[message_id]) == [
        f"earshot:claim:{alert_id}",
        f"earshot:not_relevant:{alert_id}",
        "https://news.ycombinator.com/item?id=40000001",
    ]
    assert (message_id, "\N{RAISED HAND}") in fake.reactions
    alert = await stored(store, alert_id)
    assert alert.message_ref == f"{CHANNELS['conversations']}:{message_id}"


async def test_a_topic_channel_is_found_by_name(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat(listen=False)
    await posted(fake, store, chat, clock, channel="vector-db")
    assert fake.posts[-1]["channel_id"] == CHANNELS["vector-db"]


async def test_a_reaction_claims_and_taking_it_back_releases(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.react(ALICE, message_id)
    await fake.wait_for(lambda: fake.edits)
    assert fields(fake.messages[message_id])["Claimed"].startswith(f"by <@{ALICE.id}> <t:")
    assert f"earshot:outcome:replied:{alert_id}" in buttons(fake.messages[message_id])
    alert = await stored(store, alert_id)
    assert alert.claimed_by == ALICE.id

    await fake.react(BOB, message_id, add=False)  # not Bob's claim: nothing changes
    await fake.react(ALICE, message_id, add=False)
    await fake.wait_for(lambda: len(fake.edits) == 2)
    assert "Claimed" not in fields(fake.messages[message_id])
    assert buttons(fake.messages[message_id])[0] == f"earshot:claim:{alert_id}"


async def test_a_reaction_the_moment_an_alert_appears_claims_it(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The message is posted before its delivery is recorded: a ✋ in between must wait for it, not be dropped.
    chat = await make_chat()
    alert_id = await add_alert(store)
    send = chat.send_alert

    async def send_then_react(alert: Alert) -> str:
        ref = await send(alert)
        await fake.react(ALICE, ref.split(":")[1])
        await asyncio.sleep(0.4)  # the ✋ is looked up before the delivery is recorded
        return ref

    monkeypatch.setattr(chat, "send_alert", send_then_react)
    assert (await deliver(store, chat, clock)).delivered == 1
    await fake.wait_for(lambda: fake.edits)
    alert = await stored(store, alert_id)
    assert alert.claimed_by == ALICE.id


async def test_a_button_claim_wins_and_a_competing_claim_is_told_privately_who_has_it(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    first = await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: fake.edits)
    assert fake.callback_for(first) == {"type": 6, "interaction_id": first}  # deferred within 3 s
    assert fields(fake.messages[message_id])["Claimed"].startswith(f"by <@{ALICE.id}>")

    # Bob's client still shows Claim; Discord sends his press with the message as it is now, without it.
    assert f"earshot:claim:{alert_id}" not in buttons(fake.messages[message_id])
    second = await fake.press(BOB, message_id, f"earshot:claim:{alert_id}")
    (note,) = await fake.wait_for(lambda: fake.followups_for(second))
    assert note["flags"] == 64  # ephemeral: only Bob sees it
    assert note["content"].startswith(f"<@{ALICE.id}> claimed this <t:")
    assert note["allowed_mentions"] == {"parse": []}
    alert = await stored(store, alert_id)
    assert alert.claimed_by == ALICE.id


async def test_outcomes_are_recorded_by_the_claimer_and_refused_to_others(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: fake.edits)

    refused = await fake.press(BOB, message_id, f"earshot:outcome:lead:{alert_id}")
    (note,) = await fake.wait_for(lambda: fake.followups_for(refused))
    assert note["flags"] == 64 and "only they (or a moderator)" in note["content"]
    assert f"<@{ALICE.id}>" in note["content"]

    replied = await fake.press(ALICE, message_id, f"earshot:outcome:replied:{alert_id}")
    (done,) = await fake.wait_for(lambda: fake.followups_for(replied))
    assert done["content"] == "Recorded: replied." and done["flags"] == 64
    assert fields(fake.messages[message_id])["Outcomes"].startswith(f"• replied by <@{ALICE.id}> <t:")

    lead = await fake.press(MOD, message_id, f"earshot:outcome:lead:{alert_id}")  # a moderator may
    await fake.wait_for(lambda: fake.followups_for(lead))
    release = await fake.press(BOB, message_id, f"earshot:release:{alert_id}")
    (no,) = await fake.wait_for(lambda: fake.followups_for(release))
    assert "only they (or a moderator) can release it" in no["content"]

    async with store.unit() as unit:
        outcomes = await unit.list_outcomes(alert_id)
    assert [(o.kind, o.actor) for o in outcomes] == [(OutcomeKind.REPLIED, ALICE.id), (OutcomeKind.LEAD, MOD.id)]

    released = await fake.press(ALICE, message_id, f"earshot:release:{alert_id}")
    await fake.wait_for(lambda: fake.callback_for(released) and "Claimed" not in fields(fake.messages[message_id]))


async def test_not_relevant_is_feedback_anyone_may_give(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.press(BOB, message_id, f"earshot:not_relevant:{alert_id}")
    await fake.wait_for(lambda: fake.edits)
    assert buttons(fake.messages[message_id]) == ["https://news.ycombinator.com/item?id=40000001"]
    async with store.unit() as unit:
        (outcome,) = await unit.list_outcomes(alert_id)
    assert (outcome.kind, outcome.actor) == (OutcomeKind.NOT_RELEVANT, BOB.id)


async def test_a_note_is_written_in_a_form(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: fake.edits)
    opened = await fake.press(ALICE, message_id, f"earshot:note:{alert_id}")
    form = await fake.wait_for(lambda: fake.callback_for(opened))
    assert form["type"] == 9 and form["data"]["custom_id"] == f"earshot:note_form:{alert_id}"
    text = "Answered; they asked for a call @everyone"
    submitted = await fake.submit(
        ALICE, f"earshot:note_form:{alert_id}", {"earshot:note_text": text}, CHANNELS["conversations"]
    )
    await fake.wait_for(lambda: fake.followups_for(submitted))
    async with store.unit() as unit:
        (note,) = await unit.list_outcomes(alert_id)
    assert note.kind is OutcomeKind.NOTE and note.note == text
    assert "@\u200beveryone" in fields(fake.messages[message_id])["Outcomes"]


async def test_the_follow_up_asks_the_claimer_and_its_buttons_record_on_the_alert(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock
) -> None:
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: fake.edits)
    alert = await stored(store, alert_id)
    await chat.follow_up(alert)
    question = fake.posts[-1]
    assert question["content"].startswith(f"<@{ALICE.id}>, you claimed **Which vector database")
    assert question["allowed_mentions"] == {"parse": [], "users": [int(ALICE.id)]}  # the claimer, and nobody else
    assert str(question["message_reference"]["message_id"]) == message_id
    asked = list(fake.messages)[-1]
    assert buttons(fake.messages[asked])[0] == f"earshot:outcome:replied:{alert_id}"

    pressed = await fake.press(ALICE, asked, f"earshot:outcome:got_response:{alert_id}")
    await fake.wait_for(lambda: any(f["method"] == "PATCH" for f in fake.followups_for(pressed)))
    closed = next(f for f in fake.followups_for(pressed) if f["method"] == "PATCH")
    assert closed["content"] == "Recorded: got a response. Thanks!" and closed["components"] == []
    assert "got a response by" in fields(fake.messages[message_id])["Outcomes"]


async def test_the_runner_starts_the_listener_and_asks_about_stale_claims_once(
    fake: FakeDiscord, store: SqlStore, make_chat: MakeChat, clock: Clock, desk: ChatActions
) -> None:
    chat = await make_chat(listen=False)
    alert_id, message_id = await posted(fake, store, chat, clock)
    deliverer = Deliverer(store, chat, clock, "runner")
    poller = Poller(store, desk.sources, clock, "runner")
    runner = Runner(store, poller, deliverer, clock, timedelta(hours=1), listener=chat, desk=desk)
    stop = asyncio.Event()
    running = asyncio.create_task(runner.run(stop))
    await asyncio.wait_for(chat.connected.wait(), WAIT)  # the runner started it
    await fake.react(ALICE, message_id)
    await fake.wait_for(lambda: fake.edits)

    clock.advance(timedelta(hours=25))
    posts = len(fake.posts)
    await runner.follow_ups()
    await runner.follow_ups()  # asked once only
    assert len(fake.posts) == posts + 1
    assert fake.posts[-1]["content"].startswith(f"<@{ALICE.id}>, you claimed")
    stop.set()
    await asyncio.wait_for(running, WAIT)
    assert chat.rest is None  # stopped with the runner
    assert alert_id


def menu(message: dict[str, Any]) -> dict[str, Any]:
    """The message's "More outcomes…" select menu (component type 3)."""
    (found,) = [c for row in message["components"] for c in row["components"] if c["type"] == 3]
    return found


async def claimed_with_team_outcomes(
    fake: FakeDiscord, store: SqlStore, desk: ChatActions, make_chat: MakeChat, clock: Clock
) -> tuple[int, str]:
    """An alert Alice claimed by button, on a desk whose team added "conference talk"."""
    desk.custom_outcomes = ("conference talk",)
    chat = await make_chat()
    alert_id, message_id = await posted(fake, store, chat, clock)
    await fake.press(ALICE, message_id, f"earshot:claim:{alert_id}")
    await fake.wait_for(lambda: fake.edits)
    return alert_id, message_id


async def test_a_claimed_alert_offers_the_other_outcomes_in_a_menu_of_its_own_row(
    fake: FakeDiscord, store: SqlStore, desk: ChatActions, make_chat: MakeChat, clock: Clock
) -> None:
    alert_id, message_id = await claimed_with_team_outcomes(fake, store, desk, make_chat, clock)
    message = fake.messages[message_id]
    select = menu(message)
    assert select["custom_id"] == f"earshot:more:{alert_id}" and select["placeholder"] == "More outcomes…"
    assert [(o["label"], o["value"]) for o in select["options"]] == [
        ("Sign-up", "signup"),
        ("Bug report", "bug_report"),
        ("conference talk", "custom:conference talk"),
    ]
    rows = message["components"]
    assert len(rows) <= 5 and [c["type"] for c in rows[-1]["components"]] == [3]  # a menu fills its row


async def test_the_claimer_picks_sign_up_and_it_is_recorded_and_shown(
    fake: FakeDiscord, store: SqlStore, desk: ChatActions, make_chat: MakeChat, clock: Clock
) -> None:
    alert_id, message_id = await claimed_with_team_outcomes(fake, store, desk, make_chat, clock)
    picked = await fake.choose(ALICE, message_id, f"earshot:more:{alert_id}", ["signup"])
    (done,) = await fake.wait_for(lambda: fake.followups_for(picked))
    assert done["content"] == "Recorded: sign-up." and done["flags"] == 64
    async with store.unit() as unit:
        outcomes = await unit.list_outcomes(alert_id)
    assert [(o.kind, o.actor, o.label) for o in outcomes] == [(OutcomeKind.SIGNUP, ALICE.id, None)]
    assert fields(fake.messages[message_id])["Outcomes"].startswith(f"• sign-up by <@{ALICE.id}> <t:")
    assert menu(fake.messages[message_id])["custom_id"] == f"earshot:more:{alert_id}"  # redrawn, still offered


async def test_the_claimer_picks_the_teams_own_outcome_and_its_label_is_kept(
    fake: FakeDiscord, store: SqlStore, desk: ChatActions, make_chat: MakeChat, clock: Clock
) -> None:
    alert_id, message_id = await claimed_with_team_outcomes(fake, store, desk, make_chat, clock)
    picked = await fake.choose(ALICE, message_id, f"earshot:more:{alert_id}", ["custom:conference talk"])
    (done,) = await fake.wait_for(lambda: fake.followups_for(picked))
    assert done["content"] == "Recorded: conference talk."
    async with store.unit() as unit:
        (outcome,) = await unit.list_outcomes(alert_id)
    assert (outcome.kind, outcome.label, outcome.actor) == (OutcomeKind.CUSTOM, "conference talk", ALICE.id)
    assert fields(fake.messages[message_id])["Outcomes"].startswith(f"• conference talk by <@{ALICE.id}>")


async def test_an_outcome_no_longer_offered_is_refused_and_the_menu_redrawn(
    fake: FakeDiscord, store: SqlStore, desk: ChatActions, make_chat: MakeChat, clock: Clock
) -> None:
    alert_id, message_id = await claimed_with_team_outcomes(fake, store, desk, make_chat, clock)
    desk.custom_outcomes = ()  # the team dropped it after the menu was drawn
    picked = await fake.choose(ALICE, message_id, f"earshot:more:{alert_id}", ["custom:conference talk"])
    (note,) = await fake.wait_for(lambda: fake.followups_for(picked))
    assert note["flags"] == 64 and "not offered any more" in note["content"]
    async with store.unit() as unit:
        assert await unit.list_outcomes(alert_id) == []
    values = [o["value"] for o in menu(fake.messages[message_id])["options"]]
    assert values == ["signup", "bug_report"]
