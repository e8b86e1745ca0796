"""Every chat platform's credentials are checked alike: by check-config, before `run` touches the database, and
by doctor, which always prints its list of fixes; doctor tries the webhook receiver."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Earshot
from tests.fakes.http_server import FakeHttpServer, free_port
from tests.fakes.webhook import WebhookReceiver

# What these check (the CLI's words, parsing, secrets) is the same on any database: CI runs them on SQLite only.
pytestmark = pytest.mark.any_database

PLATFORMS = {
    "discord": ('[chat]\nplatform = "discord"\nchannel = "alerts"\n[discord]\nguild = "123"\n', ["DISCORD_TOKEN"]),
    "slack": ('[chat]\nplatform = "slack"\nchannel = "C0ALERTS1"\n', ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]),
}


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_missing_platform_token_is_caught_by_check_config_and_by_run_before_the_database(
    fresh_sqlite: Earshot, tmp_path: Path, platform: str
) -> None:
    earshot = fresh_sqlite
    config, tokens = PLATFORMS[platform]
    earshot.write_config(config)
    for argv in (("check-config",), ("run", "--once"), ("topics", "list")):
        done = earshot(*argv)
        assert done.returncode == 2, (argv, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        for token in tokens:
            assert f"needs {token} in the environment" in done.stderr, (argv, done.stderr)
        assert ("Developer Portal" if platform == "discord" else "api.slack.com/apps") in done.stderr
    assert not (tmp_path / "fresh.db").exists()  # nothing created, nothing migrated


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_doctor_lists_the_missing_tokens_as_fixes(fresh_sqlite: Earshot, tmp_path: Path, platform: str) -> None:
    earshot = fresh_sqlite
    config, tokens = PLATFORMS[platform]
    earshot.write_config(config)
    done = earshot("doctor")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stderr == ""
    out = done.stdout
    assert f"platform {platform}" in out
    for token in tokens:
        assert f'FIX  "{platform}" needs {token} in the environment\n     -> set it to' in out
    assert f"{len(tokens)} thing(s) to fix" in out
    assert not (tmp_path / "fresh.db").exists()


def webhook_config(url: str) -> str:
    chat = f'[chat]\nplatform = "webhook"\nchannel = "alerts"\nwebhook_url = "{url}"\n'
    return chat + '[fetch]\nallow_private = ["127.0.0.1"]\n'


def test_doctor_tries_the_webhook_receiver_and_says_whether_it_answers(
    earshot: Earshot, server: FakeHttpServer, hook: WebhookReceiver
) -> None:
    earshot.write_config(webhook_config(hook.url))
    up = earshot("doctor")
    assert up.returncode == 0, up.stdout + up.stderr
    assert "ok   webhook http://127.0.0.1:" in up.stdout and "reachable (HTTP " in up.stdout
    assert hook.received == [] and [r.method for r in server.requests] == ["HEAD"]  # nothing posted

    earshot.write_config(webhook_config(f"http://127.0.0.1:{free_port()}/hook/t0ken-in-the-path"))
    down = earshot("doctor")
    assert down.returncode == 1, down.stdout + down.stderr
    assert "t0ken" not in down.stdout + down.stderr
    assert "FIX  webhook http://127.0.0.1:" in down.stdout and "unreachable" in down.stdout
    assert "start the receiver" in down.stdout and "1 thing(s) to fix" in down.stdout
