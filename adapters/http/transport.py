"""The httpx transport that checks, at connect time, every address Earshot is about to connect to.

Checking a URL's host before the request is not enough: DNS can answer differently a moment later (rebinding),
and redirects lead elsewhere. So the check lives in the httpcore network backend, the one place that turns a
host into a socket: it resolves the host itself, drops addresses the policy refuses and connects to an IP
literal it has judged. Every new connection, including each redirect hop's, passes through it. TLS still
verifies and sends SNI for the hostname, because httpcore passes that separately to ``start_tls``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from ipaddress import ip_address

import httpcore
import httpx

from earshot.adapters.http.addresses import Allowlist, IPAddress, host_problem
from earshot.adapters.http.errors import FetchError, FetchRefused, redact_url

SCHEMES = ("http", "https")


class _AddressRefused(Exception):
    """Every address the host resolved to is refused; raised inside httpcore, turned into FetchRefused."""

    def __init__(self, address: IPAddress) -> None:
        super().__init__(str(address))
        self.address = address


class _Unresolvable(Exception):
    """The host has no address; raised inside httpcore, turned into FetchError with the URL."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(host)
        self.host = host
        self.reason = reason


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that only connects to addresses ``allow`` permits."""

    def __init__(self, allow: Allowlist) -> None:
        self._allow = allow
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve ``host``, keep the permitted addresses, and connect to the first that answers."""
        addresses = await _resolve(host, port, timeout)
        permitted = [ip for ip in addresses if self._allow.permits(host, ip)]
        if not permitted:
            raise _AddressRefused(addresses[0])
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        # A dual-stack host may have an unreachable family; try each permitted address (the deadline bounds this).
        for ip in permitted:
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                failure = httpcore.ConnectError(_connect_reason(exc, ip, port))
            except httpcore.ConnectTimeout as exc:
                failure = exc
        assert failure is not None  # permitted is not empty
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse: no Earshot request goes to a local socket."""
        raise httpcore.ConnectError("connecting to a Unix socket is not allowed")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the wrapped backend does."""
        await self._inner.sleep(seconds)


async def _resolve(host: str, port: int, within: float | None) -> list[IPAddress]:
    """The addresses of ``host`` in resolver order, without repeats; odd spellings (127.1, 0x7f000001) become IPs."""
    loop = asyncio.get_running_loop()
    problem = host_problem(host)
    if problem:  # getaddrinfo would raise UnicodeError from its idna codec, which httpcore does not wrap
        raise _Unresolvable(host, f"not a valid host name: {problem}")
    try:
        async with asyncio.timeout(within):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
    except socket.gaierror as exc:
        raise _Unresolvable(host, exc.strerror or str(exc)) from None
    addresses: list[IPAddress] = []
    for family, *_, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ip_address(sockaddr[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise _Unresolvable(host, "no IPv4 or IPv6 address")
    return addresses


def _connect_reason(exc: httpcore.ConnectError, ip: IPAddress, port: int) -> str:
    """A readable connect failure: anyio says "All connection attempts failed" and keeps the OS error as cause."""
    cause: BaseException | None = exc
    while cause is not None and not (isinstance(cause, OSError) and cause.errno is not None):
        cause = cause.__cause__ or cause.__context__
    where = f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
    if isinstance(cause, ConnectionRefusedError):
        return f"connection refused by {where}"
    if isinstance(cause, OSError):
        return f"{where}: {cause.strerror or cause}"
    return f"{where}: {exc}"


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the connection pool rebuilt on :class:`GuardedBackend`, refusing non-http(s) URLs."""

    def __init__(self, allow: Allowlist) -> None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
        super().__init__(trust_env=False, limits=limits)
        # httpx has no public way to choose the network backend, so replace the pool it built with one that
        # connects through the guard. The CA bundle may come from SSL_CERT_FILE: the environment may choose
        # whom to trust for TLS, never where to connect.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allow),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request (one redirect hop), turning a refused or unresolvable address into a FetchError."""
        shown = redact_url(request.url)
        if request.url.scheme not in SCHEMES:
            raise FetchRefused(f"refused to fetch {shown}: only http and https URLs are fetched", url=shown)
        port = request.url.port
        if port is not None and not 0 < port < 65536:  # httpx takes any number; the socket would overflow
            raise FetchError(f"cannot fetch {shown}: port {port} is out of range (1-65535)", url=shown)
        try:
            return await super().handle_async_request(request)
        except _AddressRefused as exc:
            raise FetchRefused(
                f"refused to fetch {shown}: {exc.address} is a private address; "
                "add it to [fetch] allow_private in earshot.toml if you trust it",
                url=shown,
            ) from None
        except _Unresolvable as exc:
            raise FetchError(f"cannot resolve host {exc.host} ({exc.reason}) for {shown}", url=shown) from None
