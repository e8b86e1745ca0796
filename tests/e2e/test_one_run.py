"""One `earshot run` per SQLite file: a second one says so on start and touches nothing; PostgreSQL needs no lock."""

from __future__ import annotations

import signal

import pytest

from earshot.adapters.cli.runlock import lock_path
from tests.e2e.conftest import DEADLINE, Earshot, wait_for
from tests.e2e.test_run_forever import SEEDED, configured, service
from tests.fakes.algolia import FakeAlgolia
from tests.fakes.feeds import FakeRss
from tests.fakes.webhook import WebhookReceiver

RUNNING = "earshot is running"


@pytest.fixture
def sqlite_only(earshot: Earshot) -> None:
    if lock_path(earshot.database_url) is None:
        pytest.skip("PostgreSQL: replicas share the work through leases, so several runs are allowed")


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.real_process  # the lock file names the command's own pid
def test_a_second_run_on_one_sqlite_file_refuses_to_start_and_names_the_first(
    earshot: Earshot, algolia: FakeAlgolia, blog: FakeRss, hook: WebhookReceiver
) -> None:
    configured(earshot, algolia, blog, hook)
    with service(earshot) as first:
        wait_for(lambda: first.log.count(SEEDED) == 2)
        polls = len(algolia.server.requests)
        for args in (("run",), ("run", "--once")):
            second = earshot(*args, timeout=DEADLINE)
            assert second.returncode == 1, second.stderr
            assert second.stderr.strip() == (
                f"error: another `earshot run` is using earshot.db (pid {first.process.pid}); "
                "run one process per SQLite file, or use PostgreSQL for several replicas"
            )
        assert len(algolia.server.requests) == polls  # the second polled nothing
        assert earshot("status").returncode == 0  # other commands still read the database beside a run
        assert first.stop(signal.SIGTERM) == 0
    again = earshot("run", "--once")  # the lock went with the first run
    assert again.returncode == 0, again.stderr


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.real_process  # the lock file names the command's own pid
def test_a_run_killed_hard_leaves_no_lock_behind(
    earshot: Earshot, algolia: FakeAlgolia, blog: FakeRss, hook: WebhookReceiver
) -> None:
    configured(earshot, algolia, blog, hook)
    with service(earshot) as first:
        wait_for(lambda: first.log.count(SEEDED) == 2)
        first.stop(signal.SIGKILL)
    path = lock_path(earshot.database_url)
    assert path is not None and path.read_text().strip() == str(first.process.pid)  # the file stays, unlocked
    with service(earshot) as second:
        wait_for(lambda: RUNNING in second.log or second.process.poll() is not None)
        assert second.process.poll() is None, second.log
        assert second.stop(signal.SIGTERM) == 0
    assert path.read_text().strip() == str(second.process.pid)
