"""Refusing addresses that are not public: at connect time, for every spelling and every redirect hop."""

from __future__ import annotations

import asyncio

import pytest

from earshot.adapters.http import FetchPolicy, FetchRefused, SafeHttp
from tests.fakes.http_server import FakeHttpServer, Reply

# A refused address must fail at once; a long timeout makes a wrongly attempted connection hang the test instead.
SLOW = FetchPolicy(timeout=30, deadline=60)


async def refused(http: SafeHttp, url: str) -> FetchRefused:
    async with asyncio.timeout(5):
        with pytest.raises(FetchRefused) as caught:
            await http.get(url)
    return caught.value


async def test_an_allowed_address_is_fetched_with_the_user_agent(server: FakeHttpServer) -> None:
    server.route("GET", "/feed", lambda req: Reply(200, "hello"))
    async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as http:
        response = await http.get(server.url("/feed"))
    assert (response.status, response.content) == (200, b"hello")
    (request,) = server.hits("/feed")
    assert request.headers["user-agent"] == FetchPolicy().user_agent
    assert request.headers["accept-encoding"] == "gzip, deflate"


async def test_loopback_is_refused_without_an_allowlist(server: FakeHttpServer) -> None:
    async with SafeHttp(SLOW) as http:
        error = await refused(http, server.url("/feed"))
    assert "127.0.0.1 is a private address" in str(error)
    assert "allow_private" in str(error)
    assert server.requests == []


async def test_cloud_metadata_is_refused_before_connecting() -> None:
    async with SafeHttp(SLOW) as http:
        error = await refused(http, "http://169.254.169.254/latest/meta-data/")
    assert str(error).startswith("refused to fetch http://169.254.169.254/latest/meta-data/: 169.254.169.254")


@pytest.mark.parametrize(
    "host",
    ["localhost", "127.1", "2130706433", "0x7f000001", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "0.0.0.0"],
)
async def test_odd_spellings_of_loopback_are_refused(server: FakeHttpServer, host: str) -> None:
    async with SafeHttp(SLOW) as http:
        await refused(http, f"http://{host}:{server.port}/feed")
    assert server.requests == []


async def test_a_redirect_to_an_address_not_allowed_is_refused(
    server: FakeHttpServer, other_server: FakeHttpServer
) -> None:
    server.route("GET", "/go", lambda req: Reply(302, "", {"Location": other_server.url("/inside")}))
    other_server.route("GET", "/inside", lambda req: Reply(200, "secret"))
    async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as http:
        error = await refused(http, server.url("/go"))
    assert "127.0.0.2 is a private address" in str(error)
    assert error.url == other_server.url("/inside")
    assert len(server.hits("/go")) == 1
    assert other_server.requests == []


async def test_a_network_allowlist_allows_every_hop_inside_it(
    server: FakeHttpServer, other_server: FakeHttpServer
) -> None:
    server.route("GET", "/go", lambda req: Reply(302, "", {"Location": other_server.url("/inside")}))
    other_server.route("GET", "/inside", lambda req: Reply(200, "ok"))
    async with SafeHttp(FetchPolicy(allow_private=("127.0.0.0/8",))) as http:
        response = await http.get(server.url("/go"))
    assert (response.status, response.content, response.url) == (200, b"ok", other_server.url("/inside"))
    assert len(other_server.hits("/inside")) == 1


async def test_a_hostname_allowlist_allows_that_name_only(server: FakeHttpServer) -> None:
    server.route("GET", "/feed", lambda req: Reply(200, "named"))
    async with SafeHttp(FetchPolicy(allow_private=("localhost",), timeout=30, deadline=60)) as http:
        response = await http.get(f"http://LOCALHOST:{server.port}/feed")
        assert response.content == b"named"
        await refused(http, server.url("/feed"))  # the same server by address is not the allowed name
    assert len(server.hits("/feed")) == 1


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/pub/x", "gopher://127.0.0.1:70/"])
async def test_schemes_other_than_http_are_refused(url: str) -> None:
    async with SafeHttp(SLOW) as http:
        error = await refused(http, url)
    assert "must start with http:// or https://" in str(error)


async def test_a_redirect_to_a_file_url_is_refused(server: FakeHttpServer) -> None:
    server.route("GET", "/go", lambda req: Reply(302, "", {"Location": "file:///etc/passwd"}))
    async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as http:
        error = await refused(http, server.url("/go"))
    assert "only http and https" in str(error)


async def test_refusal_messages_hide_credentials_and_query() -> None:
    async with SafeHttp(SLOW) as http:
        error = await refused(http, "http://admin:hunter2@169.254.169.254/latest?token=secret")
    assert "hunter2" not in str(error)
    assert "admin" not in str(error)
    assert "secret" not in str(error)
    assert error.url == "http://169.254.169.254/latest"
