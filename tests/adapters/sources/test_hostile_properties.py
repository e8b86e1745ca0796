"""Hostile feeds, generated: entity expansion of any width and depth, and feeds near the size cap, are parsed
in bounded memory, expand nothing, and keep every item's text within the stored limit.

Memory is measured with tracemalloc around the parse (the parser's own allocations, not the process's).
"""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earshot.adapters.sources.rss.source import parse_feed
from earshot.bot.errors import FeedError

MB = 1024 * 1024
# Generous for a parser working on a few MB; the attacks below would need gigabytes if expanded.
MEMORY_BOUND = 64 * MB


def entity_bomb(width: int, depth: int, referenced: int) -> bytes:
    """Nested entities: each level refers to the one below ``width`` times; the title refers to the top."""
    entities = ['<!ENTITY e0 "lol lol lol lol lol lol lol lol">']
    for level in range(1, depth + 1):
        entities.append(f'<!ENTITY e{level} "{f"&e{level - 1};" * width}">')
    top = f"&e{depth};"
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{chr(10).join(entities)}\n]>\n'
        '<rss version="2.0"><channel><title>Bomb</title><link>http://example.com/</link>'
        f"<item><title>{top * referenced}</title><link>http://example.com/a</link>"
        f"<description>{top}</description><guid>a</guid></item></channel></rss>"
    ).encode()


def peak_while(work: object) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = work() if callable(work) else None
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@given(width=st.integers(2, 30), depth=st.integers(1, 12), referenced=st.integers(1, 50))
@settings(max_examples=25, deadline=None)
def test_entity_expansion_of_any_shape_is_not_expanded(width: int, depth: int, referenced: int) -> None:
    data = entity_bomb(width, depth, referenced)

    def parse() -> object:
        try:
            return parse_feed(data, feed_url="http://example.com/feed.xml")
        except FeedError as exc:
            return exc

    result, peak = peak_while(parse)
    assert peak < MEMORY_BOUND
    if isinstance(result, list):
        for item in result:
            assert "lol lol" not in item.title and "lol lol" not in item.text
            assert len(item.title) < 10_000


@pytest.mark.parametrize("items", [1, 500])
def test_a_feed_near_the_size_cap_is_parsed_in_bounded_memory(items: int) -> None:
    body = "word " * ((4 * MB // items) // 5)
    parts = [
        f"<item><title>Item {i}</title><link>http://example.com/{i}</link>"
        f"<description>{body}</description><guid>g{i}</guid></item>"
        for i in range(items)
    ]
    data = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>http://example.com/</link>'
        + "".join(parts)
        + "</channel></rss>"
    ).encode()
    assert 3 * MB < len(data) < 5 * MB  # under the default 5 MB body cap, so the parser must cope
    result, peak = peak_while(lambda: parse_feed(data, feed_url="http://example.com/feed.xml"))
    assert isinstance(result, list) and len(result) == items
    assert peak < 20 * len(data)  # a small multiple of the input, whatever the item count
