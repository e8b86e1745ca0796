"""The PostgreSQL pass runs only the tests that ask for ``database_url``: check that no database test can slip past it.

With ``EARSHOT_TEST_DATABASE_URL`` set, ``tests/conftest.py`` deselects every test whose fixtures do not include
``database_url`` (those ran in the SQLite pass and reach no database). That is only safe while the fixture is the
one way a test reaches the database server: no test reads the variable itself, and every fixture that hands out a
store or a database depends on ``database_url``.
"""

from __future__ import annotations

import ast

import pytest

from tests.conftest import DATABASE_ENV, DATABASE_FIXTURE, uses_database
from tests.fixtures import REPO

TESTS = REPO / "tests"
# Fixtures that hand a test a database (through a store, or a CLI run on it); each must depend on database_url.
DATABASE_FIXTURES = ("store", "make_store", "migrated_template", "earshot")
# Conftests whose store and make_store are the in-memory twin (earshot.adapters.storage.memory), which reaches no
# database.
TWIN_CONFTESTS = ("tests.bot.conftest",)


def served_by_the_twin(item: pytest.Item) -> bool:
    """Whether the test's store comes from the in-memory twin: the core's service tests, or the storage contract's
    memory run."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("backend") == "memory":
        return True
    definitions = item._fixtureinfo.name2fixturedefs.get("make_store") or ()  # type: ignore[attr-defined]
    return bool(definitions) and definitions[-1].func.__module__ in TWIN_CONFTESTS


def reads_of_the_server_variable(tree: ast.Module) -> list[int]:
    """Lines that use the variable's name as a value (``os.environ[...]``, ``getenv(...)``) or its constant."""
    found = {
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Constant) and node.value == DATABASE_ENV)
        or (isinstance(node, ast.Name) and node.id == "DATABASE_ENV")
        or (isinstance(node, ast.alias) and node.name == "DATABASE_ENV")
    }
    return sorted(found)


def test_no_test_but_the_fixtures_reads_the_database_server_variable() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path in (TESTS / "conftest.py", TESTS / "test_database_pass.py"):
            continue
        lines = reads_of_the_server_variable(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{path.relative_to(REPO)}:{line}" for line in lines]
    assert offenders == [], f"use the {DATABASE_FIXTURE} fixture, or the PostgreSQL pass leaves the test out"


def test_the_check_sees_the_variable_read_directly_or_through_the_constant() -> None:
    source = """
import os
from tests.conftest import DATABASE_ENV
url = os.environ.get("EARSHOT_TEST_DATABASE_URL")
other = os.environ[DATABASE_ENV]
note = "set EARSHOT_TEST_DATABASE_URL=postgresql+asyncpg://... to run it"
"""
    assert reads_of_the_server_variable(ast.parse(source)) == [3, 4, 5]


def test_every_test_given_a_database_by_a_fixture_asks_for_database_url(request: pytest.FixtureRequest) -> None:
    # The session's own tests: in the SQLite pass all of them, so a fixture that made its own database would show.
    given = [item for item in request.session.items if set(getattr(item, "fixturenames", ())) & set(DATABASE_FIXTURES)]
    if not given:
        pytest.skip("no test in this run uses a database: this check looks at the whole suite")
    missing = [item.nodeid for item in given if not uses_database(item) and not served_by_the_twin(item)]
    assert missing == []
    twin = [item for item in given if served_by_the_twin(item)]
    assert not any(uses_database(item) and item.callspec.params.get("backend") == "memory" for item in twin)


def test_the_storage_contract_runs_on_the_database_server_too(request: pytest.FixtureRequest) -> None:
    # Its SQL runs reach the server through a fixture asked for at run time, so the selection reads their parameter.
    contract = [item for item in request.session.items if getattr(item, "callspec", None) is not None]
    sql = [item for item in contract if item.callspec.params.get("backend") == "sql"]
    if not sql:
        pytest.skip("the storage contract is not in this run")
    assert all(uses_database(item) for item in sql)


def test_only_end_to_end_tests_are_left_to_the_postgresql_pass_by_a_mark() -> None:
    marked = []
    for path in sorted((TESTS).rglob("test_*.py")):
        if "postgresql_pass" in path.read_text(encoding="utf-8") and path != TESTS / "test_database_pass.py":
            marked.append(path.relative_to(REPO).as_posix())
    assert marked and all(path.startswith("tests/e2e/") for path in marked)


def test_only_end_to_end_and_chat_tests_are_left_to_the_sqlite_pass_by_a_mark(request: pytest.FixtureRequest) -> None:
    # The storage contract suite, the sources' and the scheduler's database tests run on both databases, whatever
    # their subject; only the CLI's words and the chat platforms' behaviour may be left to SQLite.
    marked = [item.nodeid for item in request.session.items if item.get_closest_marker("any_database")]
    allowed = ("tests/e2e/", "tests/adapters/chat/")
    assert [nodeid for nodeid in marked if not nodeid.startswith(allowed)] == []
