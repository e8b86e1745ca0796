"""Three `earshot run` replicas on one PostgreSQL database, on the chat platforms.

Discord: exactly one replica holds the gateway (an advisory lock); every replica posts alerts over REST, each
alert once; when the leader is killed with SIGKILL another takes the gateway over within seconds, and a ✋ made
after that still claims.

Slack in HTTP mode behind a load balancer: each replica serves /slack/events on a port of its own, and the test
plays the balancer, sending each request to whichever replica it likes, three people's ✋ on one alert to three
replicas at the same moment, and Slack's retries of an event to another replica than the first. Each alert is
posted once, each claim has one winner, and a retry changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from earshot.adapters.storage import SqlStore, create_engine
from earshot.bot.domain import Conversation
from earshot.bot.ports import NewAlert
from tests.e2e.conftest import DEADLINE, REPO, Earshot
from tests.e2e.test_replicas import postgres_only
from tests.fakes.discord import ALICE, TOKEN, FakeDiscord
from tests.fakes.http_server import free_port
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, reaction_event, signed

pytestmark = pytest.mark.slow

REPLICAS = 3
BATCH = 8  # alerts per round
RUNNING = "earshot is running"


class Replicas:
    """``REPLICAS`` `earshot run` processes, each with its own config file and log file."""

    def __init__(self, earshot: Earshot, configs: list[str], env: dict[str, str]) -> None:
        self.earshot = earshot
        self.paths = []
        for n, text in enumerate(configs):
            path = earshot.workdir / f"replica{n}.toml"
            path.write_text(text)
            self.paths.append(path)
        self.env = earshot.env() | env
        self.processes: list[asyncio.subprocess.Process] = []
        self.logs = [earshot.workdir / f"replica{n}.log" for n in range(len(configs))]

    async def start(self) -> None:
        """Start every replica."""
        for path, log in zip(self.paths, self.logs, strict=True):
            with log.open("w") as out:
                command = [sys.executable, "-m", "earshot.adapters.cli.main", "--config", str(path), "run"]
                self.processes.append(
                    await asyncio.create_subprocess_exec(*command, cwd=REPO, env=self.env, stdout=out, stderr=out)
                )

    def log(self, n: int) -> str:
        """What replica ``n`` logged so far."""
        return self.logs[n].read_text()

    async def stop(self) -> list[int | None]:
        """SIGTERM every replica still running; their exit codes (None for one killed before)."""
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        return [await asyncio.wait_for(process.wait(), DEADLINE) for process in self.processes]


CONFIG = """
[delivery]
every = "1s"
batch = 3

