"""The CLI stays lean: `earshot --help` loads none of the heavy libraries, and a deployment loads only its own."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.conftest import REPO

# What `earshot --help` must not load: the commands need them, the help text does not.
NOT_FOR_HELP = (
    "sqlalchemy",
    "sqlalchemy.ext.asyncio",
    "alembic",
    "pydantic",
    "httpx",
    "aiohttp",
    "apscheduler",
    "feedparser",
    "prometheus_client",
    "discord",
    "slack_bolt",
    "slack_sdk",
    "matplotlib",
    "earshot.adapters.cli.commands",
    "earshot.adapters.settings",
)
# What the commands load only for the platform or endpoint that needs them (a console or webhook chat without
# the ops endpoint needs none).
NOT_FOR_WEBHOOK = ("aiohttp", "prometheus_client", "discord", "slack_bolt", "slack_sdk", "matplotlib")


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (output discarded, SystemExit allowed)."""
    script = (
        "import contextlib, io, json, sys\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n" + "".join(f"        {line}\n" for line in code.splitlines()) + "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


def test_help_loads_no_heavy_library() -> None:
    loaded = loaded_after("from earshot.adapters.cli.main import main\nmain(['--help'])")
    assert "earshot.adapters.cli.main" in loaded  # it did run
    assert sorted(loaded.intersection(NOT_FOR_HELP)) == []


def test_a_usage_error_loads_no_heavy_library_either() -> None:
    loaded = loaded_after("from earshot.adapters.cli.main import main\nmain(['no-such-command'])")
    assert sorted(loaded.intersection(NOT_FOR_HELP)) == []


def test_the_commands_load_no_platform_or_ops_library_until_used() -> None:
    loaded = loaded_after("import earshot.adapters.cli.commands")
    assert "sqlalchemy" in loaded  # the commands themselves are loaded
    assert sorted(loaded.intersection(NOT_FOR_WEBHOOK)) == []


def test_the_ops_package_still_offers_its_names() -> None:
    loaded = loaded_after("from earshot.adapters.ops import OpsServer, PrometheusTelemetry")
    assert {"aiohttp", "prometheus_client"} <= loaded
