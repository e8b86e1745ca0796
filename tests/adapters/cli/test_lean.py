"""The CLI stays lean: `earshot --help` loads none of the heavy libraries, and a deployment loads only its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    "numpy",
    "py3langid",
    "earshot.adapters.cli.commands",
    "earshot.adapters.settings",
)
# What the commands load only for the platform or endpoint that needs them (a console or webhook chat without
# the ops endpoint needs none).
NOT_FOR_WEBHOOK = ("aiohttp", "prometheus_client", "discord", "slack_bolt", "slack_sdk", "matplotlib")


# What a command that only reads and writes the database loads on a current schema: Alembic is for the commands that
# migrate (`db`, and a SQLite database that is behind); checking that the schema is current needs none of it. Nor
# do the models that score items (numpy, the language guesser): `topics list` scores nothing.
NOT_FOR_A_CURRENT_SCHEMA = ("alembic", "apscheduler", "numpy", "py3langid", *NOT_FOR_WEBHOOK)


def loaded_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (output discarded, SystemExit allowed)."""
    script = (
        "import contextlib, io, json, sys\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n" + "".join(f"        {line}\n" for line in code.splitlines()) + "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True)
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


def test_a_command_on_a_current_database_loads_no_alembic(
    tmp_path: Path, database_url: str, migrated_template: str
) -> None:
    # ``migrated_template`` makes ``database_url`` a copy of a database migrated to head.
    config = tmp_path / "earshot.toml"
    config.write_text('[chat]\nplatform = "webhook"\nwebhook_url = "http://127.0.0.1:9/hook"\nchannel = "c"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("EARSHOT_")}
    env["EARSHOT_DATABASE_URL"] = database_url
    argv = ["--config", str(config), "topics", "list"]
    code = f"from earshot.adapters.cli.main import main\nassert main({argv!r}) == 0"
    loaded = loaded_after(code, env)
    assert "earshot.adapters.storage.migrate" in loaded  # it did check the schema
    assert sorted(loaded.intersection(NOT_FOR_A_CURRENT_SCHEMA)) == []
