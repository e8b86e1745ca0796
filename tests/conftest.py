"""Shared fixtures: a fresh database per test, and a migrated store on it.

``database_url`` is a new SQLite file by default. With ``EARSHOT_TEST_DATABASE_URL`` set to a PostgreSQL URL,
each test gets a database of its own on that server, created at the start and dropped at the end::

    EARSHOT_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test pytest tests/adapters/storage

``store`` is an ``SqlStore`` on that database, migrated to head. ``make_store()`` makes more stores on the same
database, each with its own engine (and so its own connections), for tests of what several processes do at once.

Migrating costs more than most tests, so Alembic runs once per test process, on a template; each test's database
is a copy of it (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL). The migrations themselves
are tested from an empty database in ``tests/adapters/storage/test_migrations.py``.

With ``EARSHOT_TEST_DATABASE_URL`` set, only the database tests run (those that ask for ``database_url``, directly
or through ``store``, ``make_store`` or ``earshot``), less the ones marked ``any_database``: the others
never reach a database, and CI runs all of them in its SQLite pass. The run ends with a line that counts what was
left out, and ``tests/test_database_pass.py`` checks that no test reaches PostgreSQL any other way. The other way
round, with ``EARSHOT_TEST_BOTH_PASSES`` set (as ``.ci/run`` sets it for its SQLite pass), the few slowest
end-to-end tests marked ``postgresql_pass`` are left to the PostgreSQL pass, so CI runs them once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from earshot.adapters.storage import SqlStore

DATABASE_ENV = "EARSHOT_TEST_DATABASE_URL"
DATABASE_FIXTURE = "database_url"  # every database a test can reach comes from this fixture
BOTH_PASSES_ENV = "EARSHOT_TEST_BOTH_PASSES"  # set by .ci/run for its SQLite pass: a PostgreSQL pass follows
_PASS = pytest.StashKey[tuple[int, int, int]]()
_PASS_KEY = "earshot_database_pass"  # (tests run, any_database ones left out, database-free ones left out)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the slow tests early; on PostgreSQL, keep only the tests that use a database."""
    _longest_first(items)
    if not os.environ.get(DATABASE_ENV):
        if os.environ.get(BOTH_PASSES_ENV):  # the slowest end-to-end tests run once, in the PostgreSQL pass
            later = [item for item in items if item.get_closest_marker("postgresql_pass")]
            if later:
                config.hook.pytest_deselected(items=later)
                items[:] = [item for item in items if item not in later]
        return
    free = [item for item in items if not uses_database(item)]
    database = [item for item in items if uses_database(item)]
    # End-to-end tests whose subject is the same on any database (the CLI's words, parsing) ran on SQLite.
    either = [item for item in database if item.get_closest_marker("any_database")]
    left_out = {*free, *either}
    if left_out:
        config.hook.pytest_deselected(items=[item for item in items if item in left_out])
        items[:] = [item for item in items if item not in left_out]
    counts = (len(items), len(either), len(free))
    config.stash[_PASS] = counts
    if hasattr(config, "workeroutput"):  # an xdist worker: hand the counts to the controller, which reports them
        config.workeroutput[_PASS_KEY] = counts


def uses_database(item: pytest.Item) -> bool:
    """Whether a test reaches the database: it asks for database_url, or it is the SQL run of the storage contract
    (tests/adapters/storage/conftest.py asks for the SQL store only when its ``backend`` parameter is "sql")."""
    if DATABASE_FIXTURE in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("backend") == "sql"


