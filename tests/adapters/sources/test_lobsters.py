"""The Lobsters source against a fake site on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.cli.feedadd import parse_options
from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.lobsters.comments import CURSOR_KEY, MAX_COMMENT_PAGES
from earshot.adapters.sources.lobsters.source import MAX_PAGES, OVERLAP_SECONDS, LobstersSource
from earshot.bot.domain import Feed
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import ThreadSource
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.lobsters import COMMENTS_PER_PAGE, PER_PAGE, FakeLobsters, comment, listed_comment, story

NOW = 1_700_000_000


@pytest.fixture
def site(server: FakeHttpServer) -> FakeLobsters:
    return FakeLobsters(server)


@pytest.fixture
def source(http: SafeHttp, site: FakeLobsters) -> LobstersSource:
    return LobstersSource(http, clock=lambda: datetime.fromtimestamp(NOW, UTC), base_url=site.url)


def l_feed(url: str, **options: Any) -> Feed:
    return Feed(name="lobsters", kind="lobsters", every=timedelta(minutes=10), url=url, options=options)


def bulk(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [story(f"b{start + i:05d}", NOW - i, title=f"Story {start + i}") for i in range(count)]


async def test_maps_stories(source: LobstersSource, site: FakeLobsters) -> None:
    site.add(
        story(
            "abc123",
            NOW - 600,
            title="Why <details> & SQLite disagree",
            url="https://example.com/sqlite",
            tags=["databases", "sqlite"],
            comments=4,
            score=17,
            submitter="carol",
        ),
        story(
            "text01", NOW - 300, title="Ask: Größte Fehler?", url="", description="<p>Was war <em>euer</em> Fehler?</p>"
        ),
    )
    result = await source.fetch(l_feed(site.url), {}, seeding=False)

    ask, link = result.items
    assert link.source == "lobsters"
    assert link.external_id == "abc123"
    assert link.url == "https://lobste.rs/s/abc123/why_details_sqlite_disagree"
    assert link.link == "https://example.com/sqlite"
    assert link.title == "Why <details> & SQLite disagree"
    assert link.author == "carol"
    assert link.points == 17
    assert link.thread_size == 4
    assert link.community == "127.0.0.1/databases,sqlite"
    assert link.created_at == datetime.fromtimestamp(NOW - 600, UTC)
    assert ask.title == "Ask: Größte Fehler?"
    assert ask.link is None
    assert ask.text == "Was war euer Fehler?"


async def test_two_polls_neither_skip_nor_repeat(source: LobstersSource, site: FakeLobsters) -> None:
    site.add(story("aaa", NOW - 100), story("bbb", NOW - 50))
    first = await source.fetch(l_feed(site.url), {}, seeding=True)
    assert first.cursor["newest"] == NOW - 50
    site.add(story("ccc", NOW - 50), story("ddd", NOW - OVERLAP_SECONDS - 100), story("eee", NOW + 20))
    second = await source.fetch(l_feed(site.url), first.cursor, seeding=False)
    # ddd was created before the window: an item that old would have been in the first poll.
    assert sorted(i.external_id for i in second.items) == ["ccc", "eee"]
    third = await source.fetch(l_feed(site.url), second.cursor, seeding=False)
    assert third.items == []


async def test_pages_back_to_the_window(source: LobstersSource, site: FakeLobsters) -> None:
    site.add(story("old", NOW - 90_000), story("older", NOW - 95_000))
    first = await source.fetch(l_feed(site.url), {}, seeding=True)
    site.add(*bulk(PER_PAGE + 3))
    result = await source.fetch(l_feed(site.url), first.cursor, seeding=False)
    assert len(result.items) == PER_PAGE + 3
    assert [r.path for r in site.listing_requests()[1:]] == ["/newest.json", "/newest/page/2.json"]


async def test_page_cap(source: LobstersSource, site: FakeLobsters, caplog: pytest.LogCaptureFixture) -> None:
    site.add(story("old", NOW - 90_000))
    first = await source.fetch(l_feed(site.url), {}, seeding=True)
    site.add(*bulk(PER_PAGE * MAX_PAGES + 1))
    result = await source.fetch(l_feed(site.url), first.cursor, seeding=False)
    assert len(result.items) == PER_PAGE * MAX_PAGES
    assert "the oldest were skipped" in caplog.text


async def test_tags(source: LobstersSource, site: FakeLobsters) -> None:
    site.tag("rust,databases")
    site.add(story("r1", NOW - 10, tags=["rust"]), story("p1", NOW - 5, tags=["python"]))
    result = await source.fetch(l_feed(site.url, tags=["rust", "databases"]), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["r1"]
    assert site.listing_requests()[0].path == "/t/rust,databases.json"


async def test_429_with_retry_after(source: LobstersSource, server: FakeHttpServer) -> None:
    server.route("GET", "/newest.json", lambda r: Reply(429, "Too Many Requests", {"Retry-After": "45"}))
    with pytest.raises(FeedError, match="rate limit") as caught:
        await source.fetch(l_feed(server.url("")), {}, seeding=False)
    assert caught.value.retry_after == 45


async def test_403_is_explained(source: LobstersSource, server: FakeHttpServer) -> None:
    server.route("GET", "/newest.json", lambda r: Reply(403, "Forbidden"))
    with pytest.raises(FeedError, match=r"403.*needs no credentials"):
        await source.fetch(l_feed(server.url("")), {}, seeding=False)


async def test_malformed_bodies(source: LobstersSource, server: FakeHttpServer) -> None:
    server.route("GET", "/newest.json", lambda r: Reply(200, "<!doctype html><p>Down for maintenance</p>"))
    with pytest.raises(FeedError, match="not JSON"):
        await source.fetch(l_feed(server.url("")), {}, seeding=False)
    server.route("GET", "/newest.json", lambda r: Reply(200, '{"error": "x"}'))
    with pytest.raises(FeedError, match="not a story list"):
        await source.fetch(l_feed(server.url("")), {}, seeding=False)


async def test_thread_leaves_out_deleted_comments(source: LobstersSource, site: FakeLobsters) -> None:
    site.add(story("thr001", NOW - 1000, comments=3))
    site.comments["thr001"] = [
        comment("c1", NOW - 900, "Have you tried <code>VACUUM</code>?"),
        comment("c2", NOW - 800, "[deleted]", is_deleted=True),
        comment("c3", NOW - 700, "Yes, it helped.", user="alice", parent="c1", depth=1),
    ]
    assert isinstance(source, ThreadSource)
    item = (await source.fetch(l_feed(site.url), {}, seeding=False)).items[0]
    thread = await source.thread(item)
    assert [r.external_id for r in thread.replies] == ["c1", "c3"]
    assert thread.replies[0].text == "Have you tried VACUUM?"
    assert thread.replies[1].parent_id == "c1"
    assert thread.replies[1].depth == 1
    assert thread.reply_count == 3


async def test_thread_as_a_tree(source: LobstersSource, site: FakeLobsters) -> None:
    site.add(story("tree01", NOW - 1000, comments=3))
    reply = comment("t2", NOW - 800, "Agreed.", parent="t1")
    reply.pop("depth")
    top = comment("t1", NOW - 900, "First!")
    top.pop("depth")
    top["comments"] = [reply]
    site.comments["tree01"] = [top, comment("t3", NOW - 700, "Later, at the top.")]
    item = (await source.fetch(l_feed(site.url), {}, seeding=False)).items[0]
    thread = await source.thread(item)
    assert [(r.external_id, r.depth) for r in thread.replies] == [("t1", 0), ("t2", 1), ("t3", 0)]


async def test_thread_of_a_deleted_story(source: LobstersSource, site: FakeLobsters) -> None:
    site.add(story("gone01", NOW - 1000))
    item = (await source.fetch(l_feed(site.url), {}, seeding=False)).items[0]
    site.stories.clear()
    with pytest.raises(FeedError, match=r"story gone01 is gone \(deleted\) \(HTTP 404\)"):
        await source.thread(item)


@pytest.mark.parametrize(
    ("options", "query", "message"),
    [
        ({"tags": "Rust Lang"}, None, "not Lobsters tags"),
        ({"tag": "rust"}, None, "unknown Lobsters option"),
        ({}, "postgres", "no search"),
    ],
)
def test_check_refuses_bad_settings(
    source: LobstersSource, options: dict[str, Any], query: str | None, message: str
) -> None:
    feed = Feed(name="l", kind="lobsters", every=timedelta(minutes=10), query=query, options=options)
    with pytest.raises(ConfigError, match=message):
        source.check(feed)


def with_comments(url: str, **options: Any) -> Feed:
    return l_feed(url, include=["stories", "comments"], **options)


async def test_comments_become_items(source: LobstersSource, site: FakeLobsters) -> None:
    site.listed_comments = [listed_comment("old001", NOW - 900, "old", "s1")]
    seeded = await source.fetch(with_comments(site.url), {}, seeding=True)
    assert seeded.items == []
    site.listed_comments += [
        listed_comment("new001", NOW - 100, "Use <b>WAL</b> &amp; fsync", "s1", comment_plain="x", score=5),
        listed_comment("del001", NOW - 90, "gone", "s1", is_deleted=True),
        listed_comment("mod001", NOW - 80, "removed", "s1", is_moderated=True),
    ]
    result = await source.fetch(with_comments(site.url), seeded.cursor, seeding=False)
    (item,) = result.items
    assert item.kind == "comment"
    assert item.external_id == "c/new001"
    assert item.url == "https://lobste.rs/s/s1/a_story#c_new001"
    assert item.title == "Re: Story s1"
    assert item.text == "Use WAL & fsync"
    assert item.author == "bob"
    assert item.points == 5
    assert item.created_at == datetime.fromtimestamp(NOW - 100, UTC)


async def test_comments_off_by_default(source: LobstersSource, site: FakeLobsters) -> None:
    await source.fetch(l_feed(site.url), {}, seeding=False)
    assert site.comment_requests() == []


async def test_comments_across_a_restart_page_back(source: LobstersSource, site: FakeLobsters, http: SafeHttp) -> None:
    site.listed_comments = [listed_comment(f"a{i:04d}", NOW - 5000 + i, f"c{i}", "s1") for i in range(3)]
    first = await source.fetch(with_comments(site.url), {}, seeding=True)
    cursor = json.loads(json.dumps(first.cursor))
    # 45 new comments, two of them in the same second as the newest already seen: none lost, none repeated.
    site.listed_comments += [listed_comment(f"b{i:04d}", NOW - 5000 + 2 + (i // 20), f"n{i}", "s1") for i in range(45)]
    restarted = LobstersSource(http, clock=lambda: datetime.fromtimestamp(NOW, UTC), base_url=site.url)
    second = await restarted.fetch(with_comments(site.url), cursor, seeding=False)
    assert sorted(i.external_id for i in second.items) == sorted(f"c/b{i:04d}" for i in range(45))
    # 48 comments, 20 a page, all inside the overlap window: the walk reads on to the empty fourth page.
    assert len(site.comment_requests()) == 1 + 4
    assert site.comment_requests()[-1].path == "/comments/page/4.json"
    site.listed_comments.append(listed_comment("z0001", NOW - 10, "last", "s1"))
    third = await restarted.fetch(with_comments(site.url), json.loads(json.dumps(second.cursor)), seeding=False)
    assert [i.external_id for i in third.items] == ["c/z0001"]
    fourth = await restarted.fetch(with_comments(site.url), third.cursor, seeding=False)
    assert fourth.items == []


async def test_comments_enabled_later_only_seed(source: LobstersSource, site: FakeLobsters) -> None:
    site.add(story("s1", NOW - 1000))
    stories_only = await source.fetch(l_feed(site.url), {}, seeding=True)
    site.listed_comments = [listed_comment("c0001", NOW - 500, "earlier", "s1")]
    result = await source.fetch(with_comments(site.url), stories_only.cursor, seeding=False)
    assert result.items == [] and CURSOR_KEY in result.cursor


async def test_a_page_of_removed_comments_does_not_end_the_walk(source: LobstersSource, site: FakeLobsters) -> None:
    site.listed_comments = [listed_comment("a0000", NOW - 9000, "old", "s1")]
    first = await source.fetch(with_comments(site.url), {}, seeding=True)
    site.listed_comments += [listed_comment(f"k{i:04d}", NOW - 8000 + i, f"kept {i}", "s1") for i in range(5)]
    site.listed_comments += [
        listed_comment(f"d{i:04d}", NOW - 100 + i, "gone", "s1", is_deleted=True) for i in range(COMMENTS_PER_PAGE)
    ]
    result = await source.fetch(with_comments(site.url), first.cursor, seeding=False)
    assert sorted(i.external_id for i in result.items) == [f"c/k{i:04d}" for i in range(5)]


async def test_comments_page_cap(source: LobstersSource, site: FakeLobsters, caplog: pytest.LogCaptureFixture) -> None:
    site.listed_comments = [listed_comment("a0000", NOW - 9000, "old", "s1")]
    first = await source.fetch(with_comments(site.url), {}, seeding=True)
    many = COMMENTS_PER_PAGE * (MAX_COMMENT_PAGES + 1)
    site.listed_comments += [listed_comment(f"b{i:04d}", NOW - many + i, "n", "s1") for i in range(many)]
    result = await source.fetch(with_comments(site.url), first.cursor, seeding=False)
    assert len(result.items) == COMMENTS_PER_PAGE * MAX_COMMENT_PAGES
    assert "more than 4 pages of new comments" in caplog.text


async def test_comment_thread_is_the_answers_below_it(source: LobstersSource, site: FakeLobsters) -> None:
    site.add(story("s1", NOW - 1000, comments=4))
    site.comments["s1"] = [
        comment("c1", NOW - 900, "top"),
        comment("c2", NOW - 800, "answer", parent="c1", depth=1),
        comment("c3", NOW - 700, "deeper", parent="c2", depth=2),
        comment("c4", NOW - 600, "another top"),
    ]
    site.listed_comments = [listed_comment("c1", NOW - 900, "top", "s1")]
    result = await source.fetch(with_comments(site.url), {CURSOR_KEY: {"newest": NOW - 2000}}, seeding=False)
    (item,) = [i for i in result.items if i.kind == "comment"]
    thread = await source.thread(item)
    assert thread.conversation == item
    assert [r.external_id for r in thread.replies] == ["c2", "c3"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"include": ["stories", "replies"]}, 'include must list "stories" and/or "comments"'),
        ({"include": 3}, "got 3"),
        ({"include": ["comments"], "tags": ["rust"]}, "comments of the whole site only, not by tag"),
    ],
)
def test_include_is_checked(source: LobstersSource, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        source.check(l_feed("https://lobste.rs", **options))
    source.check(l_feed("https://lobste.rs", include="comments"))
    # what `earshot feeds add ... --option include=stories,comments` gives
    source.check(l_feed("https://lobste.rs", **parse_options(["include=stories,comments"])))
    source.check(l_feed("https://lobste.rs", **parse_options(["include=comments"])))
