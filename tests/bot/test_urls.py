"""canonical_url: one spelling per place, so the same link seen twice is recognised."""

from __future__ import annotations

import pytest

from earshot.bot.urls import canonical_url, web_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/post", "https://example.com/post"),
        ("HTTPS://Example.COM/Post", "https://example.com/Post"),  # the path keeps its case
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),  # not the default for http
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com?b=1", "https://example.com/?b=1"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?a=2&a=1", "https://example.com/a?a=1&a=2"),
        (
            "https://example.com/a?utm_source=hn&id=5&UTM_Campaign=x&fbclid=abc&gclid=def#top",
            "https://example.com/a?id=5",
        ),
        ("https://example.com/a?utm_source=x", "https://example.com/a"),
        ("https://example.com/a?q=hello+world", "https://example.com/a?q=hello+world"),
        ("https://example.com/a?q=hello%20world", "https://example.com/a?q=hello+world"),
        ("https://example.com/a?flag=", "https://example.com/a?flag="),
        ("https://news.ycombinator.com/item?id=123", "https://news.ycombinator.com/item?id=123"),
        ("https://User:Pw@Example.com/a", "https://User:Pw@example.com/a"),
        ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("", ""),
        ("not a url", "not a url"),
        ("/relative/path", "/relative/path"),
        ("https://example.com:99999/a", "https://example.com:99999/a"),  # malformed port: left as written
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    url = "HTTP://Example.com:80/a?z=1&utm_medium=x&a=%2B#f"
    once = canonical_url(url)
    assert canonical_url(once) == once


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",  # an IPv6 literal never closed
        "https://[v1.x]/",  # IPvFuture
        "http://a]b[/",
        "http://h.com:99999/",  # a port out of range
        "http://a..b/",  # an empty label
        "http://" + "a" * 64 + ".com/",  # a label over 63
        "javascript:alert(1)",
        "https://",
        "http://" + "x" * 3000,
        "",
        None,
    ],
)
def test_a_malformed_or_non_web_url_is_no_link(url: str | None) -> None:
    assert web_url(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://e.com/a|b>c<d e", "https://e.com/a%7Cb%3Ec%3Cd%20e"),
        ("http://bücher.de/ü?q=1&r=2#f", "http://xn--bcher-kva.de/%C3%BC?q=1&r=2#f"),
        ("http://user:pw@h.com:8080/x", "http://h.com:8080/x"),  # no user part to dress a link as another host
        ("HTTP://Example.com/100%", "http://example.com/100%25"),
        ("http://[::1]:80/a", "http://[::1]:80/a"),
    ],
)
def test_a_web_url_is_shown_encoded_where_it_would_be_markup(url: str, expected: str) -> None:
    assert web_url(url) == expected
