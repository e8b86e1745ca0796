"""Crash safety on the chat platforms: the real `earshot run`, posting to a local Discord or Slack, killed with SIGKILL
at random moments while it ingests and delivers, then restarted; at the end the messages the fake holds are counted.

The feeds and topics are those of test_crash.py (tests/e2e/crashing.py): four topics, three routed to channels of
their own and one to the default channel. Every matching item must have exactly one message at the fake, in its
topic's channel: none lost, none doubled. The count is of messages the fake *created*, not of requests: a kill
between the platform storing a message and the process marking the alert delivered makes the next process try that
alert again, and what keeps it from a second message differs per platform:

- Discord: every alert message carries a nonce derived from the alert id, with ``enforce_nonce``; Discord answers a
  repeat nonce in the channel with the message it already made, but only for a few minutes. So an alert another
  process had leased (or whose last attempt failed) is first looked for among the channel's recent messages, by the
  alert id its buttons carry. The fake here forgets nonces at once, so that look alone must keep every message
  single; the messages it finds are counted and printed.
- Slack: ``chat.postMessage`` has no idempotency key. Every alert message carries metadata naming its alert, and an
  alert that another process had leased (or whose last attempt was unclear) is first looked for in the channel's
  history (``conversations.history`` with ``include_all_metadata``); the message found is reused.

The fakes answer a message create a moment after storing it (``post_latency``), so kills land in that window too.
At the end the database must agree: every alert delivered, each one's message reference naming the message the fake
holds for it. CI runs a small size; ``EARSHOT_FULL=1`` 1,500 items and 30 kills; ``-s`` shows the counts.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from earshot.adapters.storage import create_engine
from earshot.adapters.storage import tables as t
from tests.e2e.conftest import DEADLINE, Earshot
from tests.e2e.crashing import (
    CHANNEL_NAMES,
    DEFAULT_CHANNEL,
    ITEMS,
    KILLS,
    TOPICS,
    Crasher,
    DrippingFeeds,
    complete,
    config,
    crash_rng,
    start,
    stop,
    traceback_excerpt,
    until,
)
from tests.fakes.discord import TOKEN, FakeDiscord
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack

# Minutes of kills each: CI runs them once, on PostgreSQL (the README's command runs them on SQLite).
pytestmark = [pytest.mark.slow, pytest.mark.postgresql_pass]

LATENCY = 0.03  # seconds between a fake storing a message and answering it: the window a kill can land in
DISCORD_CHANNELS = {
    name: str(345626669114982410 + i) for i, name in enumerate(sorted(CHANNEL_NAMES))
}  # name -> snowflake
SLACK_CHANNELS = {name: "C0" + re.sub(r"[^A-Z]", "", name.upper()).ljust(8, "0") for name in sorted(CHANNEL_NAMES)}
_SLACK_LINK = re.compile(r"<([^|>]+)\|")
_DISCORD_FOOTER = re.compile(r"alert (\d+) ")


@dataclass(frozen=True)
class Posted:
    """One alert message a fake holds: the item's link, the topic, the channel's name, the alert and the message."""

    url: str
    topic: str
    channel: str
    alert_id: int
    ref: str  # "<channel id>:<message id or ts>", as Earshot stores it


def discord_posted(fake: FakeDiscord) -> Iterator[Posted]:
    """The alert messages the fake Discord created (notices and replies have no alert embed)."""
    names = {cid: name for name, cid in fake.text_channels.items()}
    for message in list(fake.messages.values()):
        embed = (message.get("embeds") or [{}])[0]
        topic = next((f["value"] for f in embed.get("fields") or [] if f["name"] == "Topic"), None)
        if topic is None:
            continue
        footer = _DISCORD_FOOTER.match((embed.get("footer") or {}).get("text", ""))
        assert footer is not None, embed
        alert_id = int(footer.group(1))
        channel = message["channel_id"]
        yield Posted(embed["url"], topic, names[channel], alert_id, f"{channel}:{message['id']}")


def slack_posted(fake: FakeSlack) -> Iterator[Posted]:
    """The alert messages the fake Slack holds (those carrying Earshot's alert metadata)."""
    for channel in fake.channels.values():
        for message in list(channel.messages):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") != "earshot_alert":
                continue
            blocks = message["blocks"]
            link = _SLACK_LINK.search(blocks[0]["text"]["text"])
            assert link is not None, blocks[0]
            contexts = [e["text"] for e in blocks[1]["elements"]]
            topic = next(text.removeprefix("topic: ") for text in contexts if text.startswith("topic: "))
            alert_id = int(metadata["event_payload"]["alert_id"])
            yield Posted(link.group(1), topic, channel.name, alert_id, f"{channel.id}:{message['ts']}")


async def stored_alerts(database_url: str) -> dict[int, tuple[str, str | None]]:
    """Every alert in the database: id -> (state, message reference)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(t.alerts.c.id, t.alerts.c.state, t.alerts.c.message_ref))
            return {row.id: (row.state, row.message_ref) for row in rows}
    finally:
        await engine.dispose()


@dataclass
class Outcome:
    """What a harness run saw."""

    posted: list[Posted]
    expected: set[tuple[str, str]]
    kills: int
    in_flight: int
    done: bool
    code: int
    stored: dict[int, tuple[str, str | None]]
    log: Path


async def crash_and_count(
    earshot: Earshot,
    tmp_path: Path,
    chat: str,
    env: dict[str, str],
    posted: Callable[[], Iterator[Posted]],
    on_created: list[Callable[[dict[str, Any]], None]],
) -> Outcome:
    """Seed the feeds, kill `earshot run` KILLS times while the feeds publish (``on_created``: the fake's hooks, for
    the kills with a message in flight), then let a last run finish the work; ``posted()`` lists the alert messages
    the fake holds."""
    with FakeHttpServer() as server:
        feeds = DrippingFeeds(server, window=KILLS * 2.0)
        earshot.write_config(config(feeds, chat))
        log_path = tmp_path / "runs.log"
        with log_path.open("w") as log:
            crasher = Crasher(earshot, env, log, crash_rng())
            on_created.append(crasher.message_created)
            assert await complete(earshot, env, log, "db", "upgrade") == 0, log_path.read_text()[-3000:]
            # Every feed's first poll: empty, alerts nothing.
            assert await complete(earshot, env, log, "run", "--once") == 0, log_path.read_text()[-3000:]
            feeds.start()
            kills = await crasher.kill_repeatedly()
            assert await until(feeds.all_published, KILLS * 2.0 + 5)
            final = await start(earshot, env, log, "run")
            expected = feeds.expected()
            # Feeds a killed process held stay leased for [schedule] lease, then wait for their next turn.
            done = await until(lambda: len(list(posted())) >= len(expected), DEADLINE)
            await asyncio.sleep(3)  # anything posted twice by now would show
            code = await stop(final)
    stored = await stored_alerts(earshot.database_url)
    return Outcome(list(posted()), expected, kills, crasher.in_flight, done, code, stored, log_path)


def check(outcome: Outcome, platform: str, repeats: int, extra: str = "") -> None:
    """Print the counts, then assert: nothing lost, nothing doubled, the right channels, the database agreeing."""
    by_pair = Counter((p.url, p.topic) for p in outcome.posted)
    by_alert = Counter(p.alert_id for p in outcome.posted)
    lost = outcome.expected - set(by_pair)
    doubled = {pair: n for pair, n in by_pair.items() if n > 1}
    doubled_alerts = {alert: n for alert, n in by_alert.items() if n > 1}
    unexpected = set(by_pair) - outcome.expected
    channels = Counter(p.channel for p in outcome.posted)
    output = outcome.log.read_text()
    print(
        f"\n{platform} crash harness: {ITEMS} items, {len(outcome.expected)} matching (item, topic) pairs, "
        f"{outcome.kills} SIGKILLs ({outcome.in_flight} with a message stored and not yet answered); "
        f"{len(outcome.posted)} alert messages at the fake, lost {len(lost)}, "
        f"doubled {len(doubled)} (alerts with two messages {len(doubled_alerts)}), unexpected {len(unexpected)}; "
        f"{repeats} repeated posts answered with the existing message{extra}; channels {dict(channels)}; "
        f"{output.count('Traceback')} tracebacks in the log"
    )
    assert outcome.done, f"not everything arrived: {len(lost)} missing, e.g. {sorted(lost)[:5]}"
    assert outcome.code == 0, output[-3000:]
    assert lost == set()
    assert doubled == {}
    assert doubled_alerts == {}
    assert unexpected == set()
    assert set(channels) == CHANNEL_NAMES
    # Every channel got its topic's items only.
    routes = {topic: channel or DEFAULT_CHANNEL for topic, channel in TOPICS.values()}
    assert all(routes[p.topic] == p.channel for p in outcome.posted)
    # The database agrees: one alert per message, each delivered and pointing at its message.
    assert {alert_id: state for alert_id, (state, _) in outcome.stored.items()} == {
        p.alert_id: "delivered" for p in outcome.posted
    }
    assert {alert_id: ref for alert_id, (_, ref) in outcome.stored.items()} == {
        p.alert_id: p.ref for p in outcome.posted
    }
    assert "Traceback" not in output, traceback_excerpt(outcome.log)


async def test_discord_sigkill_at_random_moments_loses_no_message_and_doubles_none(
    earshot: Earshot, tmp_path: Path
) -> None:
    # nonce_window=0: as if each restart came after Discord had forgotten the nonce (it keeps them minutes).
    fake = FakeDiscord(text_channels=dict(DISCORD_CHANNELS), post_latency=LATENCY, nonce_window=0.0)
    await fake.start()
    chat = f"""
[chat]
platform = "discord"
channel = "{DEFAULT_CHANNEL}"

[discord]
api_base = "{fake.api_base}"
gateway_url = "{fake.gateway_url}"
"""
    try:
        env = earshot.env() | {"DISCORD_TOKEN": TOKEN}
        outcome = await crash_and_count(earshot, tmp_path, chat, env, lambda: discord_posted(fake), fake.on_created)
    finally:
        await fake.close()
    assert all(p.get("nonce") and p.get("enforce_nonce") for p in fake.posts)
    found = outcome.log.read_text().count("not posting again")
    check(outcome, "discord", found, " (found among the channel's messages by the alert id in their buttons)")
    assert TOKEN not in outcome.log.read_text()


async def test_slack_sigkill_at_random_moments_loses_no_message_and_doubles_none(
    earshot: Earshot, tmp_path: Path
) -> None:
    async with FakeSlack(post_latency=LATENCY) as fake:
        for name, channel_id in SLACK_CHANNELS.items():
            fake.add_channel(channel_id, name)
        chat = f"""
[chat]
platform = "slack"
channel = "{DEFAULT_CHANNEL}"

[slack]
api_url = "{fake.api_url}"
"""
        env = earshot.env() | {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
        outcome = await crash_and_count(earshot, tmp_path, chat, env, lambda: slack_posted(fake), fake.on_created)
        posts = len(fake.called("chat.postMessage"))
        lookups = len(fake.called("conversations.history"))
    found = outcome.log.read_text().count("not posting again")
    check(
        outcome,
        "slack",
        found,
        f" (found in history by metadata; {posts} chat.postMessage calls, {lookups} history look-ups)",
    )
    assert BOT_TOKEN not in outcome.log.read_text() and APP_TOKEN not in outcome.log.read_text()
