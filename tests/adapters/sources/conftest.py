"""A fake server on 127.0.0.1 and a SafeHttp allowed to reach it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from earshot.adapters.http import FetchPolicy, SafeHttp
from tests.fakes.http_server import FakeHttpServer


@pytest.fixture(scope="module")
def _running_server() -> Iterator[FakeHttpServer]:
    # Stopping a server waits out its 0.5 s poll interval; one per module keeps the suite quick.
    with FakeHttpServer() as fake:
        yield fake


@pytest.fixture
def server(_running_server: FakeHttpServer) -> FakeHttpServer:
    """A fake HTTP server on 127.0.0.1, with no routes and no requests yet."""
    with _running_server._lock:
        _running_server.routes.clear()
        _running_server.requests.clear()
    return _running_server


@pytest.fixture
async def http() -> AsyncIterator[SafeHttp]:
    """The real safe HTTP client, with loopback allowed."""
    client = SafeHttp(FetchPolicy(allow_private=("127.0.0.1",), timeout=5.0, deadline=10.0))
    yield client
    await client.aclose()
