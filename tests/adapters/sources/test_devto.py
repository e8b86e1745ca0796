"""The Dev.to (Forem) source against a fake Forem API on 127.0.0.1, and against dev.to's recorded answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.devto.comments import CURSOR_KEY, MAX_ARTICLES
from earshot.adapters.sources.devto.kind import devto_target
from earshot.adapters.sources.devto.source import OVERLAP_SECONDS, PER_PAGE, DevtoSource
from earshot.bot.domain import Conversation, Feed
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import ThreadSource
from tests.fakes.forem import FakeForem, article, comment
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fixtures import shared_path

NOW = 1_700_000_000


@pytest.fixture
def site(server: FakeHttpServer) -> FakeForem:
    return FakeForem(server)


def make(http: SafeHttp, site: FakeForem, env: dict[str, str] | None = None) -> DevtoSource:
    return DevtoSource(http, env=env, clock=lambda: datetime.fromtimestamp(NOW, UTC), base_url=site.url)


def d_feed(url: str, **options: Any) -> Feed:
    return Feed(name="devto", kind="devto", every=timedelta(minutes=10), url=url, options=options)


def ids(items: list[Conversation]) -> list[str]:
    return [i.external_id for i in items]


async def test_maps_articles_of_the_feeds_tags(http: SafeHttp, site: FakeForem) -> None:
    site.add(
        article(11, NOW - 600, title="Postgres  on  Kubernetes", tags=["postgres", "devops"], comments=4, reactions=9),
        article(12, NOW - 300, title="CSS grid", tags=["css"]),
        article(13, NOW - 200, title="Pandas tricks", tags=["python"], language="de", username="carol"),
    )
    result = await make(http, site).fetch(d_feed(site.url, tags=["postgres", "Python"]), {}, seeding=False)

    python, postgres = result.items
    assert ids(result.items) == ["13", "11"]  # the css article is not of the feed's tags
    assert postgres.source == "devto" and postgres.kind == "post"
    assert postgres.url.startswith("https://dev.to/alice/postgres-on-kubernetes")
    assert postgres.title == "Postgres on Kubernetes"
    assert postgres.text == "What this article is about..."
    assert (postgres.author, postgres.points, postgres.thread_size) == ("alice", 9, 4)
    assert postgres.created_at == datetime.fromtimestamp(NOW - 600, UTC)
    assert postgres.community == "dev.to/postgres,devops"
    assert postgres.language == "en" and python.language == "de" and python.author == "carol"
    assert postgres.state is None and not postgres.untitled


async def test_first_poll_only_seeds_then_new_articles_come_once(http: SafeHttp, site: FakeForem) -> None:
    source = make(http, site)
    site.add(article(1, NOW - 100), article(2, NOW - 50))
    first = await source.fetch(d_feed(site.url), {}, seeding=True)
    assert first.cursor["newest"] == NOW - 50
    site.add(article(3, NOW - 50), article(4, NOW - OVERLAP_SECONDS - 100), article(5, NOW - 10))
    second = await source.fetch(d_feed(site.url), first.cursor, seeding=False)
    # 4 was published before the window: an article that old would have been in the first poll.
    assert sorted(ids(second.items)) == ["3", "5"]
    third = await source.fetch(d_feed(site.url), second.cursor, seeding=False)
    assert third.items == []


async def test_a_restart_neither_skips_nor_repeats(http: SafeHttp, site: FakeForem) -> None:
    site.add(article(1, NOW - 100, tags=["python"]))
    first = await make(http, site).fetch(d_feed(site.url, tags=["python"]), {}, seeding=True)
    stored = json.loads(json.dumps(first.cursor))  # what the database keeps across the restart
    site.add(article(2, NOW - 100, tags=["python"]), article(3, NOW - 40, tags=["python"]))
    again = make(http, site)  # a new process: nothing but the stored cursor
    second = await again.fetch(d_feed(site.url, tags=["python"]), stored, seeding=False)
    assert sorted(ids(second.items)) == ["2", "3"]  # 2 shares 1's second: neither lost nor 1 repeated
    third = await again.fetch(d_feed(site.url, tags=["python"]), json.loads(json.dumps(second.cursor)), seeding=False)
    assert third.items == []


async def test_walks_pages_back_to_the_cursor(http: SafeHttp, site: FakeForem) -> None:
    site.add(article(1, NOW - 5000))
    first = await make(http, site).fetch(d_feed(site.url), {}, seeding=True)
    assert len(site.listing_requests()) == 1
    site.add(*(article(100 + i, NOW - 1000 + i) for i in range(PER_PAGE + 20)))
    second = await make(http, site).fetch(d_feed(site.url), first.cursor, seeding=False)
    assert len(second.items) == PER_PAGE + 20
    pages = [r.param("page") for r in site.listing_requests()[1:]]
    assert pages == ["1", "2"] and site.listing_requests()[1].param("per_page") == str(PER_PAGE)


async def test_comments_on_new_articles_are_items_once(http: SafeHttp, site: FakeForem) -> None:
    source = make(http, site)
    feed = d_feed(site.url, tags=["python"], include=["articles", "comments"])
    site.add(article(7, NOW - 900, title="Async Python", tags=["python"], comments=1, last_comment=NOW - 800))
    site.reply(7, comment("aa1", NOW - 800, "Old remark"))
    first = await source.fetch(feed, {}, seeding=True)
    assert CURSOR_KEY in first.cursor
    site.articles[0]["last_comment_at"] = datetime.fromtimestamp(NOW - 30, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    site.reply(
        7, comment("bb2", NOW - 60, "Does this work with <b>trio</b>?", children=[comment("cc3", NOW - 30, "Yes")])
    )
    second = await source.fetch(feed, first.cursor, seeding=False)
    assert ids(second.items) == ["c/bb2", "c/cc3"]
    question = second.items[0]
    assert question.kind == "comment" and question.title == "Re: Async Python"
    assert question.text == "Does this work with trio?"
    assert question.url == f"{site.url}/bob/comment/bb2"
    third = await source.fetch(feed, second.cursor, seeding=False)
    assert third.items == []


async def test_a_rate_limit_waits_as_long_as_forem_says(http: SafeHttp, site: FakeForem) -> None:
    site.add(article(1, NOW - 100))
    site.limited = 42
    with pytest.raises(FeedError) as caught:
        await make(http, site).fetch(d_feed(site.url), {}, seeding=False)
    assert caught.value.retry_after == 42
    assert "Dev.to rate limit reached (HTTP 429" in str(caught.value) and "retrying in 42 s" in str(caught.value)


async def test_a_refused_key_is_named_and_never_shown(http: SafeHttp, server: FakeHttpServer) -> None:
    site = FakeForem(server, key="the-right-key")
    site.add(article(1, NOW - 100))
    source = make(http, site, env={"DEVTO_API_KEY": "wrong-key-123456"})
    with pytest.raises(FeedError) as caught:
        await source.fetch(d_feed(site.url), {}, seeding=False)
    assert "HTTP 401" in str(caught.value) and "check DEVTO_API_KEY" in str(caught.value)
    assert "wrong-key-123456" not in str(caught.value)
    good = make(http, site, env={"DEVTO_API_KEY": "the-right-key"})
    assert ids((await good.fetch(d_feed(site.url), {}, seeding=False)).items) == ["1"]
    assert server.requests[-1].headers["api-key"] == "the-right-key"


async def test_reads_an_articles_thread_and_a_comments_answers(http: SafeHttp, site: FakeForem) -> None:
    source = make(http, site)
    assert isinstance(source, ThreadSource)
    site.add(article(9, NOW - 900, title="Old title", comments=3, tags=["rust"], base=site.url))
    site.reply(9, comment("r1", NOW - 800, "First", children=[comment("r2", NOW - 700, "Nested", username="carol")]))
    site.reply(9, comment("r3", NOW - 600, "Second"))
    listed = (await source.fetch(d_feed(site.url), {}, seeding=False)).items[0]
    site.articles[0]["title"] = "New title"

    thread = await source.thread(listed)
    assert thread.conversation.title == "New title"  # read again
    assert thread.conversation.text == "What this article is about..."
    assert [(r.external_id, r.depth, r.parent_id, r.author) for r in thread.replies] == [
        ("r1", 0, None, "bob"),
        ("r2", 1, "r1", "carol"),
        ("r3", 0, None, "bob"),
    ]
    assert thread.reply_count == 3 and thread.replies[1].text == "Nested"

    as_comment = Conversation(
        source="devto", external_id="c/r1", url=f"{site.url}/bob/comment/r1", title="Re: x", kind="comment"
    )
    below = await source.thread(as_comment)
    assert [r.external_id for r in below.replies] == ["r2"]


async def test_a_deleted_article_says_so(http: SafeHttp, site: FakeForem) -> None:
    gone = Conversation(source="devto", external_id="404", url=f"{site.url}/alice/gone-1", title="Gone")
    with pytest.raises(FeedError, match=r"Dev\.to article 404 is gone"):
        await make(http, site).thread(gone)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tag": ["python"]}, "unknown Dev.to option(s) tag"),
        ({"tags": ["c++"]}, "not Dev.to tags"),
        ({"include": ["posts"]}, 'include must list "articles" and/or "comments"'),
    ],
)
def test_bad_options_are_refused_with_an_example(http: SafeHttp, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        DevtoSource(http).check(d_feed("https://dev.to", **options))


def test_feeds_add_reads_tags_as_the_target() -> None:
    target = devto_target("#Python, webdev", None)
    assert target.options == {"tags": ["python", "webdev"]} and target.name_hint == "python-webdev"
    assert devto_target(None, None).options == {}
    with pytest.raises(ConfigError, match="no search"):
        devto_target("python", "asyncio")


async def test_conformance_recorded_devto_answers(http: SafeHttp, server: FakeHttpServer) -> None:
    """dev.to's own recorded answers (../shared/fixtures/devto), served as they were, read by the source."""
    folder = shared_path("fixtures", "devto")
    latest = (folder / "articles_latest.json").read_bytes()
    single = json.loads((folder / "article_4160121.json").read_text())
    comments = (folder / "comments_a_id_4160121.json").read_bytes()
    newest = max(datetime.fromisoformat(a["published_at"].replace("Z", "+00:00")) for a in json.loads(latest))
    server.route("GET", "/api/articles/latest", lambda r: Reply(200, latest, {"Content-Type": "application/json"}))
    server.route(
        "GET", "/api/articles/4160121", lambda r: Reply(200, json.dumps(single), {"Content-Type": "application/json"})
    )
    server.route("GET", "/api/comments", lambda r: Reply(200, comments, {"Content-Type": "application/json"}))
    source = DevtoSource(http, clock=lambda: newest + timedelta(minutes=5))

    result = await source.fetch(d_feed(server.url("").rstrip("/")), {}, seeding=False)
    assert len(result.items) == len(json.loads(latest)) == 30
    assert all(i.url.startswith("https://dev.to/") and i.created_at and i.title for i in result.items)
    declared = {str(a["id"]): a.get("language") for a in json.loads(latest)}
    assert all(i.language == declared[i.external_id] for i in result.items) and any(i.language for i in result.items)

    # The single article's tag_list is a string: its tags still reach community.
    one = Conversation(source="devto", external_id="4160121", url=server.url("/x/y"), title="?")
    thread = await source.thread(one)
    assert thread.conversation.title == " ".join(single["title"].split())
    assert thread.conversation.community and "," in thread.conversation.community
    assert len(thread.replies) == 3 and all(r.author and r.text and r.url for r in thread.replies)
    assert thread.replies[0].url.endswith("/comment/3bba8")


async def test_comments_past_the_per_poll_cap_come_on_the_next_poll(http: SafeHttp, site: FakeForem) -> None:
    source = make(http, site)
    feed = d_feed(site.url, include=["comments"])
    site.add(*(article(i, NOW - 5000 + i, last_comment=NOW - 4000) for i in range(1, MAX_ARTICLES + 3)))
    first = await source.fetch(feed, {}, seeding=True)
    for i in range(1, MAX_ARTICLES + 3):
        site.articles[i - 1]["last_comment_at"] = datetime.fromtimestamp(NOW - 100 + i, UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        site.reply(i, comment(f"k{i}", NOW - 100 + i, f"Comment {i}"))
    second = await source.fetch(feed, first.cursor, seeding=False)
    assert ids(second.items) == [f"c/k{i}" for i in range(1, MAX_ARTICLES + 1)]  # the least recently active first
    third = await source.fetch(feed, second.cursor, seeding=False)
    assert ids(third.items) == [f"c/k{MAX_ARTICLES + 1}", f"c/k{MAX_ARTICLES + 2}"]
