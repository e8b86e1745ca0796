"""A feed body is always parsed as data: never opened as a file name or fetched as a URL, whatever it says."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.reddit.parse import parse_rss
from earshot.adapters.sources.rss.source import RssSource, parse_feed
from earshot.bot.domain import Feed
from earshot.bot.errors import FeedError
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fixtures import REPO

LOCAL_SECRET = "a local file nobody served"


def local_feed(tmp_path: Path) -> Path:
    """An RSS feed and a Reddit-shaped Atom feed on this machine's disk, each with one recognisable item."""
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title><link>https://x.example/</link>'
        f"<item><title>{LOCAL_SECRET}</title><link>https://x.example/1</link></item></channel></rss>"
    )
    return path


def local_reddit_feed(tmp_path: Path) -> Path:
    path = tmp_path / "reddit.xml"
    path.write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>r/x</title>'
        f"<entry><id>t3_abc</id><title>{LOCAL_SECRET}</title>"
        '<link href="https://www.reddit.com/r/x/comments/abc/t/"/></entry></feed>'
    )
    return path


async def test_a_body_naming_a_local_file_is_not_read_over_http(
    http: SafeHttp, server: FakeHttpServer, tmp_path: Path
) -> None:
    path = local_feed(tmp_path)
    server.route("GET", "/feed.xml", lambda request: Reply(200, str(path).encode(), {"Content-Type": "text/xml"}))
    feed = Feed(name="blog", kind="rss", every=timedelta(minutes=15), url=server.url("/feed.xml"))
    with pytest.raises(FeedError, match="is not an RSS or Atom feed") as info:
        await RssSource(http).fetch(feed, {}, seeding=True)
    assert LOCAL_SECRET not in str(info.value)


@pytest.mark.parametrize("spelling", [str, lambda p: f"  {p}\n", lambda p: p.as_uri()])
def test_a_body_naming_a_local_file_gives_none_of_its_items(tmp_path: Path, spelling: object) -> None:
    body = spelling(local_feed(tmp_path)).encode()  # type: ignore[operator]
    with pytest.raises(FeedError):
        parse_feed(body, feed_url="https://x.example/feed")
    reddit_body = spelling(local_reddit_feed(tmp_path)).encode()  # type: ignore[operator]
    try:
        items = parse_rss(reddit_body)
    except FeedError:
        items = []
    assert all(LOCAL_SECRET not in item.title for item, _ in items)


@pytest.mark.parametrize("body", [b"/dev/zero", b"/dev/urandom", b"/proc/self/environ", b"/etc/passwd"])
def test_a_body_naming_a_device_or_system_file_is_refused_without_reading_it(body: bytes) -> None:
    # Read as a file name, /dev/zero would fill the memory; parsed as data, these are a few bytes of text.
    with pytest.raises(FeedError, match="is not an RSS or Atom feed"):
        parse_feed(body, feed_url="https://x.example/feed")
    with pytest.raises(FeedError):
        parse_rss(body)


def _modules_calling_feedparser() -> dict[str, set[str]]:
    """Each adapters module that imports feedparser, with the feedparser names it uses."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / "adapters").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "feedparser" for a in node.names):
                found.setdefault(str(path.relative_to(REPO)), set())
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "feedparser":
                found.setdefault(str(path.relative_to(REPO)), set()).update(a.name for a in node.names)
    return found


def test_only_the_feed_reader_calls_feedparser() -> None:
    # Every feed body goes through read_feed, which hands feedparser a file-like object (never bytes or a str,
    # which it would first try to open as a file name or fetch as a URL): a new caller elsewhere would bypass it.
    assert set(_modules_calling_feedparser()) == {"adapters/sources/feed_reader.py"}
