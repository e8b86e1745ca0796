"""Who may do what on Discord, one table: every path that changes topics, feeds, claims or outcomes, tried by
someone who may not (refused with a clear message, every stored row unchanged), then by someone who may.

The real discord.py client against the local Discord. Bob is a plain member; Alice claims the alert first; Helper
has Manage Messages (moderates claims, may not change topics and feeds); Mod has Manage Server (may do both).
What is open to everyone on purpose (Not relevant, the reading commands, ``me``) and why the CLI has no
permission model is written in tests/adapters/chat/slack/test_permissions.py; the rules are the ChatActions', the same
for every platform.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from earshot.adapters.storage import SqlStore
from earshot.bot.actions.chat_actions import ChatActions
from earshot.bot.domain import Feed, OutcomeKind, Topic
from tests.adapters.chat.permissions import logged, snapshot
from tests.fakes.clock import Clock
from tests.fakes.discord import ALICE, BOB, CHANNELS, MOD, FakeDiscord, Person
from tests.fakes.discord_shapes import EVERYONE_PERMISSIONS, MANAGE_MESSAGES

from .conftest import MakeChat, private_notes, stored
from .test_commands import run
from .test_flow import posted

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database

HELPER = Person("175928847299117063", "helper", permissions=EVERYONE_PERMISSIONS | MANAGE_MESSAGES)
TEAM_OUTCOME = "conference talk"


# --- /earshot subcommands that change topics and feeds --------------------------------------------------------


@dataclass(frozen=True)
class CommandPath:
    """A changing subcommand with its options, what the refused member is told, and how to see it was done."""

    path: tuple[str, ...]
    options: dict[str, str]
    says: str
    done: Callable[[SqlStore], Awaitable[bool]]


async def has_topic(store: SqlStore, name: str) -> bool:
    async with store.unit() as unit:
        return await unit.get_topic(name) is not None


async def has_feed(store: SqlStore, name: str) -> bool:
    async with store.unit() as unit:
        return await unit.get_feed(name) is not None


async def lacks_topic(store: SqlStore) -> bool:
    return not await has_topic(store, "runtime")


async def lacks_feed(store: SqlStore) -> bool:
    return not await has_feed(store, "runtime-feed")


COMMANDS = [
    CommandPath(
        ("topic", "add"),
        {"name": "pg", "query": "postgres", "channel": "vector-db"},
        "you may not add topic 'pg'",
        lambda s: has_topic(s, "pg"),
    ),
    CommandPath(("topic", "remove"), {"name": "runtime"}, "you may not remove topic 'runtime'", lacks_topic),
    CommandPath(
        ("feed", "add"),
        {"kind": "rss", "target": "https://blog.example.com/feed.xml", "every": "30m"},
        "you may not add a feed",
        lambda s: has_feed(s, "blog-example-com"),
    ),
    CommandPath(("feed", "remove"), {"name": "runtime-feed"}, "you may not remove feed 'runtime-feed'", lacks_feed),
]


@pytest.mark.parametrize("who", [BOB, HELPER], ids=["member", "manage messages only"])
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c.path) for c in COMMANDS])
async def test_only_manage_server_changes_topics_and_feeds(
    fake: FakeDiscord, store: SqlStore, desk: ChatActions, make_chat: MakeChat, command: CommandPath, who: Person
) -> None:
    await desk.catalog.add_topic(Topic("runtime", "pgvector"), MOD.id)
    await desk.catalog.add_feed(Feed("runtime-feed", "hackernews", timedelta(minutes=5), query="pgvector"), MOD.id)
    await make_chat()
    before = await snapshot(store)
    posts = len(fake.posts)

    refused = await run(fake, who, list(command.path), **command.options)
    assert refused["flags"] == 64  # only the asker sees it
    assert refused["content"].startswith(f"\N{WARNING SIGN} {who.name}, {command.says}")
    assert "changing topics and feeds is for Earshot's admins" in refused["content"]
    assert len(fake.posts) == posts  # nothing said in the channel
    assert await snapshot(store) == before
    assert not await command.done(store)

    allowed = await run(fake, MOD, list(command.path), **command.options)
    assert allowed["content"] == "Done, and said so in the channel.", allowed["content"]
    assert await command.done(store)


# --- buttons, the menu, the note form and ✋ on an alert someone else claimed -----------------------------------


@dataclass
class Board:
    """The alert Alice claimed (its message and the follow-up question under it) and a second one nobody holds."""

    fake: FakeDiscord
    store: SqlStore
    claimed: int
    message: str
    question: str
    free: int
    free_message: str
    caplog: pytest.LogCaptureFixture


Act = Callable[[Board, int, str, Person], Awaitable[str | None]]
"""Do it to an alert (id, message) as a person; returns the interaction id, or None for a reaction."""


def press(prefix: str) -> Act:
    async def act(board: Board, alert_id: int, message: str, person: Person) -> str:
        return await board.fake.press(person, message, f"{prefix}:{alert_id}")

    return act


async def press_claim(board: Board, alert_id: int, message: str, person: Person) -> str:
    """Claim, from a client that still shows the Claim button: Discord sends the press with the message as it
    is now (redrawn by Alice's claim, without that button)."""
    return await board.fake.press(person, message, f"earshot:claim:{alert_id}")


def follow_up_press(kind: OutcomeKind) -> Act:
    """An outcome button on the follow-up question posted under the alert."""

    async def act(board: Board, alert_id: int, message: str, person: Person) -> str:
        return await board.fake.press(person, board.question, f"earshot:outcome:{kind.value}:{alert_id}")

    return act


def pick(value: str) -> Act:
    async def act(board: Board, alert_id: int, message: str, person: Person) -> str:
        return await board.fake.choose(person, message, f"earshot:more:{alert_id}", [value])

    return act


async def write_note(board: Board, alert_id: int, message: str, person: Person) -> str:
    """Open the note form and submit it; one who may not add a note is told so instead of getting the form."""
    opened = await board.fake.press(person, message, f"earshot:note:{alert_id}")
    form = await board.fake.wait_for(lambda: board.fake.callback_for(opened))
    if form["type"] == 4:
        return opened  # refused at once, privately
    assert form["type"] == 9  # the modal
    values = {"earshot:note_text": f"a note by {person.name}"}
    return await board.fake.submit(person, f"earshot:note_form:{alert_id}", values, CHANNELS["conversations"])


def react(*, add: bool) -> Act:
    async def act(board: Board, alert_id: int, message: str, person: Person) -> None:
        await board.fake.react(person, message, add=add)

    return act


async def hand_taken_back(board: Board, alert_id: int, message: str, person: Person) -> None:
    """A ✋ that came second (it claims nothing), then taken back."""
    await board.fake.react(person, message)
    await logged(board.caplog, f"{person.id} reacted, but {ALICE.id} holds it")
    await board.fake.react(person, message, add=False)


Done = Callable[[Any, list[Any], Person], bool]
"""Whether the positive control happened: (alert, its outcomes, the person who did it)."""


def recorded(kind: OutcomeKind, label: str | None = None) -> Done:
    return lambda alert, outcomes, person: [(o.kind, o.actor, o.label) for o in outcomes] == [(kind, person.id, label)]


def claimed_by(alert: Any, outcomes: list[Any], person: Person) -> bool:
    return bool(alert.claimed_by == person.id)


def released(alert: Any, outcomes: list[Any], person: Person) -> bool:
    return alert.claimed_by is None


def noted(alert: Any, outcomes: list[Any], person: Person) -> bool:
    return recorded(OutcomeKind.NOTE)(alert, outcomes, person) and outcomes[0].note == f"a note by {person.name}"


@dataclass(frozen=True)
class AlertPath:
    """Something done to the alert Alice claimed, by ``refused`` first and by ``allowed`` after.

    ``says`` is what the refused one is told privately; a reaction tells nobody, so ``logs`` is the line that
    shows the refusal was made. With ``on_free`` the positive control is ``allowed`` doing the same on the alert
    nobody holds (a claim cannot be taken from its holder by anyone); ``control`` is what ``allowed`` does when
    it is not the same act.
    """

    name: str
    act: Act
    refused: Person
    allowed: Person
    done: Done
    says: str = ""
    logs: str = ""
    on_free: bool = False
    control: Act | None = None


OUTCOME_REFUSAL = f"<@{ALICE.id}> has claimed it; only they (or a moderator) record how it went"
ALERT_PATHS = [
    AlertPath("Claim button", press_claim, BOB, BOB, claimed_by, says=f"<@{ALICE.id}> claimed this", on_free=True),
    AlertPath(
        "✋ added",
        react(add=True),
        BOB,
        BOB,
        claimed_by,
        logs=f"{BOB.id} reacted, but {ALICE.id} holds it",
        on_free=True,
    ),
    AlertPath(
        "Release button",
        press("earshot:release"),
        BOB,
        HELPER,
        released,
        says=f"<@{ALICE.id}> has claimed it; only they (or a moderator) can release it",
    ),
    *[
        AlertPath(
            f"{kind.value} button",
            press(f"earshot:outcome:{kind.value}"),
            BOB,
            ALICE,
            recorded(kind),
            says=OUTCOME_REFUSAL,
        )
        for kind in (OutcomeKind.REPLIED, OutcomeKind.GOT_RESPONSE, OutcomeKind.LEAD, OutcomeKind.NOT_WORTH_IT)
    ],
    AlertPath(
        "follow-up Lead",
        follow_up_press(OutcomeKind.LEAD),
        BOB,
        ALICE,
        recorded(OutcomeKind.LEAD),
        says=OUTCOME_REFUSAL,
    ),
    AlertPath("menu sign-up", pick("signup"), BOB, ALICE, recorded(OutcomeKind.SIGNUP), says=OUTCOME_REFUSAL),
    AlertPath(
        "menu bug report", pick("bug_report"), BOB, ALICE, recorded(OutcomeKind.BUG_REPORT), says=OUTCOME_REFUSAL
    ),
    AlertPath(
        "menu team outcome",
        pick(f"custom:{TEAM_OUTCOME}"),
        BOB,
        ALICE,
        recorded(OutcomeKind.CUSTOM, TEAM_OUTCOME),
        says=OUTCOME_REFUSAL,
    ),
    AlertPath("note form", write_note, BOB, ALICE, noted, says=OUTCOME_REFUSAL),
    AlertPath(
        "✋ taken back by a member",
        hand_taken_back,
        BOB,
        ALICE,
        released,
        logs=f"{BOB.id} took back ✋, but {ALICE.id} holds the claim; nothing released",
        control=react(add=False),
    ),
    AlertPath(
        "✋ taken back by a moderator",
        hand_taken_back,
        MOD,
        ALICE,
        released,
        logs=f"{MOD.id} took back ✋, but {ALICE.id} holds the claim; nothing released",
        control=react(add=False),
    ),
]


async def board(
    fake: FakeDiscord,
    store: SqlStore,
    desk: ChatActions,
    make_chat: MakeChat,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> Board:
    """Two alerts posted; Alice claims the first by button and is asked how it went under it."""
    desk.custom_outcomes = (TEAM_OUTCOME,)
    chat = await make_chat()
    claimed, message = await posted(fake, store, chat, clock)
    free, free_message = await posted(fake, store, chat, clock, n=2)
    await fake.press(ALICE, message, f"earshot:claim:{claimed}")
    await fake.wait_for(lambda: fake.edits)
    alert = await stored(store, claimed)
    assert alert.claimed_by == ALICE.id
    await chat.follow_up(alert)
    question = list(fake.messages)[-1]
    return Board(fake, store, claimed, message, question, free, free_message, caplog)


@pytest.mark.parametrize("path", ALERT_PATHS, ids=[p.name for p in ALERT_PATHS])
async def test_only_the_claimer_or_a_moderator_acts_on_a_claimed_alert(
    fake: FakeDiscord,
    store: SqlStore,
    desk: ChatActions,
    make_chat: MakeChat,
    clock: Clock,
    path: AlertPath,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="earshot.adapters.chat.discord.actions")
    b = await board(fake, store, desk, make_chat, clock, caplog)
    before = await snapshot(store)
    edits = len(fake.edits)

    interaction = await path.act(b, b.claimed, b.message, path.refused)
    if path.says:
        assert interaction is not None
        (note,) = await fake.wait_for(lambda: private_notes(fake, interaction))  # only the one refused sees it
        assert path.says in note["content"], note["content"]
    else:
        await logged(caplog, path.logs)
    assert await snapshot(store) == before
    assert len(fake.edits) == edits  # the alert was not redrawn

    alert_id, message = (b.free, b.free_message) if path.on_free else (b.claimed, b.message)
    await (path.control or path.act)(b, alert_id, message, path.allowed)
    await fake.wait_for(lambda: len(fake.edits) > edits)
    async with store.unit() as unit:
        alert = await unit.get_alert(alert_id)
        outcomes = await unit.list_outcomes(alert_id)
    assert path.done(alert, outcomes, path.allowed)


async def test_not_relevant_is_open_to_anyone_and_leaves_the_claim_alone(
    fake: FakeDiscord,
    store: SqlStore,
    desk: ChatActions,
    make_chat: MakeChat,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    b = await board(fake, store, desk, make_chat, clock, caplog)
    edits = len(fake.edits)
    await fake.press(BOB, b.message, f"earshot:not_relevant:{b.claimed}")
    await fake.wait_for(lambda: len(fake.edits) > edits)
    async with store.unit() as unit:
        alert = await unit.get_alert(b.claimed)
        outcomes = await unit.list_outcomes(b.claimed)
    assert alert is not None and alert.claimed_by == ALICE.id
    assert [(o.kind, o.actor) for o in outcomes] == [(OutcomeKind.NOT_RELEVANT, BOB.id)]
