"""Plain-text titles and texts stay as written: only what a feed marks (or feedparser finds to be) HTML is read as
HTML, so "Vector<T>" keeps its "<T>" and topic queries still find the words."""

from __future__ import annotations

import pytest

from earshot.adapters.sources.reddit.parse import parse_rss
from earshot.adapters.sources.rss.source import parse_feed

FEED_URL = "https://feeds.example.com/feed"


def rss(title: str, description: str = "Text", channel_title: str = "Blog") -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{channel_title}</title>'
        f"<link>https://x.example/</link><item><title>{title}</title><link>https://x.example/1</link>"
        f"<description>{description}</description></item></channel></rss>"
    ).encode()


def atom(entry: str, feed_title: str = "<title>Blog</title>") -> bytes:
    return (
        f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{feed_title}'
        f'<entry><id>tag:x.example,2026:1</id><link href="https://x.example/1"/>{entry}</entry></feed>'
    ).encode()


def test_an_rss_title_with_escaped_angle_brackets_keeps_them() -> None:
    [item] = parse_feed(rss("Vector&lt;T&gt; vs Box&lt;dyn Trait&gt;"), feed_url=FEED_URL)
    assert item.title == "Vector<T> vs Box<dyn Trait>"


@pytest.mark.parametrize("kind", [' type="text"', ""])
def test_an_atom_text_title_keeps_its_angle_brackets(kind: str) -> None:
    [item] = parse_feed(atom(f"<title{kind}>Using &lt;template&gt; and &lt;slot&gt;</title>"), feed_url=FEED_URL)
    assert item.title == "Using <template> and <slot>"


def test_a_plain_title_is_one_line_with_single_spaces() -> None:
    [item] = parse_feed(atom('<title type="text">  a &lt;b&gt;\n\n   c  </title>'), feed_url=FEED_URL)
    assert item.title == "a <b> c"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ('<title type="html">Using &amp;lt;template&amp;gt; &lt;b&gt;now&lt;/b&gt;</title>', "Using <template> now"),
        (
            '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>bold</b> move</div></title>',
            "A bold move",
        ),
    ],
)
def test_an_atom_html_title_is_still_read_as_html(title: str, expected: str) -> None:
    [item] = parse_feed(atom(title), feed_url=FEED_URL)
    assert item.title == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("A &amp;amp; B", "A & B"),  # escaped twice: feedparser finds it is HTML
        ("It&amp;#39;s &lt;b&gt;here&lt;/b&gt;", "It's here"),
        ("<![CDATA[Tips &amp; <i>tricks</i>]]>", "Tips & tricks"),
    ],
)
def test_an_rss_title_holding_html_is_still_read_as_html(title: str, expected: str) -> None:
    [item] = parse_feed(rss(title), feed_url=FEED_URL)
    assert item.title == expected


def test_plain_summaries_and_contents_keep_their_angle_brackets() -> None:
    summary = atom('<title>t</title><summary type="text">Use Option&lt;T&gt; here</summary>')
    assert parse_feed(summary, feed_url=FEED_URL)[0].text == "Use Option<T> here"
    content = atom('<title>t</title><content type="text">Use Result&lt;T, E&gt; there</content>')
    assert parse_feed(content, feed_url=FEED_URL)[0].text == "Use Result<T, E> there"


def test_the_feed_title_keeps_its_angle_brackets_too() -> None:
    [item] = parse_feed(rss("t", channel_title="News about &lt;canvas&gt;"), feed_url=FEED_URL)
    assert item.community == "News about <canvas>"
    [entry] = parse_feed(atom("<title>t</title>", "<title>All about &lt;dialog&gt;</title>"), feed_url=FEED_URL)
    assert entry.community == "All about <dialog>"


def test_reddit_rss_titles_keep_their_angle_brackets() -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>r/rust</title>'
        b"<entry><id>t3_abc</id><title>Vector&lt;T&gt; vs Box&lt;dyn Trait&gt;</title>"
        b'<link href="https://www.reddit.com/r/rust/comments/abc/t/"/></entry>'
        b"<entry><id>t1_def</id><title>/u/someone on Vector&lt;T&gt; vs Box&lt;dyn Trait&gt;</title>"
        b'<link href="https://www.reddit.com/r/rust/comments/abc/t/def/"/></entry></feed>'
    )
    (post, _), (comment, _) = parse_rss(data)
    assert post.title == "Vector<T> vs Box<dyn Trait>"
    assert comment.title == "Re: Vector<T> vs Box<dyn Trait>"
