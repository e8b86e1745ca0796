"""`earshot doctor` and `earshot discord invite` against the local Discord: what is wrong, and how to fix it."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import pytest

from earshot.adapters.chat.discord.config import DiscordConfig
from earshot.adapters.chat.discord.doctor import ERROR, OK, check
from earshot.adapters.cli import doctor
from earshot.adapters.settings import load_settings
from tests.fakes.discord import APP_ID, CHANNELS, GUILD_ID, TOKEN, FakeDiscord

EMBED_LINKS = 1 << 14
ADD_REACTIONS = 1 << 6


async def test_a_healthy_setup_is_all_ok(fake: FakeDiscord, config: DiscordConfig) -> None:
    findings = await check(config, ["conversations", "#vector-db"])
    assert [f.level for f in findings] == [OK] * len(findings)
    texts = "\n".join(f.text for f in findings)
    assert "token accepted: the bot is Earshot" in texts
    assert "needs no privileged intent" in texts
    assert "#conversations: the bot may post" in texts and "#vector-db: the bot may post" in texts
    assert TOKEN not in texts


async def test_missing_channel_permissions_are_named_with_the_fix(fake: FakeDiscord, config: DiscordConfig) -> None:
    deny = {"id": GUILD_ID, "type": 0, "allow": "0", "deny": str(EMBED_LINKS | ADD_REACTIONS)}
    fake.channel_overwrites[CHANNELS["vector-db"]] = [deny]
    findings = await check(config, ["conversations", "vector-db", "gone"])
    errors = [f.text for f in findings if f.level == ERROR]
    assert errors[0].startswith("#vector-db: the bot lacks Embed Links, Add Reactions: in Discord, open #vector-db")
    assert errors[1].startswith("#gone: no such text channel in Earshot Test")
    assert len(errors) == 2


async def test_a_bad_token_a_missing_scope_and_a_wrong_server_are_explained(
    fake: FakeDiscord, config: DiscordConfig
) -> None:
    (finding,) = await check(replace(config, token="wrong"), [])
    assert finding.level == ERROR and "refused the token" in finding.text and "wrong" not in finding.text
    (finding,) = await check(replace(config, token=None), [])
    assert "DISCORD_TOKEN" in finding.text
    fake.commands_scope = False
    scope = [f for f in await check(config, []) if f.level == ERROR]
    assert "without the applications.commands scope" in scope[0].text
    assert f"client_id={APP_ID}" in scope[0].text
    elsewhere = [f for f in await check(replace(config, guild="Another Server"), []) if f.level == ERROR]
    assert "not in that server (it is in: Earshot Test" in elsewhere[0].text


async def test_the_cli_prints_the_findings_and_the_invite(
    fake: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "earshot.toml"
    config.write_text(
        f'[chat]\nplatform = "discord"\nchannel = "conversations"\n'
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
        '[[topics]]\nname = "vector-db"\nquery = "pgvector"\nchannel = "missing-one"\n'
    )
    settings = load_settings(config, {"DISCORD_TOKEN": TOKEN})
    assert await doctor.doctor(settings) == 1
    out = capsys.readouterr().out
    assert "FIX  #missing-one: no such text channel" in out
    assert "ok   #conversations: the bot may post" in out
    assert TOKEN not in out
    assert await doctor.discord_invite(argparse.Namespace(client_id=None, guild=None), settings) == 0
    assert capsys.readouterr().out.strip() == (
        f"https://discord.com/oauth2/authorize?client_id={APP_ID}&permissions=2147568704"
        "&scope=bot+applications.commands&integration_type=0"
    )


async def test_the_cli_checks_the_channels_of_topics_added_in_chat_too(
    fake: FakeDiscord, tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from earshot.adapters.storage import SqlStore, create_engine, migrate
    from earshot.bot.domain import Topic

    await migrate.upgrade(database_url)
    store = SqlStore(create_engine(database_url))
    async with store.unit() as unit:
        await unit.add_topic(Topic("search", "pgvector", channel="search-team"))
    await store.close()
    config = tmp_path / "earshot.toml"
    config.write_text(
        f'[database]\nurl = "{database_url}"\n[chat]\nplatform = "discord"\n'
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
    )
    assert await doctor.doctor(load_settings(config, {"DISCORD_TOKEN": TOKEN})) == 1
    assert "FIX  #search-team: no such text channel" in capsys.readouterr().out
