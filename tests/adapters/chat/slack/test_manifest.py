"""The app manifest asks for what Earshot uses: the scopes doctor checks, the command, the events, Socket Mode."""

from __future__ import annotations

import re

from earshot.adapters.chat.slack.app import COMMAND
from earshot.adapters.chat.slack.doctor import REQUIRED_SCOPES
from tests.fixtures import REPO

MANIFEST = (REPO / "slack-manifest.yml").read_text(encoding="utf-8")


def listed(key: str) -> list[str]:
    """The items of a YAML list under ``key:`` (simple block lists only, as the manifest uses)."""
    block = re.search(rf"^(\s*){key}:\n((?:\1\s+- .*\n)+)", MANIFEST, re.MULTILINE)
    assert block, key
    return [line.split("- ", 1)[1].split("#")[0].strip() for line in block.group(2).splitlines()]


def test_the_manifest_asks_for_exactly_the_scopes_doctor_checks() -> None:
    assert sorted(listed("bot")) == sorted(REQUIRED_SCOPES)


def test_the_manifest_has_the_command_the_events_interactivity_and_socket_mode() -> None:
    assert f"- command: {COMMAND}\n" in MANIFEST
    assert listed("bot_events") == ["reaction_added", "reaction_removed"]
    assert re.search(r"interactivity:\n\s+is_enabled: true", MANIFEST)
    assert "socket_mode_enabled: true" in MANIFEST
