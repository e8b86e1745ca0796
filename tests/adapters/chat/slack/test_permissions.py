"""Who may do what on Slack, one table: every path that changes topics, feeds, claims or outcomes, tried by someone
who may not (refused with a clear message, every stored row unchanged), then by someone who may (it happens).

The real bolt app in HTTP mode against the fake Slack. Bob is a plain member; Alice claims the alert first; Ada
is a workspace admin, so she may change topics and feeds and moderates claims (release them, record on them).

Open to everyone on purpose, so not in the tables: *Not relevant* (feedback on the alert, from anyone: see
``test_not_relevant_is_open_to_anyone_and_leaves_the_claim_alone``), the reading commands (``topic list``,
``feed list``, ``mine``, ``unclaimed``, ``stats``, ``help``) and ``me`` (which links the asker's own accounts).
Opening the note form is open too; what is checked is its submission.

The CLI (``earshot topics|feeds add|remove``) has no permission model, on purpose: it is the operator's tool, run
by whoever holds the config and the database URL (and so could change the rows directly anyway). It records each
change in the audit log as ``cli:<login>``, and like chat it cannot remove a topic or feed the config file
defines (tests/e2e/test_cli.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from earshot.adapters.chat.slack.poster import parse_ref
from earshot.adapters.chat.slack.render import NOTE_BLOCK, NOTE_CALLBACK, NOTE_INPUT
from earshot.bot.actions.chat_actions import AlertView
from earshot.bot.domain import Alert, Feed, OutcomeKind, Topic
from tests.adapters.chat.permissions import logged, snapshot
from tests.fakes.slack import block_action, reaction_event, select_action, view_submission

from .conftest import Rig

# The chat platform's behaviour is the subject: the same on any database (the storage contract tests cover both).
pytestmark = pytest.mark.any_database

ALICE, BOB, ADA = "U0ALICE01", "U0BOB0001", "U0ADMIN01"  # Ada is a workspace admin in the fake
TEAM_OUTCOME = "conference talk"


def where(alert: Alert) -> tuple[str, str]:
    found = parse_ref(alert.message_ref)
    assert found is not None
    return found


async def updates(rig: Rig, count: int) -> None:
    await rig.slack.wait_for(lambda: len(rig.slack.called("chat.update")) >= count)


async def told(rig: Rig, user: str, since: int) -> str:
    """The first ephemeral note ``user`` got after the ``since``-th one overall."""
    notes = await rig.slack.wait_for(
        lambda: [c for c in rig.slack.called("chat.postEphemeral")[since:] if c.args["user"] == user]
    )
    return str(notes[0].args["text"])


# --- /earshot subcommands that change topics and feeds --------------------------------------------------------


@dataclass(frozen=True)
class CommandPath:
    """A changing subcommand, what the refused member is told, and how to see it was done."""

    text: str
    says: str
    done: Callable[[Rig], Awaitable[bool]]


async def has_topic(rig: Rig, name: str) -> bool:
    async with rig.store.unit() as unit:
        return await unit.get_topic(name) is not None


async def has_feed(rig: Rig, name: str) -> bool:
    async with rig.store.unit() as unit:
        return await unit.get_feed(name) is not None


COMMANDS = [
    CommandPath(
        "topic add pg postgres <#C0VECTOR1|vector-db>", "bob, you may not add topic 'pg'", lambda r: has_topic(r, "pg")
    ),
    CommandPath(
        "topic remove runtime", "bob, you may not remove topic 'runtime'", lambda r: _not(has_topic(r, "runtime"))
    ),
    CommandPath(
        'topic edit runtime about:"Vector search for teams" example:"pgvector or Qdrant?"',
        "bob, you may not change topic 'runtime'",
        lambda r: _about(r, "runtime", "Vector search for teams"),
    ),
    CommandPath(
        "feed add rss https://blog.example.com/feed.xml 30m",
        "bob, you may not add a feed",
        lambda r: has_feed(r, "blog-example-com"),
    ),
    CommandPath(
        "feed remove runtime-feed",
        "bob, you may not remove feed 'runtime-feed'",
        lambda r: _not(has_feed(r, "runtime-feed")),
    ),
]


async def _about(rig: Rig, name: str, about: str) -> bool:
    async with rig.store.unit() as unit:
        topic = await unit.get_topic(name)
    return topic is not None and topic.about == about


async def _not(check: Awaitable[bool]) -> bool:
    return not await check


@pytest.mark.parametrize("path", COMMANDS, ids=[c.text.split(" <")[0] for c in COMMANDS])
async def test_a_member_cannot_change_topics_or_feeds_and_an_admin_can(rig: Rig, path: CommandPath) -> None:
    await rig.desk.catalog.add_topic(Topic("runtime", "pgvector"), ADA)
    await rig.desk.catalog.add_feed(Feed("runtime-feed", "hackernews", timedelta(minutes=5), query="pgvector"), ADA)
    before = await snapshot(rig.store)

    refused = await rig.command(path.text, user=BOB)
    assert refused["response_type"] == "ephemeral"  # nothing said in the channel
    assert refused["text"].startswith(path.says)
    assert "changing topics and feeds is for Earshot's admins" in refused["text"]
    assert await snapshot(rig.store) == before
    assert not await path.done(rig)

    allowed = await rig.command(path.text, user=ADA)
    assert allowed["response_type"] == "in_channel", allowed["text"]
    assert await path.done(rig)


# --- buttons, menus, the note form and ✋ on an alert someone else claimed -------------------------------------


Act = Callable[[Rig, Alert, str], Awaitable[None]]


@dataclass(frozen=True)
class AlertPath:
    """Something done to an alert Alice claimed, by ``refused`` first and by ``allowed`` after.

    ``says`` is what the refused one is told privately, or, for a ✋ taken back (which tells nobody), ``logs`` is
    the line that shows the refusal was made. With ``on_free`` the positive control is ``allowed`` doing the same on
    an alert nobody holds (a claim cannot be taken from its holder by anyone).
    """

    name: str
    act: Act
    refused: str
    allowed: str
    done: Callable[[AlertView, str], bool]
    says: str = ""
    logs: str = ""
    on_free: bool = False
    control: Act | None = None  # what ``allowed`` does, when it is not ``act``


def press(action_id: str) -> Act:
    async def act(rig: Rig, alert: Alert, user: str) -> None:
        channel, ts = where(alert)
        await rig.interact(block_action(user, channel, ts, action_id, str(alert.id), response_url=""))

    return act


def follow_up_press(kind: OutcomeKind) -> Act:
    """An outcome button on the follow-up question in the alert's thread."""

    async def act(rig: Rig, alert: Alert, user: str) -> None:
        channel, _ = where(alert)
        question = next(m for m in reversed(rig.slack.channels[channel].messages) if m.get("thread_ts"))
        pressed = block_action(
            user, channel, question["ts"], f"earshot:outcome:{kind.value}", str(alert.id), response_url=""
        )
        pressed["actions"][0]["block_id"] = question["blocks"][-1]["block_id"]
        await rig.interact(pressed)

    return act


