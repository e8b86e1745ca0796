"""End-to-end harness: the real `earshot` command in a process of its own, against fake feed services and a webhook.

Each command is a process forked from a warm server that has imported the CLI once (zygote.py, one per test
worker): the same argv, streams, environment, exit codes and signals as ``python -m earshot.adapters.cli.main``,
without a second or two of imports per command. ``@pytest.mark.real_process`` (or ``EARSHOT_TEST_NO_ZYGOTE=1``)
runs a test's commands as fresh interpreters instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import copy_of_template
from tests.fakes.algolia import FakeAlgolia
from tests.fakes.feeds import FakeRss
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.webhook import WebhookReceiver

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NO_ZYGOTE_ENV = "EARSHOT_TEST_NO_ZYGOTE"  # set: every command a fresh interpreter
# How long a test waits on the CLI before it calls it stuck. Generous on purpose: a wait ends as soon as its
# condition holds, so only a failure waits this long, and on a busy 2-core machine one CLI start can take 30 s.
DEADLINE = 240.0


@dataclass
class Earshot:
    """Runs `earshot` with a config file in a temporary directory, on the test database."""

    workdir: Path
    database_url: str
    migrated_template: Callable[[], str] | None = None
    """The session's database migrated to head (tests/conftest.py), asked for on first use."""
    zygote: Callable[[], str] | None = None
    """The warm server's socket (zygote.py), asked for on first use; None: a fresh interpreter per command."""

    @property
    def config(self) -> Path:
        """The config file path."""
        return self.workdir / "earshot.toml"

    def write_config(self, text: str) -> None:
        """Write the config file (dedented)."""
        self.config.write_text(textwrap.dedent(text))

    def env(self) -> dict[str, str]:
        """The environment the command runs with."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("EARSHOT_")}
        env["EARSHOT_DATABASE_URL"] = self.database_url
        env["PYTHONPATH"] = str(REPO)
        return env

    def command(self, *args: str) -> list[str]:
        """The argv for `earshot ARGS`."""
        if self.zygote is None:
            start = [sys.executable, "-m", "earshot.adapters.cli.main"]
        else:
            start = [sys.executable, "-I", "-S", str(HERE / "launch.py"), self.zygote()]
        return [*start, "--config", str(self.config), *args]

    def __call__(self, *args: str, timeout: float = DEADLINE) -> subprocess.CompletedProcess[str]:
        """Run `earshot ARGS` to completion."""
        return subprocess.run(
            self.command(*args),
            cwd=self.workdir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start `earshot ARGS` without waiting."""
        return subprocess.Popen(
            self.command(*args),
            cwd=self.workdir,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def upgrade(self) -> None:
        """The database migrated to head, as the README's first step on PostgreSQL (`earshot db upgrade`) leaves it.

        Running Alembic in a new CLI process costs seconds of CPU, and most tests start here; so the database
        becomes a copy of the session's migrated template instead (a file copy on SQLite, ``CREATE DATABASE ...
        TEMPLATE`` on PostgreSQL). ``earshot db upgrade`` itself is run by the tests of that command (test_cli.py,
        test_cli_errors.py, test_secrets.py, test_crash_chat.py), and `db_upgrade()` runs it here.
        """
        if self.migrated_template is None:
            self.db_upgrade()
            return
        copy_of_template(self.database_url, self.migrated_template())

    def db_upgrade(self) -> None:
        """`earshot db upgrade` in a subprocess, as the README says to run first on PostgreSQL."""
        done = self("db", "upgrade")
        assert done.returncode == 0, done.stderr


@pytest.fixture
def earshot(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Earshot:
    """An `earshot` runner on this test's database (empty until the test calls ``upgrade()``)."""
    fresh = os.environ.get(NO_ZYGOTE_ENV) or request.node.get_closest_marker("real_process")
    return Earshot(
        tmp_path,
        database_url,
        lambda: str(request.getfixturevalue("migrated_template")),
        None if fresh else lambda: str(request.getfixturevalue("zygote")),
    )


@pytest.fixture
def fresh_sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> Earshot:
    """An `earshot` runner on a SQLite file that does not exist yet (``fresh.db``), on any pass: to see whether a
    command creates or migrates it."""
    fresh = os.environ.get(NO_ZYGOTE_ENV) or request.node.get_closest_marker("real_process")
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    return Earshot(tmp_path, url, None, None if fresh else lambda: str(request.getfixturevalue("zygote")))


@pytest.fixture(scope="session")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This worker's warm `earshot` server (zygote.py): the path of its socket."""
    socket_path = tmp_path_factory.mktemp("zygote") / "s"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EARSHOT_")}
    env["PYTHONPATH"] = str(REPO)
    server = subprocess.Popen(
        [sys.executable, str(HERE / "zygote.py"), str(socket_path)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        ready = server.stdout.readline()
        assert ready.strip() == "ready", f"the warm earshot server did not start (exit {server.wait()})"
        yield str(socket_path)
    finally:
        server.kill()
        server.wait()


@pytest.fixture
def server() -> Iterator[FakeHttpServer]:
    """One local server for feeds and the webhook."""
    with FakeHttpServer() as fake:
        yield fake


@pytest.fixture
def algolia(server: FakeHttpServer) -> FakeAlgolia:
    """A Hacker News Algolia API."""
    return FakeAlgolia(server)


@pytest.fixture
def blog(server: FakeHttpServer) -> FakeRss:
    """An RSS feed."""
    return FakeRss(server, "/blog/feed.xml")


@pytest.fixture
def hook(server: FakeHttpServer) -> WebhookReceiver:
    """A webhook receiver."""
    return WebhookReceiver(server)


def wait_for(predicate: object, timeout: float = DEADLINE) -> None:
    """Poll ``predicate`` until true or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
