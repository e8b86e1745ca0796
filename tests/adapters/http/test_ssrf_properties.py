"""Property tests for the SSRF guard: every address that is not public is refused, however it is spelled or
reached (DNS, redirects, DNS that changes its answer), and no connection is ever made to it.

"No connection" is counted, not inferred: a dual-stack listening socket owned by the test accepts connections
to every loopback address (127/8, ::1, ::ffff:127.x), and counts them. For private addresses that do not route
to this machine (10/8, fc00::/7, ...), a refusal *before* connecting is shown by the error: FetchRefused, which
the guard raises instead of trying; a connection attempt would end in a connect error or a timeout instead.

Names resolve through a resolver the test controls (the event loop's ``getaddrinfo``, which is the one call the
guard makes to turn a host into addresses), so DNS can answer anything and change its mind between two lookups.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earshot.adapters.http import FetchError, FetchPolicy, FetchRefused, SafeHttp
from earshot.adapters.http.addresses import is_public_address
from tests.fakes.http_server import FakeHttpServer, Reply

T = TypeVar("T")
FAST = FetchPolicy(timeout=2, deadline=4)
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class Listener:
    """A socket that accepts and counts connections, answering nothing: dual-stack on every local address
    unless ``host`` names one."""

    def __init__(self, host: str | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET if host else socket.AF_INET6, socket.SOCK_STREAM)
        if host is None:
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        self.sock.bind((host or "::", 0))
        self.sock.listen(64)
        self.port: int = self.sock.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


Resolver = Callable[[str], list[str]]


def run(work: Callable[[], Awaitable[T]], resolver: Resolver | None = None) -> T:
    """Run ``work`` on a fresh event loop whose getaddrinfo answers from ``resolver`` (name -> addresses)."""
    loop = asyncio.new_event_loop()
    if resolver is not None:
        real = loop.getaddrinfo

        async def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                answers = []
                for address in resolver(host):
                    ip = ipaddress.ip_address(address)
                    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
                    sockaddr = (address, port, 0, 0) if ip.version == 6 else (address, port)
                    answers.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
                return answers
            return await real(host, port, *args, **kwargs)

        loop.getaddrinfo = getaddrinfo  # type: ignore[method-assign]
    try:
        return loop.run_until_complete(work())
    finally:
        loop.close()


async def fetch(url: str, policy: FetchPolicy = FAST) -> BaseException | None:
    """The error fetching ``url`` raised, or None."""
    async with SafeHttp(policy) as http:
        try:
            await http.get(url)
        except Exception as exc:
            return exc
    return None


# Networks that are not public, with how the guard must see them.
V4_PRIVATE = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
]
V6_PRIVATE = ["::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "64:ff9b:1::/48", "100::/64"]


def in_network(cidr: str) -> st.SearchStrategy[str]:
    net = ipaddress.ip_network(cidr)
    return st.integers(0, net.num_addresses - 1).map(lambda i: str(net[i]))


private_v4 = st.sampled_from(V4_PRIVATE).flatmap(in_network)
loopback_v4 = in_network("127.0.0.0/8")


def embedded(v4: str) -> st.SearchStrategy[str]:
    """IPv6 forms that reach an IPv4 address: IPv4-mapped, NAT64 (64:ff9b::/96), 6to4 (2002::/16)."""
    n = int(ipaddress.IPv4Address(v4))
    return st.sampled_from(
        [
            str(ipaddress.IPv6Address((0xFFFF << 32) | n)),
            str(ipaddress.IPv6Address((0x0064FF9B << 96) | n)),
            str(ipaddress.IPv6Address((0x2002 << 112) | (n << 80))),
        ]
    )


private_any = st.one_of(
    private_v4,
    st.sampled_from(V6_PRIVATE).flatmap(in_network),
    private_v4.flatmap(embedded),
)


def spellings(v4: str) -> list[str]:
    """Ways inet_aton (and so getaddrinfo) reads the same IPv4 address: decimal, hex, octal, short forms."""
    a, b, c, d = (int(p) for p in v4.split("."))
    n = int(ipaddress.IPv4Address(v4))
    return [
        str(n),
        hex(n),
        "0" + oct(n)[2:],
        ".".join("0" + oct(p)[2:] if p else "0" for p in (a, b, c, d)),
        ".".join(hex(p) for p in (a, b, c, d)),
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"{a}.{b}.{(c << 8) | d}",
    ]


@given(address=private_any)
@PROPERTY
def test_every_private_address_is_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@given(address=private_any)
@PROPERTY
def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(listener: Listener, address: str) -> None:
    before = listener.accepted
    error = run(lambda: fetch(f"http://inside.example:{listener.port}/"), resolver=lambda host: [address])
    assert isinstance(error, FetchRefused), error
    assert "private address" in str(error)
    assert listener.accepted == before


@given(address=private_any)
@PROPERTY
def test_a_private_address_literal_is_refused_before_connecting(listener: Listener, address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    before = listener.accepted
    error = run(lambda: fetch(f"http://{host}:{listener.port}/"))
    assert isinstance(error, FetchRefused), error
    assert listener.accepted == before


@given(spelling=loopback_v4.map(spellings).flatmap(st.sampled_from))
@PROPERTY
def test_odd_spellings_of_loopback_make_no_connection(listener: Listener, spelling: str) -> None:
    before = listener.accepted
    error = run(lambda: fetch(f"http://{spelling}:{listener.port}/"))
    assert isinstance(error, FetchError), error  # refused, or not a URL at all: never fetched
    assert listener.accepted == before


@given(address=private_any, public_first=st.booleans())
@PROPERTY
def test_a_name_with_public_and_private_answers_never_connects_to_the_private_one(
    listener: Listener, address: str, public_first: bool
) -> None:
    # 127.0.0.2 plays "the public internet" here (allowed), so that no example reaches the real one.
    allowed = FetchPolicy(allow_private=("127.0.0.2",), timeout=2, deadline=4)
    with FakeHttpServer(host="127.0.0.2") as outside:
        outside.route("GET", "/", lambda r: Reply(200, "public"))
        answers = ["127.0.0.2", address] if public_first else [address, "127.0.0.2"]
        before = listener.accepted
        # The allowed server listens on its own port; the name resolves to both, and only 127.0.0.2 is tried.
        error = run(lambda: fetch(f"http://mixed.example:{outside.port}/", allowed), resolver=lambda h: answers)
    assert error is None, error
    assert len(outside.requests) == 1
    assert listener.accepted == before


def reaches(address: str, v4: str) -> bool:
    """Whether ``address`` is ``v4`` itself or an IPv6 form that carries it (mapped, 6to4, NAT64)."""
    ip, target = ipaddress.ip_address(address), ipaddress.IPv4Address(v4)
    if isinstance(ip, ipaddress.IPv4Address):
        return ip == target
    return target in (ip.ipv4_mapped, ip.sixtofour, ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))


# The redirect's target is private and not the one address the policy below allows (127.0.0.2 plays "outside").
redirect_targets = private_any.filter(lambda a: not reaches(a, "127.0.0.2"))


@given(target=st.one_of(redirect_targets.map(lambda a: f"[{a}]" if ":" in a else a), st.just("inside.example")))
@PROPERTY
def test_a_redirect_into_private_space_is_refused_without_connecting(listener: Listener, target: str) -> None:
    allowed = FetchPolicy(allow_private=("127.0.0.2",), timeout=2, deadline=4)
    with FakeHttpServer(host="127.0.0.2") as outside:
        location = f"http://{target}:{listener.port}/latest/meta-data/"
        outside.route("GET", "/go", lambda r: Reply(302, "", {"Location": location}))
        before = listener.accepted
        error = run(lambda: fetch(outside.url("/go"), allowed), resolver=lambda host: ["127.0.0.1"])
    assert isinstance(error, FetchRefused), error
    assert len(outside.requests) == 1
    assert listener.accepted == before


def test_dns_that_changes_its_answer_between_two_lookups_is_checked_each_time() -> None:
    """Rebinding: the name first resolves to an allowed address, then to loopback; the second is refused.

    The allowed server and the test's listener share a port number on two loopback addresses, so the very same
    URL reaches one or the other depending only on what DNS says at connect time.
    """
    allowed = FetchPolicy(allow_private=("127.0.0.2",), timeout=2, deadline=4)
    answers = iter(["127.0.0.2", "127.0.0.1", "127.0.0.1"])
    lookups: list[str] = []

    def rebinding(host: str) -> list[str]:
        lookups.append(host)
        return [next(answers)]

    listener = Listener("127.0.0.1")
    with FakeHttpServer(host="127.0.0.2", port=listener.port) as outside:
        outside.route("GET", "/", lambda r: Reply(200, "first answer"))
        url = f"http://rebind.example:{listener.port}/"
        before = listener.accepted

        async def twice() -> list[BaseException | None]:
            return [await fetch(url, allowed), await fetch(url, allowed)]

        first, second = run(twice, resolver=rebinding)
    assert first is None
    assert isinstance(second, FetchRefused), second
    assert "127.0.0.1 is a private address" in str(second)
    assert lookups == ["rebind.example", "rebind.example"]
    assert len(outside.requests) == 1
    assert listener.accepted == before
    listener.close()
