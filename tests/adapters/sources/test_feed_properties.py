"""Random feeds of good items mixed with hostile fragments: the feed path returns items or refuses the feed with a
FeedError, never anything else; what it returns is storable; and good items next to a bad one come through."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earshot.adapters.sources.reddit.parse import parse_rss
from earshot.adapters.sources.rss.source import parse_feed
from earshot.bot.domain import Conversation
from earshot.bot.errors import FeedError

FEED_URL = "https://feeds.example.com/feed"
_DIGITS = st.text("0123456789", min_size=1, max_size=12) | st.just("9" * 5000) | st.just("0" * 4400 + "65")


@st.composite
def char_refs(draw: st.DrawFn) -> str:
    """A numeric character reference of any kind: valid, surrogate, out of range, forbidden, huge, escaped."""
    code = draw(
        st.sampled_from([0, 1, 8, 9, 10, 31, 38, 60, 0x7F, 0x96, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xFFFE])
        | st.sampled_from([0xFFFF, 0x1F600, 0x10FFFF, 0x110000, 2**31, 2**64])
        | st.integers(0, 0x120000)
    )
    spelled = draw(
        st.sampled_from([f"{code}", f"x{code:x}", f"X{code:X}", f"x{code:08x}"]) | _DIGITS | _DIGITS.map("x".__add__)
    )
    prefix = draw(st.sampled_from(["&#", "&amp;#", "&#38;#", "&#x26;#"]))
    return f"{prefix}{spelled}" + draw(st.sampled_from([";", ";", ""]))


def surrogate_pairs(code: int) -> str:
    code -= 0x10000
    return f"&#{0xD800 + (code >> 10)};&#{0xDC00 + (code & 0x3FF)};"


# Fragments that stay inside the element they are put in: the items around them must come through.
_CONTAINED = (
    char_refs()
    | st.integers(0x10000, 0x10FFFF).map(surrogate_pairs)
    | st.sampled_from(["&amp;", "&nbsp;", "&lol9;", "&big;", "&#;", "&", "&unknown", "<", "]]>", "&lt;b&gt;"])
    | st.sampled_from(["<![CDATA[<!DOCTYPE x [<!ENTITY a 'b'>]> &#0; &#55357;]]>", "<!-- <!DOCTYPE x> -- -->"])
    | st.sampled_from(["<![CDATA[ <!DOCTYPE ]]>", "<![CDATA[]]]]><![CDATA[>]]>", "<b>bold</b>", "<p>a<p>b"])
    | st.text(st.characters(codec="utf-8", categories=["Cc", "Cs", "Co", "Cn", "Zs"]), max_size=4)
    | st.text(max_size=8).map(lambda s: s.replace("<", "").replace("&", ""))
)
# Fragments that may break what follows them (unclosed markup, a DOCTYPE where none may be): only "no crash".
_BREAKING = st.sampled_from(
    [
        "<!DOCTYPE rss [<!ENTITY big 'xxxxxxxxxx'>]>",
        "<!DOCTYPE",
        "<![CDATA[ never closed",
        "<!-- never closed",
        "<item>",
        "</channel>",
        "<?pi",
        "<title",
        '"',
    ]
)
_BYTES = st.binary(max_size=6) | st.sampled_from([b"\xff\xfe", b"\xc3", b"\xed\xa0\xbd", b"\x00", b"\xef\xbf\xbe"])


def good_item(n: int) -> str:
    return (
        f"<item><title>Good item {n}</title><link>https://x.example/{n}</link><description>ok {n}</description></item>"
    )


def bad_item(fragments: list[str]) -> str:
    text = "".join(fragments)
    return f"<item><title>Bad {text}</title><link>https://x.example/bad</link><description>{text}</description></item>"


def feed(items: list[str], prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}<rss version="2.0"><channel><title>T</title>'
        f"<link>https://x.example/</link>{''.join(items)}</channel></rss>"
    ).encode()


def assert_storable(items: list[Conversation]) -> None:
    for conversation in items:
        for value in dataclasses.astuple(conversation):
            if isinstance(value, str):
                assert "\x00" not in value
                value.encode("utf-8")  # raises on a lone surrogate
                assert "xxxxxxxxxx" not in value  # no entity from a DOCTYPE was expanded


def parse_or_refuse(data: bytes) -> list[Conversation]:
    """parse_feed's items, or [] when it refuses the feed with a FeedError; any other exception fails the test."""
    try:
        items = parse_feed(data, feed_url=FEED_URL)
    except FeedError:
        return []
    assert_storable(items)
    try:
        reddit = [item for item, _ in parse_rss(data)]
    except FeedError:
        reddit = []
    assert_storable(reddit)
    return items


@given(
    before=st.integers(0, 3),
    after=st.integers(0, 3),
    fragments=st.lists(_CONTAINED, min_size=1, max_size=6),
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_good_items_next_to_a_bad_one_come_through(before: int, after: int, fragments: list[str]) -> None:
    goods = [good_item(n) for n in range(before + after)]
    items = parse_or_refuse(feed([*goods[:before], bad_item(fragments), *goods[before:]]))
    found = {item.url: item.title for item in items}
    for n in range(before + after):
        assert found.get(f"https://x.example/{n}") == f"Good item {n}"


@given(
    pieces=st.lists(
        st.one_of(st.integers(0, 20).map(good_item), _CONTAINED, _BREAKING).map(str.encode) | _BYTES,
        max_size=12,
    ),
    prolog=st.sampled_from(["", "<!DOCTYPE rss [<!ENTITY big 'xxxxxxxxxx'>]>\n", "<!-- <!DOCTYPE x> -->"]),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_mix_of_items_and_hostile_bytes_gives_items_or_a_feed_error(pieces: list[bytes], prolog: str) -> None:
    head, tail = feed(["\x00SPLIT\x00"], prolog).split(b"\x00SPLIT\x00")
    parse_or_refuse(head + b"".join(pieces) + tail)