def pick(value: str) -> Act:
    """An option picked in the alert's "More outcomes…" menu."""

    async def act(rig: Rig, alert: Alert, user: str) -> None:
        channel, ts = where(alert)
        block = f"earshot:more:{alert.id}"
        await rig.interact(
            select_action(user, channel, ts, "earshot:outcome_more", block, value, value, response_url="")
        )

    return act


async def submit_note(rig: Rig, alert: Alert, user: str) -> None:
    channel, _ = where(alert)
    values = {NOTE_BLOCK: {NOTE_INPUT: {"type": "plain_text_input", "value": f"a note by {user}"}}}
    await rig.interact(view_submission(user, NOTE_CALLBACK, f"{alert.id}:{channel}", values))


def react(*, added: bool) -> Act:
    async def act(rig: Rig, alert: Alert, user: str) -> None:
        channel, ts = where(alert)
        await rig.event(reaction_event(user, channel, ts, added=added, event_id=f"Ev{user}{alert.id}{added}"))

    return act


def hand_added_then_taken_back() -> Act:
    """A ✋ that came second (its owner is told who holds the claim), then taken back."""

    async def act(rig: Rig, alert: Alert, user: str) -> None:
        since = len(rig.slack.called("chat.postEphemeral"))
        await react(added=True)(rig, alert, user)
        assert "has claimed this already" in await told(rig, user, since)
        await react(added=False)(rig, alert, user)

    return act