def _longest_first(items: list[pytest.Item]) -> None:
    """Order the run so that the longest tests start first, each on a worker of its own.

    A parallel run takes as long as its busiest worker. The longest tests are those marked ``postgresql_pass``
    (minutes of SIGKILLs), then those marked ``slow`` (timed polls, several processes), then the other end-to-end
    tests; in file order they came last, one after the other, and the run ended waiting on one worker. xdist hands
    out one test at a time here (``pytest_configure`` below), two to each worker to begin with: so the first ones
    alternate with quick tests, and no worker starts with two long ones queued.
    """

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("postgresql_pass"):
            return 0
        if item.get_closest_marker("slow"):
            return 1
        return 2 if "e2e" in item.nodeid.split("/")[:2] else 3

    ranked = sorted(items, key=rank)  # stable: file order within a rank
    long_ones = [item for item in ranked if rank(item) < 3]
    quick = ranked[len(long_ones) :]
    paired = [item for pair in zip(long_ones, quick, strict=False) for item in pair]
    rest = long_ones[len(paired) // 2 :] + quick[len(paired) // 2 :]
    items[:] = paired + rest


def pytest_configure(config: pytest.Config) -> None:
    """With xdist, hand each worker one test at a time (``--maxschedchunk 1``) unless the command line says otherwise:
    a worker that is given a run of tests keeps them even when the others are idle."""
    if getattr(config.option, "maxschedchunk", 0) is None:
        config.option.maxschedchunk = 1


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist: keep the counts a worker collected (every worker collects the same tests)."""
    counts = getattr(node, "workeroutput", {}).get(_PASS_KEY)
    if counts is not None:
        run, either, free = counts
        node.config.stash[_PASS] = (int(run), int(either), int(free))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say how many tests the PostgreSQL pass ran and how many it left to the SQLite pass."""
    counts = config.stash.get(_PASS, None)
    if counts is not None:
        run, either, free = counts
        terminalreporter.write_line(
            f"PostgreSQL pass: {run} database tests; deselected, as they run on SQLite: {either} marked any_database, "
            f"{free} database-free"
        )


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a database for this test alone: empty, or a copy of the migrated template if the test has a store."""
    # Copying the template straight away, rather than creating an empty database and replacing it, saves a
    # CREATE and a DROP per store test on PostgreSQL.
    template = request.getfixturevalue("migrated_template") if "migrated_template" in request.fixturenames else None
    server = os.environ.get(DATABASE_ENV)
    if not server:
        path = tmp_path / "earshot.db"
        if template is not None:
            shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    name = f"earshot_t_{uuid.uuid4().hex[:16]}"
    await _admin(server, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield _on_database(server, name)
    finally:
        # FORCE: a test that failed midway may leave connections open; they must not keep the database alive.
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once for this test process, to copy from: a SQLite file or a PostgreSQL name."""
    from earshot.adapters.storage import migrate

    server = os.environ.get(DATABASE_ENV)
    if not server:
        path = tmp_path_factory.mktemp("template") / "earshot.db"
        run_to_end(migrate.upgrade(f"sqlite+aiosqlite:///{path}"))
        yield str(path)
        return
    name = f"earshot_tpl_{uuid.uuid4().hex[:16]}"
    run_to_end(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        run_to_end(migrate.upgrade(_on_database(server, name)))
        yield name
    finally:
        run_to_end(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run_to_end(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to completion, also when asked from an async test or fixture (its loop runs: then in a thread).

    The template is made on first use, which may be inside an async test (tests/e2e/conftest.py ``upgrade()``).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(work)
        return
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()


def copy_of_template(database_url: str, template: str) -> None:
    """Make the test's database at ``database_url`` a copy of ``migrated_template`` (for a test that asks for it
    partway, as the end-to-end ``Earshot.upgrade()`` does): a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE``
    in place of the empty database on PostgreSQL."""
    server = os.environ.get(DATABASE_ENV)
    if not server:
        shutil.copyfile(template, database_url.split(":///", 1)[1])
        return
    from sqlalchemy.engine import make_url

    name = make_url(database_url).database
    # FORCE: nothing should hold it yet, but a connection left open must not make the test fail here.
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    run_to_end(_admin(server, drop, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))


async def _admin(server: str, *statements: str) -> None:
    # Imported here so that tests which never touch a database do not depend on the storage adapter.
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from earshot.adapters.storage import normalize_url

    admin = create_async_engine(normalize_url(server), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await admin.dispose()


def _on_database(server: str, name: str) -> str:
    from earshot.adapters.storage import normalize_url

    return normalize_url(server).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
async def make_store(database_url: str, migrated_template: str) -> AsyncIterator[Callable[[], SqlStore]]:
    """Makes stores on the (migrated) test database, each with an engine of its own; all closed at the end."""
    from earshot.adapters.storage import SqlStore, create_engine

    # ``migrated_template`` is asked for so that ``database_url`` starts as a copy of it (see there).
    made: list[SqlStore] = []

    def make() -> SqlStore:
        made.append(SqlStore(create_engine(database_url)))
        return made[-1]

    try:
        yield make
    finally:
        for store in made:
            await store.close()


@pytest.fixture
async def store(make_store: Callable[[], SqlStore]) -> SqlStore:
    """A store on a freshly migrated database."""
    return make_store()