[[topics]]
name = "databases"
query = "postgres"
min_score = 0
"""


async def outbox(database_url: str, first: int) -> set[str]:
    """BATCH alerts waiting in the outbox, as a poll leaves them (polling once per interval between replicas is
    test_replicas.py's part); their conversations' URLs."""
    items = [
        Conversation("rss", f"q{i}", f"http://example.com/q/{i}", f"Which postgres pooler would you pick? ({i})")
        for i in range(first, first + BATCH)
    ]
    store = SqlStore(create_engine(database_url))
    try:
        async with store.unit() as unit:
            at = datetime.now(UTC)
            stored = await unit.insert_conversations(items, "blog", at)
            await unit.insert_alerts([NewAlert(cid, "databases", None, ("postgres",), 70) for cid, _ in stored], at)
    finally:
        await store.close()
    return {item.url for item in items}


async def wait(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not in {timeout:.0f} s: {what}")


def holders(replicas: Replicas) -> list[int]:
    """The replicas whose log says they hold the Discord gateway."""
    return [n for n in range(REPLICAS) if "discord: connected as" in replicas.log(n)]


def assert_clean(codes: list[int | None], replicas: Replicas, secrets: tuple[str, ...]) -> None:
    for n, code in enumerate(codes):
        log = replicas.log(n)
        assert code in (0, -signal.SIGKILL), log[-3000:]
        assert "Traceback" not in log, log[-3000:]
        assert not any(secret in log for secret in secrets)


async def test_discord_one_gateway_holder_each_alert_once_and_a_killed_leader_is_replaced(
    earshot: Earshot, database_url: str
) -> None:
    postgres_only(database_url)
    fake = FakeDiscord()
    await fake.start()
    config = f"""
[chat]
platform = "discord"
channel = "conversations"

[discord]
api_base = "{fake.api_base}"
gateway_url = "{fake.gateway_url}"
{CONFIG}"""
    earshot.write_config(config)
    earshot.upgrade()
    replicas = Replicas(earshot, [config] * REPLICAS, {"DISCORD_TOKEN": TOKEN})
    try:
        await replicas.start()
        await wait(lambda: fake.identifies, DEADLINE, "a replica connects to the gateway")
        await wait(lambda: all(RUNNING in replicas.log(n) for n in range(REPLICAS)), DEADLINE, "every replica runs")
        links = await outbox(database_url, 1)
        await wait(lambda: len(fake.posts) >= BATCH, DEADLINE, "the first alerts")
        await asyncio.sleep(1)
        assert len(fake.identifies) == 1  # the other two never connected
        # The IDENTIFY reaches the fake before the holder has logged READY: wait for the line, do not assume it.
        await wait(lambda: len(holders(replicas)) == 1, DEADLINE, "the gateway holder says it is connected")
        (leader,) = holders(replicas)

        replicas.processes[leader].send_signal(signal.SIGKILL)
        await replicas.processes[leader].wait()
        killed_at = time.monotonic()
        await wait(lambda: len(fake.identifies) == 2, 30, "another replica takes the gateway over")
        takeover = time.monotonic() - killed_at
        links |= await outbox(database_url, 1 + BATCH)
        await wait(lambda: len(fake.posts) >= 2 * BATCH, DEADLINE, "the alerts after the takeover")
        await asyncio.sleep(2)  # anything posted twice would show by now

        message_id = next(iter(fake.messages))
        await fake.react(ALICE, message_id)
        await fake.wait_for(lambda: fake.edits)  # the new leader hears the ✋ and claims
    finally:
        codes = await replicas.stop()
        await fake.close()

    # The alerts in the channel (the claimer's briefing goes to their DMs, without an embed).
    posted = Counter(post["embeds"][0]["url"] for post in fake.posts if post.get("embeds"))
    print(f"\ndiscord replicas: {len(posted)} alerts posted by {REPLICAS}; gateway taken over in {takeover:.1f} s")
    assert set(posted) == links
    assert max(posted.values()) == 1
    assert len([m for m in fake.messages.values() if m.get("embeds")]) == len(links)
    assert takeover < 15  # the lock frees when the dead process's connection drops; followers try every 5 s
    store = SqlStore(create_engine(database_url))
    try:
        async with store.unit() as unit:
            claimed = [a for a in await unit.list_alerts(limit=100) if a.claimed_by]
    finally:
        await store.close()
    assert [a.claimed_by for a in claimed] == [ALICE.id]
    assert_clean(codes, replicas, (TOKEN,))


async def test_slack_http_mode_behind_a_load_balancer_posts_once_and_claims_once(
    earshot: Earshot, database_url: str
) -> None:
    postgres_only(database_url)
    ports = [free_port() for _ in range(REPLICAS)]
    people = ["U0ALICE01", "U0BOB0001", "U0CAROL01"]
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        slack.add_channel("C0ALERTS1", "conversations")
        for person in people:
            slack.add_user(person, person.lower())
        template = f"""
[chat]
platform = "slack"
channel = "conversations"

[slack]
mode = "http"
host = "127.0.0.1"
port = PORT
api_url = "{slack.api_url}"
{CONFIG}"""
        configs = [template.replace("PORT", str(port)) for port in ports]  # one machine here, so a port each
        earshot.write_config(configs[0])
        earshot.upgrade()
        replicas = Replicas(earshot, configs, {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET})

        def told() -> int:
            """Ephemeral notes posted to say who has it: one to each person whose ✋ lost a race (the winners get
            their briefing, privately too)."""
            notes = slack.called("chat.postEphemeral")
            return sum("has claimed this already" in note.args["text"] for note in notes)

        async def send(replica: int, payload: dict[str, Any], **headers: str) -> int:
            """What the load balancer does: pass Slack's request on to the replica it picked."""
            body = json.dumps(payload)
            url = f"http://127.0.0.1:{ports[replica]}/slack/events"
            async with http.post(url, data=body, headers=signed(body) | headers) as answer:
                return answer.status

        try:
            await replicas.start()
            await wait(lambda: all(RUNNING in replicas.log(n) for n in range(REPLICAS)), DEADLINE, "every replica runs")
            links = await outbox(database_url, 1)
            messages = slack.channels["C0ALERTS1"].messages
            await wait(lambda: len(messages) >= BATCH, DEADLINE, "the alerts")
            await asyncio.sleep(2)  # anything posted twice would show by now

            # Three people raise a hand on every alert at the same moment, each through another replica.
            for n, message in enumerate(messages):
                statuses = await asyncio.gather(
                    *(
                        send(r, reaction_event(person, "C0ALERTS1", message["ts"], event_id=f"Ev{n}{r}"))
                        for r, person in enumerate(people)
                    )
                )
                assert statuses == [200] * REPLICAS
            # Slack did not see an answer in time and sends the event again; the balancer picks another replica.
            retried = reaction_event(people[1], "C0ALERTS1", messages[0]["ts"], event_id="Ev01")
            assert await send(2, retried, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}) == 200
            await wait(lambda: told() >= (REPLICAS - 1) * BATCH, DEADLINE, "the two who lost each race are told")
            await asyncio.sleep(2)  # a second handling of the retry would have told someone again by now
        finally:
            codes = await replicas.stop()

    store = SqlStore(create_engine(database_url))
    try:
        async with store.unit() as unit:
            alerts = await unit.list_alerts(limit=100)
    finally:
        await store.close()
    posted = Counter(m["metadata"]["event_payload"]["alert_id"] for m in messages)
    claims = Counter(a.claimed_by for a in alerts)
    print(f"\nslack replicas: {len(posted)} alerts posted by {REPLICAS}; claims {dict(claims)}; {told()} told")
    assert sorted(posted) == sorted(a.id for a in alerts) and max(posted.values()) == 1
    assert {a.conversation.url for a in alerts} == links
    assert all(a.claimed_by in people for a in alerts)  # one holder each
    assert told() == (REPLICAS - 1) * BATCH  # each who lost told once; the retry changed nothing
    assert_clean(codes, replicas, (BOT_TOKEN, SIGNING_SECRET))
