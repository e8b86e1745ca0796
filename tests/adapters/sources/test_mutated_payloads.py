"""Property: every JSON source, over its pages with each field of one item mutated (missing, null, the wrong type,
huge, not UTF-8, a lone surrogate, NUL, ...), never fails a poll for that one item, keeps the page's other items
(and a thread's other replies), and returns only what the real storage (SQLite, and PostgreSQL with
EARSHOT_TEST_DATABASE_URL) stores without error.

Each mutated body is served by a local server to the source's real fetch or thread path. The figures are printed
(``pytest -s``) for the record.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.storage import SqlStore
from tests.adapters.sources.mutated import Case, Outcome, run_case, run_page_fields, store_all
from tests.adapters.sources.mutated_cases import cases
from tests.adapters.sources.mutations import BEYOND_FLOAT, MUTATIONS
from tests.fakes.http_server import FakeHttpServer

AROUND_NAMES = (
    "missing",
    "null",
    "a string",
    "an object",
    "10**30",
    "1e308",
    "not UTF-8",
    "an escaped lone surrogate",
)
AROUND = (*(m for m in MUTATIONS if m.name in AROUND_NAMES), BEYOND_FLOAT)


@pytest.fixture
def fast_server() -> Iterator[FakeHttpServer]:
    with FakeHttpServer() as fake:
        yield fake


@pytest.mark.slow
@pytest.mark.parametrize("case", cases(), ids=lambda case: case.name)  # one test per case: side by side under xdist
async def test_no_mutated_field_of_one_item_fails_a_poll_loses_the_others_or_is_unstorable(
    case: Case, fast_server: FakeHttpServer, http: SafeHttp, store: SqlStore
) -> None:
    outcome = Outcome()
    to_store = await run_case(case, fast_server, http, outcome)
    await store_all(store, to_store, outcome)
    print(
        f"\nmutated payloads of {case.name}: {outcome.paths} field paths, {len(MUTATIONS)} mutations, "
        f"{outcome.payloads} payloads, {outcome.skipped} with the mutated item skipped, {outcome.stored} stored, "
        f"{len(outcome.failures)} failures"
    )
    assert not outcome.failures, "\n".join(outcome.failures[:60])


async def test_a_mutated_field_around_the_items_fails_the_poll_cleanly_if_at_all_and_the_next_poll_too(
    fast_server: FakeHttpServer, http: SafeHttp, store: SqlStore
) -> None:
    # Counts, cursors, wrappers, the item list itself: the whole page may be refused, but with a FeedError that
    # says why, and a cursor it returns must serve the next poll.
    outcome = Outcome()
    to_store = []
    for case in cases():
        to_store += await run_page_fields(case, fast_server, http, outcome, AROUND)
    await store_all(store, to_store, outcome)
    print(f"\npage fields: {outcome.payloads} payloads, {outcome.stored} stored, {len(outcome.failures)} failures")
    assert not outcome.failures, "\n".join(outcome.failures[:60])
