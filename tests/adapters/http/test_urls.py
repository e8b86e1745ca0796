"""Malformed URLs meet the safe HTTP client's own errors: check_url raises InvalidUrl (a ValueError, as its callers
expect) and SafeHttp raises FetchError, never a bare ValueError or UnicodeError from urllib, ipaddress, idna or the
socket's codec, whether the URL is asked for or a redirect leads to it.

No name is looked up for real and nothing is connected to but the test's own server: every test that fetches runs
on an event loop whose ``getaddrinfo`` (the one call the guard makes to turn a host into addresses) encodes the
host as the real call does and answers 127.0.0.1, which the policy allows only for the host name ``localhost``,
the name the test's server is reached by; any other host is refused before a connection is tried.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earshot.adapters.http import FetchError, FetchPolicy, HttpResponse, InvalidUrl, SafeHttp, check_url
from tests.fakes.http_server import FakeHttpServer, Reply

T = TypeVar("T")
LOCAL = FetchPolicy(allow_private=("localhost",), timeout=2, deadline=4, max_redirects=2)

ODD_URLS = [
    "http://[::1",
    "http://[",
    "http://[:::]",
    "http://[v1.x]",
    "http://user@[::1",
    "http://a]b",
    "http://[::1]x",
    "http://[::1]:99999",
    "HTTP://[::ffff:127.0.0.1",
    "http://a:b:c",
    "http://a.example:80:80",
    "http://:80",
    "http://%zz",
    "http://\x00",
    "http://a\x00b.example",
    "http://exa mple.com",
    "http://" + "a" * 300 + ".example",
    "http://" + "a" * 64 + ".example",
    "http://" + "a." * 130 + "example",
    "http://xn--.com",
    "http://xn--zz.com",
    "http://a..b",
    "http://.example",
    "http://a.example:99999",
    "http://a.example:-1",
    "http://a.example:0",
    "http://\u2100.com",
    "http://\udcff.example",
    "https://\uff0e\uff0e/",
    "http://\u3002",
    "http://256.1.1.1",
    "http:///path",
    "http:",
    "",
    "[::1]",
    "ftp://[::1",
    "http://a.example/\x7f",
    "http://@",
    "http://a.example#[",
]


def on_loopback(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` on a fresh event loop whose getaddrinfo answers 127.0.0.1 for every host."""
    loop = asyncio.new_event_loop()

    async def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        host.encode("idna")  # the real call's first step, which raises UnicodeError for a..b
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    loop.getaddrinfo = getaddrinfo  # type: ignore[method-assign]
    try:
        return loop.run_until_complete(work())
    finally:
        loop.close()


@contextmanager
def serving() -> Iterator[tuple[FakeHttpServer, str]]:
    """A fake HTTP server on 127.0.0.1 and its base URL by the one name the policy lets through."""
    with FakeHttpServer() as server:
        yield server, f"http://localhost:{server.port}"


def checked(url: str) -> str | InvalidUrl:
    """check_url's answer: the URL, or the InvalidUrl it raised; any other exception fails the test."""
    try:
        return check_url(url)
    except InvalidUrl as refused:
        assert str(refused) and type(refused) is InvalidUrl
        return refused


def fetched(url: str) -> HttpResponse | FetchError:
    """SafeHttp.get's answer on loopback: the response, or the FetchError it raised; nothing else may escape."""

    async def get() -> HttpResponse | FetchError:
        async with SafeHttp(LOCAL) as http:
            try:
                return await http.get(url)
            except FetchError as failed:
                return failed

    return on_loopback(get)


def test_a_malformed_bracketed_host_is_the_clients_own_error() -> None:
    refused = checked("http://[::1")
    assert isinstance(refused, InvalidUrl) and isinstance(refused, ValueError)
    assert str(refused) == "is not a valid URL (Invalid IPv6 URL)"
    failed = fetched("http://[::1")
    assert type(failed) is FetchError
    assert str(failed) == "cannot fetch (an invalid URL): the URL is not a valid URL (Invalid IPv6 URL)"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://xn--.com", "is not a valid URL (Malformed A-label"),
        ("http://a..b", "has an invalid host name (an empty label, as in a..b)"),
        ("http://" + "a" * 64 + ".example", "has an invalid host name (a label longer than 63 characters)"),
        ("http://" + "a." * 130 + "example", "has an invalid host name (longer than 253 characters)"),
    ],
)
def test_a_host_no_lookup_could_find_is_refused_when_checked(url: str, reason: str) -> None:
    refused = checked(url)
    assert isinstance(refused, InvalidUrl) and str(refused).startswith(reason)


@pytest.mark.parametrize("url", ODD_URLS)
def test_an_odd_url_is_accepted_or_refused_by_check_url_with_invalid_url(url: str) -> None:
    checked(url)


@pytest.mark.parametrize("url", ODD_URLS)
def test_an_odd_url_is_fetched_or_fails_with_fetch_error(url: str) -> None:
    fetched(url)


@pytest.mark.parametrize("location", [url for url in ODD_URLS if "\x00" not in url and url.isprintable()])
def test_a_redirect_to_an_odd_url_fails_with_fetch_error(location: str) -> None:
    with serving() as (server, base):
        server.route("GET", "/moved", lambda _: Reply(302, "", {"Location": location}))
        got = fetched(f"{base}/moved")
    if "://" in location:  # an absolute URL that is odd; the others are paths on the server (404) or not followed
        assert isinstance(got, FetchError), got


def test_a_redirect_to_a_host_with_an_empty_label_is_a_fetch_error_naming_the_host() -> None:
    with serving() as (server, base):
        server.route("GET", "/moved", lambda _: Reply(302, "", {"Location": "http://a..b/feed"}))
        got = fetched(f"{base}/moved")
    assert isinstance(got, FetchError)
    assert (
        str(got) == "cannot resolve host a..b (not a valid host name: an empty label, as in a..b) for http://a..b/feed"
    )


HOST_CHARS = "ab0.-_:[]@%xn\\/ ?#\x00\u00df\u3002\uff0e\u2100"
hosts = st.one_of(
    st.text(HOST_CHARS, max_size=20),
    st.text(max_size=12),
    st.sampled_from(["xn--", "xn--zz", "[::1", "[::1]", "[:::]", "a" * 64, "a." * 127 + "a", "127.0.0.1"]),
)
ports = st.one_of(st.just(""), st.integers(-1, 100_000).map(lambda p: f":{p}"), st.text(":0123456789x", max_size=6))
urls = st.one_of(
    st.builds(
        lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
        st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "http:", "", "http:///"]),
        hosts,
        ports,
        st.sampled_from(["", "/", "/feed?x=[", "/%zz", "#[", "/\u00e9"]),
    ),
    st.text(max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(urls)
def test_any_url_is_accepted_or_refused_by_check_url_with_invalid_url(url: str) -> None:
    checked(url)


@settings(max_examples=50, deadline=None)  # each builds a client and its TLS context: about 70 ms
@given(urls)
def test_any_url_is_fetched_or_fails_with_fetch_error(url: str) -> None:
    fetched(url)
