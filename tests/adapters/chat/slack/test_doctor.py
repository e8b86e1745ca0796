"""`earshot doctor` on Slack: each thing that can be wrong is named with its fix, and no token is ever printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from earshot.adapters.chat.slack.doctor import diagnose
from earshot.adapters.cli.doctor import doctor
from earshot.adapters.cli.main import build_parser
from earshot.adapters.settings import load_settings
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, SCOPES, FakeSlack


async def run(slack: FakeSlack, channels: list[str], **overrides: object) -> list[str]:
    args: dict[str, object] = {
        "bot_token": BOT_TOKEN,
        "app_token": APP_TOKEN,
        "mode": "socket",
        "api_url": slack.api_url,
        "channels": channels,
    }
    args.update(overrides)
    return [f.line() for f in await diagnose(**args)]  # type: ignore[arg-type]


async def test_a_working_install_is_all_ok(slack: FakeSlack) -> None:
    lines = await run(slack, ["conversations", "#vector-db", "C0ALERTS1"])
    assert all(line.startswith("ok ") for line in lines), lines
    assert "ok   SLACK_BOT_TOKEN works: workspace Earshot Test, bot @earshot" in lines
    assert "ok   channel #vector-db (C0VECTOR1): the bot is in it" in lines
    assert len([c for c in slack.called("conversations.info")]) == 2  # C0ALERTS1 named twice is checked once


async def test_missing_scopes_are_listed_with_the_fix(slack: FakeSlack) -> None:
    slack.scopes = SCOPES.replace("reactions:read,", "").replace(",users:read", "")
    lines = await run(slack, [])
    (scopes,) = [line for line in lines if "scopes" in line]
    assert scopes.startswith("FIX  the bot token lacks scopes: reactions:read, users:read")
    assert "reinstall the app" in scopes


async def test_channels_the_bot_cannot_use_say_why_and_what_to_do(slack: FakeSlack) -> None:
    lines = await run(slack, ["locked", "old-news", "nowhere", "C0GONE001"])
    text = "\n".join(lines)
    assert "FIX  channel #locked (C0LOCKED1): the bot is not in it\n     -> type /invite @earshot in #locked" in text
    assert "FIX  channel #old-news (C0OLD0001) is archived" in text
    assert "FIX  channel #nowhere: not found" in text
    assert "FIX  channel C0GONE001: channel_not_found" in text


async def test_a_bad_bot_token_stops_there(slack: FakeSlack) -> None:
    lines = await run(slack, ["conversations"], bot_token="xoxb-wrong-token")
    assert len(lines) == 1
    assert lines[0].startswith("FIX  SLACK_BOT_TOKEN: auth.test failed (invalid_auth)")
    assert "xoxb-wrong-token" not in lines[0]


async def test_socket_mode_needs_a_working_app_token(slack: FakeSlack) -> None:
    lines = await run(slack, [], app_token="xapp-not-this-one")
    assert any(line.startswith("FIX  SLACK_APP_TOKEN: Socket Mode cannot connect (invalid_auth)") for line in lines)
    assert not any("xapp-not-this-one" in line for line in lines)
    http = await run(slack, [], mode="http", app_token=None)
    assert not any("SLACK_APP_TOKEN" in line for line in http)


async def test_the_doctor_command_reads_the_config_and_exits_1_when_something_needs_fixing(
    slack: FakeSlack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build_parser().parse_args(["doctor"]).command == "doctor"
    config = tmp_path / "earshot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/e.db"\n'
        '[chat]\nplatform = "slack"\nchannel = "conversations"\n'
        f'[slack]\napi_url = "{slack.api_url}"\n'
        '[[topics]]\nname = "t"\nquery = "pgvector"\nchannel = "locked"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN})
    assert await doctor(settings) == 1
    out = capsys.readouterr().out
    assert "ok   channel #conversations (C0ALERTS1): the bot is in it" in out
    assert "FIX  channel #locked (C0LOCKED1): the bot is not in it" in out
    assert out.rstrip().endswith("1 thing(s) to fix")
    assert BOT_TOKEN not in out and APP_TOKEN not in out
