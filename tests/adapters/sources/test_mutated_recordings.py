"""Conformance: the mutated-payload property over recorded real answers (``../shared/fixtures``), not only over
our own pages in their shapes. One item of each recording, every field, a few mutations each; skipped with the
reason where the recordings are not beside the repository.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.storage import SqlStore
from tests.adapters.sources.mutated import Outcome, run_case, store_all
from tests.adapters.sources.mutated_cases import cases
from tests.adapters.sources.mutations import MUTATIONS, field_paths, get
from tests.fakes.http_server import FakeHttpServer
from tests.fixtures import shared_path

# The mutations that found something before issue 13's fixes, one of each family.
SOME = tuple(
    m for m in MUTATIONS if m.name in ("null", "an object", "10**30", "not UTF-8", "an escaped lone surrogate")
)
# (case, recording, the list holding the items): the item mutated is the list's smallest, so a recorded comment
# with hundreds of nested replies does not turn one case into thousands of requests.
RECORDINGS = [
    ("github issue", "github/search_issues_response_body.json", ("items",)),
    ("discourse topic", "discourse/latest.json", ("topic_list", "topics")),
    ("discourse thread", "discourse/topic.json", ("post_stream", "posts")),
    ("mastodon status", "mastodon/timeline_tag_page1_localhost.json", ()),
    ("reddit post", "reddit/r_askreddit_new.json", ("data", "children")),
    ("reddit comment", "reddit/r_askreddit_comments_stream.json", ("data", "children")),
    ("reddit thread", "reddit/comments_fjn0j9_pics_nested.json", (1, "data", "children")),
    ("bluesky post", "bluesky/searchPosts_q_redistricting.json", ("posts",)),
]


@pytest.fixture
def fast_server() -> Iterator[FakeHttpServer]:
    with FakeHttpServer() as fake:
        yield fake


def smallest(page: Any, where: tuple[str | int, ...]) -> int:
    """The index of the item with the fewest fields (a thread's first post excepted: it is the topic)."""
    items = get(page, where)
    first = 1 if where[-1:] == ("posts",) else 0
    return min(range(first, len(items)), key=lambda i: (len(list(field_paths(items[i]))), i))


@pytest.mark.parametrize(("name", "recording", "where"), RECORDINGS, ids=[r[0] for r in RECORDINGS])
async def test_no_mutated_field_of_a_recorded_item_fails_a_poll_or_is_unstorable(
    name: str,
    recording: str,
    where: tuple[str | int, ...],
    fast_server: FakeHttpServer,
    http: SafeHttp,
    store: SqlStore,
) -> None:
    page = json.loads(shared_path("fixtures", *recording.split("/")).read_text())
    case = next(c for c in cases() if c.name == name)
    items = get(page, where)
    index = smallest(page, where)
    # Four neighbours are enough to see none is lost, and keep each payload small (Reddit's pages hold 100).
    neighbours = [item for i, item in enumerate(items) if i != index][:4]
    kept = [*neighbours, items[index]]
    items[:] = kept
    case = replace(case, name=f"{name} (recorded)", page=page, item=(*where, len(kept) - 1))
    outcome = Outcome()
    to_store = await run_case(case, fast_server, http, outcome, SOME)
    await store_all(store, to_store, outcome)
    print(f"\n{case.name}: {outcome.paths} field paths, {outcome.payloads} payloads, {len(outcome.failures)} failures")
    assert outcome.payloads > 0
    assert not outcome.failures, "\n".join(outcome.failures[:40])
