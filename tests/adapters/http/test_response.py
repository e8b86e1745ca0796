"""Responses, Retry-After, and the static URL check used by configuration."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import formatdate

import httpx
import pytest

from earshot.adapters.http import FetchError, HttpResponse, check_url, parse_retry_after

NOW = datetime(2015, 10, 21, 7, 26, 0, tzinfo=UTC)


def response(status: int, content: bytes = b"", **headers: str) -> HttpResponse:
    return HttpResponse(
        status=status,
        url="https://user:pw@feeds.example/feed?token=secret",
        headers=httpx.Headers({k.replace("_", "-"): v for k, v in headers.items()}),
        content=content,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 120.0),
        ("Wed, 21 Oct 2015 07:20:00 GMT", 0.0),  # already past
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("Wed, 99 Foo 2015", None),
        # A server naming a year (or a date in 9999) is waited for a day at most, not until someone notices.
        ("31536000", 86_400.0),
        ("9" * 400, 86_400.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 86_400.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize("status", [200, 201, 204, 299, 304])
def test_success_and_not_modified_pass(status: int) -> None:
    response(status).raise_for_status()


def test_429_carries_retry_after_seconds() -> None:
    with pytest.raises(FetchError) as caught:
        response(429, retry_after="120").raise_for_status()
    assert caught.value.status == 429
    assert caught.value.retry_after == 120
    assert "HTTP 429 Too Many Requests from https://feeds.example/feed" in str(caught.value)


def test_503_carries_retry_after_from_an_http_date() -> None:
    later = datetime.now(UTC).timestamp() + 3600
    with pytest.raises(FetchError) as caught:
        response(503, retry_after=formatdate(later, usegmt=True)).raise_for_status()
    assert caught.value.status == 503
    assert caught.value.retry_after is not None
    assert 3500 < caught.value.retry_after <= 3600


def test_500_names_the_status_and_hides_secrets() -> None:
    with pytest.raises(FetchError) as caught:
        response(500).raise_for_status()
    message = str(caught.value)
    assert message == "HTTP 500 Internal Server Error from https://feeds.example/feed"
    assert caught.value.retry_after is None
    assert caught.value.url == "https://feeds.example/feed"


def test_an_unusual_status_still_fails() -> None:
    with pytest.raises(FetchError, match="HTTP 599 from"):
        response(599).raise_for_status()


def test_json_parses_and_bad_json_is_a_fetch_error() -> None:
    assert response(200, b'{"a": [1]}').json() == {"a": [1]}
    with pytest.raises(FetchError, match=r"from https://feeds\.example/feed is not valid JSON") as caught:
        response(200, b"<html>").json()
    assert "secret" not in str(caught.value)


def test_text_uses_the_declared_charset() -> None:
    assert response(200, "café".encode("latin-1"), content_type="text/plain; charset=ISO-8859-1").text() == "café"
    assert response(200, "café".encode()).text() == "café"
    assert response(200, b"\xff", content_type="text/plain; charset=nonsense").text() == "\ufffd"


@pytest.mark.parametrize("url", ["http://example.com/feed", "https://user:pw@example.com:8443/x?y=1", "HTTPS://A.B"])
def test_check_url_accepts_http_and_https(url: str) -> None:
    assert check_url(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("ftp://example.com/x", "must start with http:// or https://"),
        ("example.com/feed", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("http:///feed", "has no host"),
        ("https://", "has no host"),
        ("http://example.com:99999/", "not a valid URL"),
        ("http://exa mple.com/", "spaces"),
    ],
)
def test_check_url_explains_what_is_wrong(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_url(url)
