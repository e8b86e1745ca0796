"""The Docker image and compose file, read as Docker would and run as far as this machine can without Docker.

The image's own commands run in a plain environment: its ENV, its CMD (`earshot db upgrade`, then `earshot run`)
and its HEALTHCHECK against the running process. compose.yaml passes every secret Earshot reads and mounts a
config file that must exist.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from earshot.adapters.settings.load import (
    DATABASE_URL_ENV,
    DISCORD_TOKEN_ENV,
    SLACK_ENV,
    WEBHOOK_SECRET_ENV,
    WEBHOOK_URL_ENV,
)
from earshot.adapters.sources import SECRET_ENV
from tests.e2e.conftest import REPO, Earshot, wait_for
from tests.fakes.http_server import free_port

DOCKERFILE = REPO / "Dockerfile"
COMPOSE = REPO / "compose.yaml"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (name, arguments), continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, rest = line.strip().partition(" ")
            found.append((name.upper(), rest.strip()))
    return found


def image_env() -> dict[str, str]:
    """The ENV the image sets (KEY=value pairs)."""
    env: dict[str, str] = {}
    for name, rest in instructions():
        if name == "ENV":
            env.update(pair.split("=", 1) for pair in rest.split())
    return env


def exec_form(instruction: str) -> list[str]:
    """The JSON (exec) form of CMD or HEALTHCHECK ... CMD."""
    (rest,) = [rest for name, rest in instructions() if name == instruction]
    command: list[str] = json.loads(rest[rest.index("[") :])
    return command


def test_the_image_has_a_health_check_on_the_ops_server_it_turns_on() -> None:
    env = image_env()
    assert env["EARSHOT_OPS_HOST"] == "0.0.0.0"  # probes come from outside the container
    assert env["EARSHOT_OPS_PORT"].isdigit()
    (healthcheck,) = [rest for name, rest in instructions() if name == "HEALTHCHECK"]
    assert "--start-period=" in healthcheck  # `earshot db upgrade` runs first
    command = exec_form("HEALTHCHECK")
    assert command[0] == "python" and "/healthz" in command[-1]  # the slim image has Python, not curl


def test_compose_passes_every_secret_earshot_reads_and_needs_the_config_file() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    service = compose["services"]["earshot"]
    passed = set(service["environment"])
    read = {DATABASE_URL_ENV, WEBHOOK_URL_ENV, WEBHOOK_SECRET_ENV, DISCORD_TOKEN_ENV, *SLACK_ENV.values(), *SECRET_ENV}
    assert read - passed == set()
    optional = {k for k, v in service["environment"].items() if v is None}
    assert optional == read - {DATABASE_URL_ENV} | {"EARSHOT_LLM_API_KEY"}  # unset in the container unless set
    (config,) = [v for v in service["volumes"] if isinstance(v, dict) and v["target"] == image_env()["EARSHOT_CONFIG"]]
    assert config["type"] == "bind" and config["read_only"] is True
    assert config["bind"]["create_host_path"] is False  # a missing file fails, not an empty directory made for it


@pytest.fixture
def container_env(earshot: Earshot, tmp_path: Path) -> dict[str, str]:
    """The image's environment on this machine: its ENV, this test's database and config, a free ops port."""
    env = {**earshot.env(), **image_env()}
    env["EARSHOT_CONFIG"] = str(earshot.config)
    env["EARSHOT_OPS_PORT"] = str(free_port())
    env["EARSHOT_OPS_HOST"] = "127.0.0.1"  # the tests never listen beyond loopback
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # `earshot` and `python`
    earshot.write_config('[chat]\nplatform = "console"\nchannel = "conversations"\n')
    return env


@pytest.fixture
def container(container_env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """The image's CMD, run as the image runs it."""
    process = subprocess.Popen(
        exec_form("CMD"), cwd=tmp_path, env=container_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def health(env: dict[str, str]) -> int:
    """The exit code of the image's HEALTHCHECK command."""
    command = exec_form("HEALTHCHECK")
    command[0] = sys.executable
    return subprocess.run(command, env=env, capture_output=True, timeout=30, check=False).returncode


def test_the_image_command_migrates_runs_and_is_healthy_then_stops_on_sigterm(
    container: subprocess.Popen[str], container_env: dict[str, str]
) -> None:
    wait_for(lambda: health(container_env) == 0 or container.poll() is not None, timeout=60)
    assert container.poll() is None, container.communicate()[1]
    container.send_signal(signal.SIGTERM)
    _, log = container.communicate(timeout=20)
    assert container.returncode == 0, log
    assert "schema at" in log or "earshot is running" in log
    assert health(container_env) != 0  # nothing answers once it has stopped: the check fails, as it must
