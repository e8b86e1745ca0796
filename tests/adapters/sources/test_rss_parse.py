"""The RSS/Atom parser over feeds we wrote in the shapes sites publish, over real recorded ones, and hostile ones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from earshot.adapters.sources.feed_reader import strip_doctype
from earshot.adapters.sources.rss.source import parse_feed
from earshot.bot.domain import Conversation
from earshot.bot.errors import FeedError
from tests.adapters.sources.hostile import big_entity_doctype, billion_laughs_doctype
from tests.fakes.reddit import atom_feed
from tests.fakes.reddit_shapes import new_posts
from tests.fixtures import data_path, shared_path

FEED_URL = "https://feeds.example.com/feed"
OURS = sorted(data_path("rss").iterdir())


def assert_stable_items(data: bytes, name: str) -> None:
    """The feed gives items, each well formed, and the same items when parsed twice."""
    first = parse_feed(data, feed_url=FEED_URL)
    second = parse_feed(data, feed_url=FEED_URL)
    assert first, f"{name} gave no items"
    for item in first:
        assert item.source == "rss"
        assert item.url.startswith(("http://", "https://"))
        assert item.external_id
        assert item.title
        assert item.kind == "post"
        assert item.created_at is None or item.created_at.tzinfo is not None
    assert [i.external_id for i in first] == [i.external_id for i in second]
    assert first == second


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_every_feed_of_ours_parses_into_stable_items(path: Path) -> None:
    assert_stable_items(path.read_bytes(), path.name)


def test_conformance_every_recorded_feed_parses_into_stable_items() -> None:
    recorded = sorted(p for p in shared_path("fixtures", "rss").iterdir() if p.suffix in (".xml", ".rss", ".atom"))
    assert len(recorded) >= 25
    for path in recorded:
        assert_stable_items(path.read_bytes(), path.name)


def ours(name: str) -> list[Conversation]:
    return parse_feed(data_path("rss", name).read_bytes(), feed_url=FEED_URL)


def test_a_news_feed_with_escaped_html() -> None:
    items = ours("project_news.rss.xml")
    first = items[0]
    assert len(items) == 10
    assert first.title == "libfrob >= 3.2.0-2 update requires manual intervention"
    assert first.url == "https://frobnix.example.org/news/libfrob-320-2-update-requires-manual-intervention/"
    assert (
        first.external_id
        == "tag:frobnix.example.org,2025-10-21:/news/libfrob-320-2-update-requires-manual-intervention/"
    )
    assert first.author == "Ines Albrecht"
    assert first.created_at == datetime(2025, 10, 21, 14, 2, 40, tzinfo=UTC)
    assert first.community == "Frobnix Linux: Recent news updates"
    # The description is escaped HTML: it arrives as text, paragraphs on their own lines, no tags.
    assert first.text.startswith("The libfrob package before 3.2.0-2 left generated cache files")
    assert "<code>" not in first.text and "<p>" not in first.text
    assert "\n\nAs a result, the upgrade may conflict" in first.text


def test_an_atom_blog_first_entry() -> None:
    items = ours("personal_blog.atom")
    first = items[0]
    assert len(items) == 3
    assert first.title == "Notes From a Week Without Notifications"
    assert first.url == "https://quietmargins.example.net/2024/03/11/no-notifications"  # the alternate link
    assert first.external_id == "tag:quietmargins.example.net,2024:/2024/03/11/no-notifications/101"
    assert first.author == "Noor Haddad"
    assert first.created_at == datetime(2024, 3, 11, 19, 4, 51, tzinfo=UTC)
    assert first.community == "Quiet Margins"
    assert first.text.startswith("I turned off every notification for a week.")


def test_entries_without_guid_use_their_link() -> None:
    items = ours("link_digest.rss.xml")
    assert len(items) == 4
    assert all(i.external_id == i.url for i in items)
    assert items[0].external_id == "https://btree.example.dev/post/tiny"


def test_local_ids_are_prefixed_with_the_feed_url() -> None:
    # Reddit's Atom ids are bare "t3_..." and Ghost's guids bare hex: unique only within their feed.
    post = new_posts(1, subreddit="rust")[0]["data"]
    reddit = parse_feed(atom_feed("rust", [post]).encode(), feed_url=FEED_URL)
    assert reddit[0].external_id == f"{FEED_URL}#{post['name']}"
    ghost = ours("ghost_blog.rss.xml")
    assert ghost[0].external_id == f"{FEED_URL}#64c9f0a2b1e3d40001a7c512"


def test_conformance_recorded_feeds_keep_their_known_first_items() -> None:
    folder = shared_path("fixtures", "rss")
    arch = parse_feed((folder / "archlinux_news.rss.xml").read_bytes(), feed_url=FEED_URL)
    assert (len(arch), arch[0].author) == (10, "George Hu")
    assert arch[0].external_id.startswith("tag:archlinux.org,2025-11-06:/news/")
    assert "<p>" not in arch[0].text and "\n\n" in arch[0].text
    fireball = parse_feed((folder / "DaringFireball.atom").read_bytes(), feed_url=FEED_URL)
    assert (len(fireball), fireball[0].author, fireball[0].community) == (48, "John Gruber", "Daring Fireball")
    hn = parse_feed((folder / "hackernews_official_rss.xml").read_bytes(), feed_url=FEED_URL)
    assert len(hn) == 30 and all(i.external_id == i.url for i in hn)
    reddit = parse_feed((folder / "reddit_r_rust_rss.atom.xml").read_bytes(), feed_url=FEED_URL)
    assert reddit[0].external_id == f"{FEED_URL}#t3_glvkc5"
    ghost = parse_feed((folder / "cloudflare_blog.rss.xml").read_bytes(), feed_url=FEED_URL)
    assert ghost[0].external_id == f"{FEED_URL}#6166e7e065133e02a961145d"


def _rss(items: str, *, title: str = "Test feed", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}<rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://site.example/</link>{items}</channel></rss>"
    ).encode()


def test_relative_links_resolve_against_the_feed_url() -> None:
    data = _rss(
        "<item><title>Rel</title><link>/posts/1</link><guid isPermaLink='false'>post-1</guid></item>"
        "<item><title>Rel2</title><link>2.html</link></item>"
    )
    items = parse_feed(data, feed_url="https://blog.example/feed/rss.xml")
    assert [i.url for i in items] == ["https://blog.example/posts/1", "https://blog.example/feed/2.html"]
    # A relative guid is left as the feed wrote it (only prefixed), so it stays the same whatever the base.
    assert items[0].external_id == "https://blog.example/feed/rss.xml#post-1"
    assert items[1].external_id == "https://blog.example/feed/2.html"


def test_html_descriptions_become_text_and_entries_without_address_are_skipped() -> None:
    data = _rss(
        "<item><title>A &amp;amp; B</title><link>https://x.example/1</link>"
        "<description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;"
        "&lt;p&gt;Second &amp;amp; last&lt;/p&gt;</description><author>me@x.example (Me)</author></item>"
        "<item><title>No address</title><guid isPermaLink='false'>abc</guid></item>"
        "<item><title>Guid only</title><guid>https://x.example/3</guid></item>"
    )
    items = parse_feed(data, feed_url=FEED_URL)
    assert [i.title for i in items] == ["A & B", "Guid only"]
    assert items[0].text == "Hello world\n\nSecond & last"
    assert items[0].created_at is None
    assert items[1].url == "https://x.example/3"


def test_untitled_entries_take_their_text() -> None:
    data = _rss("<item><link>https://x.example/1</link><description>Just a toot about things</description></item>")
    assert parse_feed(data, feed_url=FEED_URL)[0].title == "Just a toot about things"


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"this is not xml at all", None, "not well-formed XML"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": []}', "application/json", "not well-formed XML"),
        (b"<html><head><title>Hi</title></head><body><p>x</p></body></html>", None, "no RSS or Atom elements"),
        (b"<html><body>Login</body></html>", "text/html; charset=utf-8", "the server sent an HTML page"),
        (b"", None, "no RSS or Atom elements"),
    ],
)
def test_garbage_is_a_clear_feed_error(body: bytes, content_type: str | None, reason: str) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(body, feed_url="https://x/feed", content_type=content_type)
    message = str(info.value)
    assert message.startswith("https://x/feed is not an RSS or Atom feed: ")
    assert reason in message
    assert message.endswith("check the URL opens a feed in a browser")


def test_a_valid_empty_feed_is_no_error() -> None:
    assert parse_feed(_rss(""), feed_url=FEED_URL) == []


def test_a_broken_feed_with_entries_is_accepted() -> None:
    data = b'<rss version="2.0"><channel><title>T</title><item><title>ok & broken</title>'
    data += b"<link>https://x.example/1</link></item><item><title>unclosed"
    items = parse_feed(data, feed_url=FEED_URL)
    assert items[0].url == "https://x.example/1"


def test_billion_laughs_entities_are_not_expanded() -> None:
    items_xml = "".join(
        f"<item><title>t{n} &lol9;</title><link>https://x.example/{n}</link>"
        f"<description>{'&lol9;' * 2000}</description></item>"
        for n in range(3)
    )
    data = _rss(items_xml, prolog=billion_laughs_doctype())
    items = parse_feed(data, feed_url=FEED_URL)
    assert [i.url for i in items] == [f"https://x.example/{n}" for n in range(3)]
    assert all(len(i.text) < 100_000 for i in items)
    assert "lollol" not in items[0].title + items[0].text


def test_feedparser_alone_expands_a_big_entity() -> None:
    # Why strip_doctype exists: feedparser keeps a plain entity and expands every reference (here 100 x 1 kB).
    data = _rss(
        f"<item><title>big</title><link>https://x.example/1</link><description>{'&big;' * 100}</description></item>",
        prolog=big_entity_doctype(1000),
    )
    assert len(feedparser.parse(data).entries[0].summary) == 100_000
    assert "xxxxxxxxxx" not in parse_feed(data, feed_url=FEED_URL)[0].text


def test_one_big_entity_referenced_many_times_is_not_expanded() -> None:
    # 20,000 references to 100 kB: 2 GB if expanded.
    data = _rss(
        f"<item><title>big</title><link>https://x.example/1</link><description>{'&big;' * 20_000}</description></item>",
        prolog=big_entity_doctype(100_000),
    )
    items = parse_feed(data, feed_url=FEED_URL)
    assert len(items) == 1
    assert "xxxxxxxxxx" not in items[0].text


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://x/rss-0.91.dtd">',
        b"<!doctype rss [<!ENTITY a 'b'>]>",
        b'<!DOCTYPE rss [\n  <!ENTITY a "]">\n  <!ENTITY b "c">\n]>',
        b"<!DOCTYPE rss [<!ENTITY a 'never closed'",
    ],
)
def test_strip_doctype_leaves_no_doctype(doctype: bytes) -> None:
    stripped = strip_doctype(b'<?xml version="1.0"?>\n' + doctype + b"\n<rss/>")
    assert b"doctype" not in stripped.lower()
    assert stripped.startswith(b'<?xml version="1.0"?>\n')
