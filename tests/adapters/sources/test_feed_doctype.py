"""DOCTYPE stripping: only the prolog can hold a DOCTYPE, so "<!DOCTYPE" written as text in an item stays text,
while a DOCTYPE anywhere a parser would read one still has its entities left unexpanded."""

from __future__ import annotations

import pytest

from earshot.adapters.sources.feed_reader import strip_doctype
from earshot.adapters.sources.rss.source import parse_feed
from earshot.bot.errors import FeedError
from tests.adapters.sources.hostile import big_entity_doctype

FEED_URL = "https://feeds.example.com/feed"
GOOD = "<item><title>Good item</title><link>https://x.example/good</link></item>"
BIG = big_entity_doctype(100_000)  # 100 kB, referenced 2,000 times below: 200 MB if expanded
EXPANDED = "x" * 1000


def rss(items: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}<rss version="2.0"><channel><title>T</title>'
        f"<link>https://x.example/</link>{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "cdata",
    [
        " <!DOCTYPE ",  # feedparser's own test: the old pattern ate "]]>" and the feed was refused
        "Put <!DOCTYPE html> first",
        'A DTD: <!DOCTYPE note [<!ENTITY writer "Jo">]> then &writer; in a note',
        "<!doctype html",
    ],
)
def test_a_doctype_written_in_plain_text_cdata_stays_text(cdata: str) -> None:
    entry = (
        f'<entry><title>Doctypes</title><summary type="text"><![CDATA[{cdata}]]></summary>'
        '<link href="https://x.example/1"/></entry>'
    )
    data = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>{entry}</feed>'.encode()
    assert strip_doctype(data) == data
    [item] = parse_feed(data, feed_url=FEED_URL)
    assert item.text == " ".join(cdata.split())


def test_a_doctype_in_an_items_cdata_loses_neither_that_item_nor_the_next() -> None:
    data = rss(
        "<item><title>First</title><link>https://x.example/1</link>"
        "<description><![CDATA[ <!DOCTYPE ]]></description></item>"
        "<item><title>Second</title><link>https://x.example/2</link>"
        "<description><![CDATA[<p>Start with <code>&lt;!DOCTYPE html&gt;</code>, then the rest</p>]]>"
        "</description></item>"
    )
    items = parse_feed(data, feed_url=FEED_URL)
    assert [i.title for i in items] == ["First", "Second"]
    assert items[1].text == "Start with <!DOCTYPE html>, then the rest"


def test_a_doctype_in_a_comment_between_items_changes_nothing() -> None:
    data = rss(f"{GOOD}<!-- <!DOCTYPE rss [ <!ENTITY a 'b'> ]> -->" + GOOD.replace("good", "two"))
    assert strip_doctype(data) == data
    assert [i.url for i in parse_feed(data, feed_url=FEED_URL)] == ["https://x.example/good", "https://x.example/two"]


@pytest.mark.parametrize(
    "prolog",
    [
        BIG,
        f"<!-- a comment first -->\n<?xml-stylesheet href='s.xsl'?>\n{BIG}",
        BIG.replace("<!DOCTYPE", "<!doctype"),
        f"<!--\n{BIG}-->\n",  # feedparser reads declarations inside a prolog comment too
        f"junk before it {BIG}",  # not well-formed, so the forgiving parser gets it
        f"<ñ/>{BIG}",  # feedparser's prolog runs to the first "<" and ASCII word character
        f"<!DOC{BIG}TYPE rss [\n<!ENTITY big 'x'>\n]>",  # removing the inner one must not make a new one
    ],
)
def test_a_doctype_wherever_a_parser_reads_one_expands_nothing(prolog: str) -> None:
    item = f"<item><title>t</title><link>https://x.example/1</link><description>{'&big;' * 2000}</description></item>"
    try:
        items = parse_feed(rss(item, prolog), feed_url=FEED_URL)
    except FeedError:
        return
    assert all(EXPANDED not in i.text and EXPANDED not in i.title for i in items)


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_a_doctype_in_a_utf16_or_utf32_feed_expands_nothing(codec: str) -> None:
    # The keyword is not ASCII bytes there: stripping works on the body decoded as feedparser decodes it.
    item = f"<item><title>t</title><link>https://x.example/1</link><description>{'&big;' * 200}</description></item>"
    data = rss(item, BIG).decode().replace('encoding="utf-8"', f'encoding="{codec}"').encode(codec)
    items = parse_feed(data, feed_url=FEED_URL)
    assert [i.url for i in items] == ["https://x.example/1"]
    assert EXPANDED not in items[0].text


def test_the_prolog_keeps_its_declaration_comments_and_instructions() -> None:
    prolog = b"<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<?xml-stylesheet href='s.xsl'?>\n"
    doctype = b'<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "http://x/rss-0.91.dtd" [<!ENTITY a "]>">]>'
    assert strip_doctype(prolog + doctype + b"\n<rss/>") == prolog + b"\n<rss/>"
