"""Character references and characters that break feedparser: one bad item never fails the feed, and nothing
unstorable (NUL, a lone surrogate) comes out of it."""

from __future__ import annotations

import codecs
import dataclasses

import pytest

from earshot.adapters.sources.feed_reader import fix_char_refs
from earshot.adapters.sources.reddit.parse import parse_rss
from earshot.adapters.sources.rss.source import parse_feed
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation
from earshot.bot.errors import FeedError

FEED_URL = "https://feeds.example.com/feed"
GOOD = "<item><title>Good item</title><link>https://x.example/good</link><description>fine</description></item>"
LONG = "9" * 5000

# Every kind of numeric reference no character has, or that Python's chr()/int() refuse.
BAD_REFS = [
    "&#xD83D;",  # a lone high surrogate
    "&#56832;",  # a lone low surrogate
    "&#55357;&#55357;",  # two high ones
    "&#1114112;",  # one past U+10FFFF
    "&#x110000;",
    "&#99999999999999999999999999999;",  # OverflowError in chr()
    f"&#{LONG};",  # ValueError in int(): more than 4,300 digits
    f"&#x{'F' * 5000};",
    "&#0;",  # XML forbids these even as references
    "&#x1;",
    "&#31;",
    "&#xFFFE;",
]


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test feed</title>'
        f"<link>https://x.example/</link>{''.join(items)}</channel></rss>"
    ).encode()


def item(title: str = "Title", description: str = "Text", n: int = 1) -> str:
    return (
        f"<item><title>{title}</title><link>https://x.example/{n}</link><description>{description}</description></item>"
    )


def assert_storable(items: list[Conversation]) -> None:
    """No string of any item holds NUL or a lone surrogate: storage (SQLite, PostgreSQL) refuses both."""
    for conversation in items:
        for value in dataclasses.astuple(conversation):
            if isinstance(value, str):
                assert "\x00" not in value
                value.encode("utf-8")  # raises on a lone surrogate


@pytest.mark.parametrize("pair", ["&#55357;&#56832;", "&#xD83D;&#xDE00;", "&#xd83d;&#56832;"])
def test_an_emoji_written_as_surrogate_references_becomes_the_emoji(pair: str) -> None:
    items = parse_feed(rss(item(f"Launch {pair} day", f"We shipped {pair}")), feed_url=FEED_URL)
    assert items[0].title == "Launch \U0001f600 day"
    assert items[0].text == "We shipped \U0001f600"


@pytest.mark.parametrize("ref", BAD_REFS)
@pytest.mark.parametrize("where", ["title", "description", "cdata", "escaped"])
def test_an_impossible_character_reference_becomes_a_replacement_character_and_the_feed_still_reads(
    ref: str, where: str
) -> None:
    bad = {
        "title": item(f"Bad {ref} title"),
        "description": item(description=f"Bad {ref} text"),
        "cdata": item(description=f"<![CDATA[<p>Bad {ref} text</p>]]>"),
        "escaped": item(description=f"&lt;p&gt;Bad {ref.replace('&', '&amp;')} text&lt;/p&gt;"),
    }[where]
    items = parse_feed(rss(GOOD, bad, GOOD.replace("good", "good2")), feed_url=FEED_URL)
    assert [i.url for i in items] == ["https://x.example/good", "https://x.example/1", "https://x.example/good2"]
    shown = items[1].title if where == "title" else items[1].text
    assert shown.startswith("Bad ") and "\ufffd" in shown
    assert_storable(items)


def test_a_reference_with_thousands_of_leading_zeros_is_still_its_character() -> None:
    items = parse_feed(rss(item(f"A&#{'0' * 5000}66;C")), feed_url=FEED_URL)
    assert items[0].title == "ABC"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-8-sig"])
def test_references_are_fixed_in_a_feed_of_any_encoding(codec: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE}
    body = rss(GOOD, item("Emoji &#55357;&#56832; and &#xD83D; alone")).decode()
    data = bom.get(codec, b"") + body.replace('encoding="utf-8"', f'encoding="{codec[:6]}"').encode(codec)
    items = parse_feed(data, feed_url=FEED_URL)
    assert [i.title for i in items] == ["Good item", "Emoji \U0001f600 and \ufffd alone"]


def test_nul_and_control_characters_written_out_are_dropped() -> None:
    items = parse_feed(rss(GOOD, item("A\x00B\x01C\x0bD", "one\x00two\x1fthree")), feed_url=FEED_URL)
    assert [(i.title, i.text) for i in items][1] == ("ABCD", "onetwothree")
    assert_storable(items)


@pytest.mark.parametrize(
    "declaration",
    [
        # Decoders that can make lone surrogates out of bytes, which feedparser then fails to encode.
        '<?xml version="1.0" encoding="utf-7"?>',
        '<?xml version="1.0" encoding="unicode_escape"?>',
        '<?xml version="1.0" encoding="raw_unicode_escape"?>',
    ],
)
def test_an_encoding_that_yields_lone_surrogates_is_refused_cleanly(declaration: str) -> None:
    data = declaration.encode() + rss(item("half +2D0- an emoji \\ud83d")).split(b"?>", 1)[1]
    try:
        items = parse_feed(data, feed_url=FEED_URL)
    except FeedError as e:
        assert str(e).startswith(f"{FEED_URL} could not be read: the feed parser failed on it (")
    else:
        assert_storable(items)


def test_reddit_rss_reads_the_same_references() -> None:
    data = (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>r/x</title>'
        "<entry><id>t3_abc</id><title>Ship it &#55357;&#56832; &#1114112;</title><author><name>/u/me</name></author>"
        '<link href="https://www.reddit.com/r/x/comments/abc/t/"/><content type="html">&lt;p&gt;Body &amp;#0; '
        f"&amp;#{LONG};&lt;/p&gt;</content></entry></feed>"
    ).encode()
    [(conversation, name)] = parse_rss(data)
    assert name == "t3_abc"
    assert conversation.title == "Ship it \U0001f600 \ufffd"
    assert conversation.text == "Body \ufffd \ufffd"


@pytest.mark.parametrize("ref", [*BAD_REFS, "&#55357;&#56832;"])
def test_html_to_text_turns_any_reference_into_storable_text(ref: str) -> None:
    text = html_to_text(f"<p>a {ref} b</p>")
    assert text.startswith("a ") and text.endswith(" b")
    assert "\x00" not in text
    text.encode("utf-8")


def test_valid_references_are_left_as_they_are() -> None:
    data = b"<t>&#60;&#x3C;&#38;&#169;&#x1F600;&#10;&#amp; &#12345 &amp;amp;#0;</t>"
    assert fix_char_refs(data) == data
