"""Fetching: methods, returned statuses, and the transport failures that become FetchError."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import pytest

from earshot.adapters.http import FetchError, FetchPolicy, SafeHttp
from tests.adapters.http.servers import raw_server
from tests.fakes.http_server import FakeHttpServer, Reply

LOCAL = ("127.0.0.1",)
MB = 1024 * 1024


def local(**limits: Any) -> SafeHttp:
    return SafeHttp(FetchPolicy(allow_private=LOCAL, **limits))


async def test_error_statuses_are_returned_not_raised(server: FakeHttpServer) -> None:
    server.route("GET", "/gone", lambda req: Reply(410, "gone"))
    server.route("GET", "/same", lambda req: Reply(304, "", {"Content-Length": str(6 * MB)}))
    async with local() as http:
        assert (await http.get(server.url("/gone"))).status == 410
        not_modified = await http.get(server.url("/same"))
    assert not_modified.status == 304
    not_modified.raise_for_status()


async def test_get_sends_params_and_headers(server: FakeHttpServer) -> None:
    server.route("GET", "/search", lambda req: Reply(200, '{"hits": []}', {"Content-Type": "application/json"}))
    async with local() as http:
        response = await http.get(server.url("/search?a=1"), params={"q": "earshot", "n": 5}, headers={"X-Test": "y"})
    assert response.json() == {"hits": []}
    (request,) = server.hits("/search")
    assert request.query == {"a": ["1"], "q": ["earshot"], "n": ["5"]}
    assert request.headers["x-test"] == "y"


async def test_post_sends_the_body(server: FakeHttpServer) -> None:
    server.route("POST", "/hook", lambda req: Reply(200, req.body))
    async with local() as http:
        response = await http.post(server.url("/hook"), content=b'{"text": "hi"}', headers={"Content-Type": "x/y"})
    assert response.content == b'{"text": "hi"}'
    assert server.hits("/hook")[0].headers["content-type"] == "x/y"


async def test_one_connection_serves_several_requests() -> None:
    connections = 0

    async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            await reader.readuntil(b"\r\n\r\n")

    async with raw_server(keep_alive) as base, local() as http:
        for _ in range(3):
            assert (await http.get(base + "/a")).content == b"ok"
    assert connections == 1


async def test_a_gzip_body_is_decompressed(server: FakeHttpServer) -> None:
    server.route("GET", "/z", lambda req: Reply(200, gzip.compress(b"small"), {"Content-Encoding": "gzip"}))
    async with local() as http:
        assert (await http.get(server.url("/z"))).content == b"small"


async def test_a_refused_connection_is_a_clear_error(closed_port: int) -> None:
    async with local() as http:
        with pytest.raises(FetchError) as caught:
            await http.get(f"http://user:hunter2@127.0.0.1:{closed_port}/feed?token=secret")
    message = str(caught.value)
    assert (
        message
        == f"cannot connect to http://127.0.0.1:{closed_port}/feed: connection refused by 127.0.0.1:{closed_port}"
    )
    assert caught.value.status is None


async def test_an_unknown_host_is_a_clear_error() -> None:
    async with SafeHttp() as http:
        with pytest.raises(FetchError, match=r"cannot resolve host no-such-host\.invalid") as caught:
            await http.get("https://no-such-host.invalid/feed?token=secret")
    assert "secret" not in str(caught.value)


async def test_too_many_redirects(server: FakeHttpServer) -> None:
    server.route("GET", "/loop", lambda req: Reply(302, "", {"Location": "/loop"}))
    async with local(max_redirects=2) as http:
        with pytest.raises(FetchError, match=r"too many redirects \(more than 2\)"):
            await http.get(server.url("/loop"))
    assert len(server.hits("/loop")) == 3


async def test_a_body_over_the_cap_is_refused_from_its_content_length(server: FakeHttpServer) -> None:
    server.route("GET", "/big", lambda req: Reply(200, b"x" * (6 * MB)))
    async with local() as http:
        with pytest.raises(FetchError, match=r"exceeds the 5 MB cap"):
            await http.get(server.url("/big"))


async def test_a_streamed_body_stops_at_the_cap() -> None:
    sent = 0

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
        for _ in range(50):
            writer.write(b"x" * MB)
            await writer.drain()
            sent += MB

    async with raw_server(endless) as base, local() as http:
        with pytest.raises(FetchError, match=r"exceeds the 5 MB cap"):
            await http.get(base + "/big")
    assert sent < 50 * MB


async def test_a_gzip_bomb_stops_at_the_cap(server: FakeHttpServer) -> None:
    bomb = gzip.compress(b"\0" * 50 * MB, compresslevel=9)
    assert len(bomb) < 100_000
    server.route("GET", "/bomb", lambda req: Reply(200, bomb, {"Content-Encoding": "gzip"}))
    async with local() as http:
        with pytest.raises(FetchError, match=r"exceeds the 5 MB cap"):
            await http.get(server.url("/bomb"))


async def test_a_silent_server_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up

    async with raw_server(silent) as base, local(timeout=0.2, deadline=10) as http:
        with pytest.raises(FetchError, match=r"^timed out after 0\.2 s waiting for http://127\.0\.0\.1:\d+/slow$"):
            await http.get(base + "/slow")


async def test_a_dripping_server_hits_the_deadline() -> None:
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(100_000):
            writer.write(b"x")  # each byte arrives well within the read timeout
            await writer.drain()
            await asyncio.sleep(0.02)

    async with raw_server(drip) as base, local(timeout=2, deadline=0.3) as http:
        with pytest.raises(FetchError, match=r"took longer than the 0\.3 s deadline"):
            await http.get(base + "/drip?token=secret")


async def test_the_default_limits_read_as_people_say_them() -> None:
    policy = FetchPolicy()
    assert (policy.timeout, policy.deadline, policy.max_bytes, policy.max_redirects) == (10.0, 30.0, 5 * MB, 5)


async def test_a_url_without_a_host_is_a_fetch_error() -> None:
    async with SafeHttp() as http:
        with pytest.raises(FetchError, match=r"the URL has no host") as caught:
            await http.get("http:///feed")
    assert type(caught.value) is FetchError
