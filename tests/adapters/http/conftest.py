"""Local servers for the safe HTTP tests: the shared fake on 127.0.0.1, a second one on 127.0.0.2, a closed port."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.fakes.http_server import FakeHttpServer


@pytest.fixture
def server() -> Iterator[FakeHttpServer]:
    """A fake HTTP server on 127.0.0.1."""
    with FakeHttpServer() as fake:
        yield fake


@pytest.fixture
def other_server() -> Iterator[FakeHttpServer]:
    """A fake HTTP server on 127.0.0.2, a different loopback address."""
    with FakeHttpServer(host="127.0.0.2") as fake:
        yield fake


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
