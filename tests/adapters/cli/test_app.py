"""The composition root hands each adapter what it needs from the settings, so no adapter reads the settings."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from earshot.adapters.chat.discord.config import DiscordConfig
from earshot.adapters.cli.builders import discord_config
from earshot.adapters.settings import load_settings


def test_the_discord_config_carries_every_discord_setting_the_chat_reads(tmp_path: Path) -> None:
    path = tmp_path / "earshot.toml"
    path.write_text(
        '[chat]\nplatform = "discord"\nchannel = "conversations"\n'
        '[discord]\nguild = "123456789012345678"\napi_base = "http://127.0.0.1:9/api"\n'
        'gateway_url = "ws://127.0.0.1:9/gateway"\n'
    )
    settings = load_settings(path, {"DISCORD_TOKEN": "a-token"})
    config = discord_config(settings)
    for name in (f.name for f in fields(DiscordConfig)):
        value = getattr(config, name)
        assert value is not None, name  # every field was set above, so a None means one was not carried
        assert value == getattr(settings.discord, name), name
