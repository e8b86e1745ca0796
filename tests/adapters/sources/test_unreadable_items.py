"""One item a source cannot read is skipped, said once, and costs neither the poll nor the page's other items.

The instances the hostile-input run found (issue 13, defects 3 and 5), each through the source's real fetch path
against a local server; ``test_mutated_payloads`` covers the whole class.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.cursor import pause_error
from earshot.adapters.sources.items import read_items
from earshot.adapters.storage import SqlStore
from earshot.bot.errors import FeedError
from tests.adapters.sources import payloads as p
from tests.adapters.sources import payloads_more as q
from tests.adapters.sources.mutated import JSON, NOW
from tests.adapters.sources.mutated_cases import REDDIT_FIXED, feed, github, hackernews, reddit, stackexchange
from tests.adapters.sources.mutations import dump
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.http_server import Reply as HttpReply


@pytest.fixture
def served(server: FakeHttpServer) -> Iterator[Any]:
    """``served(path, page)`` answers GET ``path`` with the JSON ``page`` (bytes as they are)."""

    def serve(path: str, page: Any, method: str = "GET") -> None:
        body = page if isinstance(page, bytes) else dump(page)
        server.route(method, path, lambda request: HttpReply(200, body, JSON))

    yield serve


async def test_a_huge_hacker_news_epoch_skips_that_hit_only(
    server: FakeHttpServer, http: SafeHttp, served: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bad = {**p.hn_hit(1), "created_at_i": 10**30}
    served("/api/v1/search_by_date", p.hn_page(bad))
    source = hackernews(http, server)
    with caplog.at_level(logging.DEBUG, logger="earshot.adapters.sources.items"):
        first = await source.fetch(feed("hackernews", server.url("/api/v1")), {}, seeding=False)
        told = [r for r in caplog.records if r.getMessage().startswith("Hacker News: skipped")]
        caplog.clear()
        again = await source.fetch(feed("hackernews", server.url("/api/v1")), {}, seeding=False)
        told_again = [r for r in caplog.records if r.getMessage().startswith("Hacker News: skipped")]
    assert [i.external_id for i in first.items] == ["38000002", "38000003"]
    assert [i.external_id for i in again.items] == ["38000002", "38000003"]
    # Warned the first time in this process (earlier tests may have had their first), never again at that level.
    assert len(told) == 1 and "OverflowError" in told[0].getMessage()
    assert [r.levelno for r in told_again] == [logging.DEBUG]


async def test_a_huge_stack_exchange_creation_date_skips_that_question_only(
    server: FakeHttpServer, http: SafeHttp, served: Any
) -> None:
    served("/2.3/questions", p.se_page([{**p.se_question(1), "creation_date": 10**30}, p.se_question(2)]))
    result = await stackexchange(http, server).fetch(
        feed("stackexchange", server.url("/2.3"), tagged="kubernetes"), {}, seeding=False
    )
    assert [i.external_id for i in result.items] == ["stackoverflow:77635502"]


async def test_a_malformed_github_repository_url_skips_that_issue_only(
    server: FakeHttpServer, http: SafeHttp, served: Any
) -> None:
    items = [{**p.gh_issue(1), "repository_url": "http://[::1", "url": "http://[::1"}, p.gh_issue(2)]
    served("/search/issues", {"total_count": 2, "incomplete_results": False, "items": items})
    result = await github(http, server).fetch(feed("github", server.url(""), "repo:octo/widgets"), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["octo/widgets#2"]


async def test_an_absurd_reddit_id_skips_that_post_only(server: FakeHttpServer, http: SafeHttp, served: Any) -> None:
    absurd = q.reddit_post(1)
    absurd["data"].update(name="t3_" + "z" * 5000, id="z" * 5000)
    served("/r/rust/new", q.reddit_listing([absurd, q.reddit_post(2)]))
    served("/api/v1/access_token", REDDIT_FIXED["POST /api/v1/access_token"], method="POST")
    result = await reddit(http, server).fetch(feed("reddit", subreddit="rust", include=["posts"]), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["t3_1abc02"]


async def test_a_lone_surrogate_in_one_item_no_longer_fails_the_poll_or_its_storage(
    server: FakeHttpServer, http: SafeHttp, served: Any, store: SqlStore
) -> None:
    escaped = dump(p.hn_page({**p.hn_hit(1), "title": "half an emoji \ud83d"}))
    raw = escaped.replace(b"Story 2 about Rust", b"Story 2 \xed\xa0\xbd \xff about Rust")
    served("/api/v1/search_by_date", raw)
    result = await hackernews(http, server).fetch(feed("hackernews", server.url("/api/v1")), {}, seeding=False)
    assert [i.title for i in result.items][:2] == [
        "half an emoji \ufffd",
        "Story 2 \ufffd\ufffd\ufffd \ufffd about Rust",
    ]
    async with store.unit() as unit:
        stored = await unit.insert_conversations(result.items, "hn", NOW)
    assert len(stored) == 3


def test_an_item_no_reader_expected_is_left_out_and_its_neighbours_kept() -> None:
    def read(raw: Any) -> int | None:
        return None if raw is None else 100 // int(raw)

    assert read_items(["4", None, "0", "x", [], "5"], read, source="Test") == [25, 20]


def test_an_error_that_is_not_about_the_item_still_stops_the_poll() -> None:
    def read(raw: Any) -> int:
        raise RuntimeError("a bug, not a bad item")

    with pytest.raises(RuntimeError):
        read_items([1], read, source="Test")


async def test_an_absurd_stack_exchange_backoff_pauses_a_day_at_most_and_the_next_poll_still_runs(
    server: FakeHttpServer, http: SafeHttp, served: Any
) -> None:
    served("/2.3/questions", {**p.se_page([p.se_question(1)]), "backoff": 10**400})
    source = stackexchange(http, server)
    so = feed("stackexchange", server.url("/2.3"), tagged="kubernetes")
    first = await source.fetch(so, {}, seeding=False)
    assert first.cursor["not_before"] == int(NOW.timestamp()) + 86_400
    with pytest.raises(FeedError, match="asked for a pause"):
        await source.fetch(so, first.cursor, seeding=False)
    # A cursor stored before backoffs were bounded no longer stops the feed for good.
    assert pause_error({"not_before": 10**400}, NOW, "Stack Exchange") is None
