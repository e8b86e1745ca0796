"""The [slack] section and the Slack tokens: read from the environment only, checked at start, never shown."""

from __future__ import annotations

from datetime import timedelta

from .conftest import Load, Problems

SLACK = '[chat]\nplatform = "slack"\nchannel = "C0123ABCD"\n'
TOKENS = {"SLACK_BOT_TOKEN": "xoxb-1-2-hushhush", "SLACK_APP_TOKEN": "xapp-1-A-hushhush"}


def test_socket_mode_is_the_default_and_takes_both_tokens_from_the_environment(load: Load) -> None:
    settings = load(SLACK, TOKENS)
    slack = settings.slack
    assert (settings.chat.platform, slack.mode, slack.port, slack.api_url) == ("slack", "socket", 3000, None)
    assert slack.follow_up_after == timedelta(hours=24)
    assert (slack.bot_token, slack.app_token, slack.signing_secret) == ("xoxb-1-2-hushhush", "xapp-1-A-hushhush", None)
    assert "hushhush" not in repr(slack)


def test_missing_tokens_say_which_and_where_to_find_them(problems: Problems) -> None:
    found = problems(SLACK)
    assert len(found) == 2
    assert found[0].startswith('earshot.toml: chat.platform: "slack" needs SLACK_BOT_TOKEN in the environment')
    assert "Bot User OAuth Token (xoxb-...)" in found[0]
    assert "SLACK_APP_TOKEN" in found[1] and "connections:write" in found[1]


def test_a_token_of_the_wrong_kind_is_named(problems: Problems) -> None:
    found = problems(SLACK, {"SLACK_BOT_TOKEN": "xapp-oops", "SLACK_APP_TOKEN": "xapp-1"})
    assert found == [
        "earshot.toml: chat.platform: SLACK_BOT_TOKEN does not start with xoxb-: set it to the Bot User OAuth "
        "Token (xoxb-...) from OAuth & Permissions on the app's page at https://api.slack.com/apps"
    ]
    assert "xapp-oops" not in "\n".join(found)


def test_http_mode_needs_the_signing_secret_not_the_app_token(load: Load, problems: Problems) -> None:
    text = SLACK + '[slack]\nmode = "http"\nport = 8080\napi_url = "http://127.0.0.1:9/api/"\n'
    found = problems(text, {"SLACK_BOT_TOKEN": "xoxb-1"})
    assert len(found) == 1 and "SLACK_SIGNING_SECRET" in found[0]
    settings = load(text, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "shh"})
    assert (settings.slack.mode, settings.slack.port, settings.slack.signing_secret) == ("http", 8080, "shh")
    assert settings.slack.api_url == "http://127.0.0.1:9/api/"


def test_bad_slack_values_are_explained(problems: Problems) -> None:
    text = SLACK + '[slack]\nmode = "websocket"\nadmins = ["alice"]\nfollow_up_after = "10s"\ntoken = "x"\n'
    found = problems(text, TOKENS)
    assert 'slack.mode = "websocket": not a Slack mode; use socket or http' in found[0]
    assert any('slack.admins[1] = "alice": not a Slack member id' in line for line in found)
    assert any("slack.follow_up_after" in line for line in found)
    assert any("slack.token: unknown key; Slack tokens come only from the environment" in line for line in found)


def test_admins_and_tokens_in_the_redacted_summary(load: Load) -> None:
    settings = load(SLACK + '[slack]\nadmins = ["U024BE7LH"]\nfollow_up_after = "2h"\n', TOKENS)
    summary = settings.redacted()["slack"]
    assert summary["admins"] == ["U024BE7LH"]
    assert summary["follow_up_after"] == "2h"
    assert summary["bot_token"] == summary["app_token"] == "***"
    assert "hushhush" not in str(settings.redacted())


def test_check_config_says_how_slack_runs_and_shows_no_token(load: Load) -> None:
    from earshot.adapters.cli.views import config_summary

    socket = config_summary(load(SLACK, TOKENS))
    assert "chat: slack (default channel #C0123ABCD), Socket Mode, follow-ups after 1d" in socket
    http = load(
        SLACK + '[slack]\nmode = "http"\nport = 8080\n', {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    )
    assert "HTTP mode on port 8080, path /slack/events" in config_summary(http)
    assert "hushhush" not in socket
