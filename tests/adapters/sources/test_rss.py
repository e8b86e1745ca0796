"""The RSS source against feeds served from 127.0.0.1: conditional GET, redirects, errors, hostile feeds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources import KINDS, build_sources
from earshot.adapters.sources.rss.source import RssSource
from earshot.bot.domain import Feed
from earshot.bot.errors import ConfigError, FeedError
from tests.adapters.sources.hostile import billion_laughs_doctype
from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fixtures import data_path

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
NEWS = data_path("rss", "project_news.rss.xml").read_bytes()
ETAG = '"news-v1"'
MODIFIED = "Thu, 06 Nov 2025 01:02:56 GMT"


@pytest.fixture
def source(http: SafeHttp) -> RssSource:
    return RssSource(http)


def rss_feed(url: str | None) -> Feed:
    return Feed(name="blog", kind="rss", every=timedelta(minutes=15), url=url)


def conditional(request: Request) -> Reply:
    if request.headers.get("if-none-match") == ETAG:
        return Reply(304, b"", {"ETag": ETAG})
    return Reply(200, NEWS, {**RSS, "ETag": ETAG, "Last-Modified": MODIFIED})


async def test_conditional_get(source: RssSource, server: FakeHttpServer) -> None:
    server.route("GET", "/feed.xml", conditional)
    feed = rss_feed(server.url("/feed.xml"))

    first = await source.fetch(feed, {}, seeding=True)
    assert len(first.items) == 10
    assert first.items[0].title == "libfrob >= 3.2.0-2 update requires manual intervention"
    assert first.cursor == {"etag": ETAG, "modified": MODIFIED}
    assert not first.not_modified

    second = await source.fetch(feed, first.cursor, seeding=False)
    assert second.not_modified
    assert second.items == []
    assert second.cursor == first.cursor

    first_request, second_request = server.hits("/feed.xml")
    assert "if-none-match" not in first_request.headers
    assert "application/rss+xml" in first_request.headers["accept"]
    assert second_request.headers["if-none-match"] == ETAG
    assert second_request.headers["if-modified-since"] == MODIFIED


async def test_no_validators_means_an_empty_cursor(source: RssSource, server: FakeHttpServer) -> None:
    server.route("GET", "/feed.xml", lambda request: Reply(200, NEWS, RSS))
    result = await source.fetch(rss_feed(server.url("/feed.xml")), {"etag": '"old"'}, seeding=False)
    assert result.cursor == {}
    assert len(result.items) == 10


async def test_relative_links_resolve_against_the_final_url(source: RssSource, server: FakeHttpServer) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Moved</title>'
        "<item><title>One</title><link>posts/1.html</link><guid isPermaLink='false'>1</guid></item>"
        "<item><title>Two</title><link>/top.html</link></item></channel></rss>"
    )
    server.route("GET", "/old", lambda request: Reply(301, b"", {"Location": server.url("/blog/feed.xml")}))
    server.route("GET", "/blog/feed.xml", lambda request: Reply(200, body, RSS))
    feed = rss_feed(server.url("/old"))
    result = await source.fetch(feed, {}, seeding=False)
    assert [i.url for i in result.items] == [server.url("/blog/posts/1.html"), server.url("/top.html")]
    # Ids hang off the configured URL, which stays put even if the redirect changes.
    assert result.items[0].external_id == server.url("/old") + "#1"
    assert result.items[0].community == "Moved"


async def test_garbage_is_a_clear_error(source: RssSource, server: FakeHttpServer) -> None:
    server.route("GET", "/feed", lambda request: Reply(200, b"<<<this is not >> xml", RSS))
    url = server.url("/feed")
    with pytest.raises(FeedError) as info:
        await source.fetch(rss_feed(url), {}, seeding=False)
    message = str(info.value)
    assert message.startswith(f"{url} is not an RSS or Atom feed: it is not well-formed XML")
    assert message.endswith("; check the URL opens a feed in a browser")


async def test_an_html_page_is_a_clear_error(source: RssSource, server: FakeHttpServer) -> None:
    page = "<!DOCTYPE html><html><head><title>Blog</title></head><body><p>Welcome</p></body></html>"
    server.route("GET", "/", lambda request: Reply(200, page, {"Content-Type": "text/html"}))
    with pytest.raises(FeedError, match="is not an RSS or Atom feed: the server sent an HTML page"):
        await source.fetch(rss_feed(server.url("/")), {}, seeding=False)


async def test_billion_laughs_over_http(source: RssSource, server: FakeHttpServer) -> None:
    items = "".join(
        f"<item><title>laugh {n}</title><link>https://x.example/{n}</link>"
        f"<description>{'&lol9;' * 500}</description></item>"
        for n in range(2)
    )
    body = (
        f'<?xml version="1.0"?>\n{billion_laughs_doctype()}'
        f'<rss version="2.0"><channel><title>Lol</title>{items}</channel></rss>'
    )
    server.route("GET", "/lol.xml", lambda request: Reply(200, body, RSS))
    result = await source.fetch(rss_feed(server.url("/lol.xml")), {}, seeding=False)
    assert [i.title for i in result.items] == ["laugh 0", "laugh 1"]
    assert "lollol" not in result.items[0].text


@pytest.mark.parametrize(
    ("reply", "message", "retry_after"),
    [
        (Reply(404, "gone"), "HTTP 404", None),
        (Reply(429, "slow", {"Retry-After": "90"}), "HTTP 429", 90),
        (Reply(503, "down"), "HTTP 503", None),
    ],
)
async def test_http_errors_are_feed_errors(
    source: RssSource, server: FakeHttpServer, reply: Reply, message: str, retry_after: float | None
) -> None:
    server.route("GET", "/feed.xml", lambda request: reply)
    with pytest.raises(FeedError, match=message) as info:
        await source.fetch(rss_feed(server.url("/feed.xml")), {}, seeding=False)
    assert info.value.retry_after == retry_after


def test_check_accepts_an_http_url(source: RssSource) -> None:
    source.check(rss_feed("https://archlinux.org/feeds/news/"))
    source.check(rss_feed("http://blog.example/rss"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (None, "an RSS feed needs a url"),
        ("", "an RSS feed needs a url"),
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("feed.example.com/rss", "must start with http:// or https://"),
        ("https://", "has no host"),
    ],
)
def test_check_rejects_bad_urls(source: RssSource, url: str | None, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        source.check(rss_feed(url))
    assert "'blog'" in str(info.value)


async def test_fetch_without_url_is_a_feed_error(source: RssSource) -> None:
    with pytest.raises(FeedError, match="needs a url"):
        await source.fetch(rss_feed(None), {}, seeding=False)


def test_build_sources_maps_every_kind(http: SafeHttp) -> None:
    sources = build_sources(http)
    assert tuple(sources) == KINDS
    assert KINDS[:2] == ("hackernews", "rss")
    assert {"hackernews", "rss", "reddit", "mastodon", "bluesky"} <= set(KINDS)
    assert all(source.kind == kind for kind, source in sources.items())
