"""`earshot run` with platform = "discord", end to end: the real command, wired by the composition root, connects
to a local Discord, answers a slash command from the database it shares, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys

import pytest

from tests.e2e.conftest import DEADLINE, Earshot
from tests.fakes.discord import MOD, TOKEN, FakeDiscord

pytestmark = pytest.mark.slow


async def test_earshot_run_serves_a_discord_server_until_sigterm(earshot: Earshot) -> None:
    fake = FakeDiscord()
    await fake.start()
    earshot.write_config(
        f"""
        [chat]
        platform = "discord"
        channel = "conversations"
        [discord]
        api_base = "{fake.api_base}"
        gateway_url = "{fake.gateway_url}"
        """
    )
    earshot.upgrade()  # PostgreSQL migrations are an explicit step (SQLite would upgrade by itself)
    env = earshot.env() | {"DISCORD_TOKEN": TOKEN}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "earshot.adapters.cli.main", "--config", str(earshot.config), "run",
        cwd=earshot.workdir, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await fake.wait_for(lambda: fake.identifies and fake.commands, timeout=DEADLINE)
        interaction = await fake.slash(
            MOD, ["earshot", "topic", "add"], {"name": "vector-db", "query": "pgvector", "channel": "conversations"}
        )
        await fake.wait_for(lambda: fake.followups_for(interaction), timeout=DEADLINE)
        announced = fake.posts[-1]
        assert "added topic vector-db" in announced["content"]
        listed = await fake.slash(MOD, ["earshot", "topic", "list"])
        (answer,) = await fake.wait_for(lambda: fake.followups_for(listed), timeout=DEADLINE)
        assert "vector-db" in answer["content"] and answer["flags"] == 64
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        await fake.close()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "discord: 1 slash command(s) synced to server 290926798626357999" in log
    assert TOKEN not in log
