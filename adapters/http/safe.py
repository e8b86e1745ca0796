"""The one way Earshot makes outbound HTTP requests: address-checked, size-capped and time-boxed."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from earshot.adapters.http.addresses import Allowlist, host_problem
from earshot.adapters.http.errors import FetchError, FetchRefused, InvalidUrl, redact_url
from earshot.adapters.http.response import HttpResponse
from earshot.adapters.http.transport import SCHEMES, GuardedTransport

_MB = 1024 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for outbound requests, and the private hosts an operator trusts (``[fetch]`` in earshot.toml)."""

    allow_private: tuple[str, ...] = ()
    timeout: float = 10.0
    deadline: float = 30.0
    max_bytes: int = 5 * _MB
    max_redirects: int = 5
    user_agent: str = "Earshot/0.1 (+https://github.com/earshot-bot/earshot)"

    def __post_init__(self) -> None:
        Allowlist.parse(self.allow_private)  # a bad CIDR should stop the start, not the first fetch
        for name in ("timeout", "deadline", "max_bytes"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be more than 0, not {getattr(self, name)!r}")
        if self.max_redirects < 0:
            raise ValueError(f"max_redirects must be 0 or more, not {self.max_redirects!r}")


def check_url(url: str) -> str:
    """Validate a configured URL (http or https, with a usable host); return it unchanged or raise InvalidUrl."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL" for http://[::1, a port out of range, NFKC tricks
        raise InvalidUrl(f"is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise InvalidUrl("must start with http:// or https://")
    if not parts.hostname:
        raise InvalidUrl("has no host")
    if port == 0:
        raise InvalidUrl("has port 0")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidUrl("contains spaces or control characters")
    try:
        parsed = httpx.URL(url)
        _ = parsed.host  # decodes punycode labels: xn--.com fails here, as it would building the request
    except (httpx.InvalidURL, ValueError) as exc:
        raise InvalidUrl(f"is not a valid URL ({exc})") from None
    problem = host_problem(parsed.raw_host.decode("ascii"))
    if problem:
        raise InvalidUrl(f"has an invalid host name ({problem})")
    return url


class SafeHttp:
    """An HTTP client for untrusted URLs; one per process, its connections pooled and reused."""

    def __init__(self, policy: FetchPolicy = FetchPolicy()) -> None:
        self._policy = policy
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(Allowlist.parse(policy.allow_private)),
            # A proxy from the environment would make the connection for us, past the address check.
            trust_env=False,
            follow_redirects=True,  # each hop opens its connection through the guarded backend
            max_redirects=policy.max_redirects,
            timeout=httpx.Timeout(policy.timeout),
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    async def get(
        self, url: str, *, headers: Mapping[str, str] | None = None, params: Mapping[str, str | int] | None = None
    ) -> HttpResponse:
        """GET ``url``."""
        return await self.request("GET", url, headers=headers, params=params)

    async def post(self, url: str, *, content: bytes, headers: Mapping[str, str] | None = None) -> HttpResponse:
        """POST ``content`` to ``url``."""
        return await self.request("POST", url, headers=headers, content=content)

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str | int] | None = None,
        content: bytes | None = None,
    ) -> HttpResponse:
        """Send a request, following redirects, and read the whole body; transport failures raise FetchError."""
        shown = redact_url(url)
        try:
            check_url(url)
        except InvalidUrl as exc:
            if url.partition(":")[0].strip().lower() not in SCHEMES:  # urlsplit may refuse the URL itself
                raise FetchRefused(f"refused to fetch {shown}: the URL {exc}", url=shown) from None
            raise FetchError(f"cannot fetch {shown}: the URL {exc}", url=shown) from None
        if params:
            # httpx would replace a query already in the URL; keep it and add to it
            url = str(httpx.URL(url).copy_merge_params(params))
        policy = self._policy
        deadline = asyncio.timeout(policy.deadline)
        try:
            async with (
                deadline,
                self._client.stream(method, url, headers=headers, content=content) as response,
            ):
                body = await self._read_body(response)
        except TimeoutError:
            if not deadline.expired():
                raise
            raise FetchError(f"{shown} took longer than the {policy.deadline:g} s deadline", url=shown) from None
        except httpx.HTTPError as exc:
            raise _transport_error(exc, shown, policy) from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"cannot fetch {shown}: {exc}", url=shown) from None
        except ValueError as exc:  # httpx and idna on a redirect's Location (http://xn--.com/): never checked above
            raise FetchError(f"cannot fetch {shown}: a redirect led to an invalid URL ({exc})", url=shown) from None
        return HttpResponse(status=response.status_code, url=str(response.url), headers=response.headers, content=body)

    async def _read_body(self, response: httpx.Response) -> bytes:
        """The decompressed body, abandoned as soon as it passes the cap (a gzip bomb is small on the wire)."""
        cap = self._policy.max_bytes
        shown = redact_url(response.url)
        too_big = FetchError(f"the response body from {shown} exceeds the {_size(cap)} cap", url=shown)
        declared = response.headers.get("content-length", "")
        # HEAD, 204 and 304 may declare the length of a body they do not send
        has_body = response.request.method != "HEAD" and response.status_code not in (204, 304)
        if has_body and declared.isdigit() and int(declared) > cap:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        # httpx inflates one network read (at most 64 KiB) at a time: a bomb costs at most one inflated chunk
        # (tens of MB at deflate's ratio) in memory before this stops it.
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._client.aclose()

    async def __aenter__(self) -> SafeHttp:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _transport_error(exc: httpx.HTTPError, shown: str, policy: FetchPolicy) -> FetchError:
    """A FetchError for an httpx failure, naming the hop that failed (a redirect target, perhaps)."""
    try:
        hop = redact_url(exc.request.url)
    except RuntimeError:  # an error raised before the request existed
        hop = shown
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(f"timed out after {policy.timeout:g} s waiting for {hop}", url=hop)
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError(f"too many redirects (more than {policy.max_redirects}) from {shown}", url=shown)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchRefused(f"refused to fetch {hop}: only http and https URLs are fetched", url=hop)
    if isinstance(exc, httpx.ConnectError):
        return FetchError(f"cannot connect to {hop}: {exc}", url=hop)
    if isinstance(exc, httpx.DecodingError):
        return FetchError(f"cannot decode the response body from {hop}: {exc}", url=hop)
    return FetchError(f"cannot fetch {hop}: {str(exc) or type(exc).__name__}", url=hop)


def _size(n: int) -> str:
    """A byte count as people say it: 5 MB, 512 KB, 100 bytes."""
    if n >= _MB:
        return f"{n / _MB:g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"