def recorded(kind: OutcomeKind, label: str | None = None) -> Callable[[AlertView, str], bool]:
    return lambda view, user: [(o.kind, o.actor, o.label) for o in view.outcomes] == [(kind, user, label)]


def claimed_by(view: AlertView, user: str) -> bool:
    return view.alert.claimed_by == user


def released(view: AlertView, user: str) -> bool:
    return view.alert.claimed_by is None


OUTCOME_REFUSAL = "<@U0ALICE01> has claimed it; only they (or a moderator) record how it went"
ALERT_PATHS = [
    AlertPath(
        "Claim button",
        press("earshot:claim"),
        BOB,
        BOB,
        claimed_by,
        says="<@U0ALICE01> has claimed this already",
        on_free=True,
    ),
    AlertPath(
        "✋ added", react(added=True), BOB, BOB, claimed_by, says="<@U0ALICE01> has claimed this already", on_free=True
    ),
    AlertPath(
        "Release button", press("earshot:release"), BOB, ADA, released, says="only they (or a moderator) can release it"
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
        "follow-up Replied",
        follow_up_press(OutcomeKind.REPLIED),
        BOB,
        ALICE,
        recorded(OutcomeKind.REPLIED),
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
    AlertPath(
        "note form",
        submit_note,
        BOB,
        ALICE,
        lambda v, u: recorded(OutcomeKind.NOTE)(v, u) and v.outcomes[0].note == f"a note by {u}",
        says=OUTCOME_REFUSAL,
    ),
    AlertPath(
        "✋ taken back by a member",
        hand_added_then_taken_back(),
        BOB,
        ALICE,
        released,
        logs=f"{BOB} took back ✋, but {ALICE} holds the claim; nothing released",
        control=react(added=False),
    ),
    AlertPath(
        "✋ taken back by a moderator",
        hand_added_then_taken_back(),
        ADA,
        ALICE,
        released,
        logs=f"{ADA} took back ✋, but {ALICE} holds the claim; nothing released",
        control=react(added=False),
    ),
]


@pytest.mark.parametrize("path", ALERT_PATHS, ids=[p.name for p in ALERT_PATHS])
async def test_only_the_claimer_or_a_moderator_acts_on_a_claimed_alert(
    rig: Rig, path: AlertPath, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="earshot.adapters.chat.slack.app")
    rig.desk.custom_outcomes = (TEAM_OUTCOME,)
    alert = await rig.post_alert(1)
    channel, ts = where(alert)
    await rig.interact(block_action(ALICE, channel, ts, "earshot:claim", str(alert.id), response_url=""))
    await updates(rig, 1)
    claimed = (await rig.desk.view(alert.id)).alert
    await rig.chat.follow_up(claimed)
    before = await snapshot(rig.store)
    pressed_before = len(rig.slack.called("chat.postEphemeral"))

    await path.act(rig, claimed, path.refused)
    if path.says:
        assert path.says in await told(rig, path.refused, pressed_before)
    else:
        await logged(caplog, path.logs)
    assert await snapshot(rig.store) == before
    assert len(rig.slack.called("chat.update")) == 1  # neither the alert nor the follow-up was redrawn

    target = claimed
    if path.on_free:
        target = await rig.post_alert(2)
    updated = len(rig.slack.called("chat.update"))
    await (path.control or path.act)(rig, target, path.allowed)
    await updates(rig, updated + 1)
    assert path.done(await rig.desk.view(target.id), path.allowed)


async def test_not_relevant_is_open_to_anyone_and_leaves_the_claim_alone(rig: Rig) -> None:
    alert = await rig.post_alert()
    channel, ts = where(alert)
    await rig.interact(block_action(ALICE, channel, ts, "earshot:claim", str(alert.id), response_url=""))
    await updates(rig, 1)
    await rig.interact(block_action(BOB, channel, ts, "earshot:not_relevant", str(alert.id), response_url=""))
    await updates(rig, 2)
    view = await rig.desk.view(alert.id)
    assert view.alert.claimed_by == ALICE
    assert [(o.kind, o.actor) for o in view.outcomes] == [(OutcomeKind.NOT_RELEVANT, BOB)]
