"""A Bluesky app-password session: created once, reused, refreshed when its access token expires.

Logins are rate limited (about 30 per 5 minutes), so the session lives as long as the process and a poll
never logs in again while a refresh token still works.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from earshot.adapters.http import HttpResponse, SafeHttp, load_json
from earshot.adapters.sources.api import as_int, as_str
from earshot.adapters.sources.limits import api_message, json_object, raise_for_api
from earshot.bot.errors import FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

HANDLE_ENV = "BLUESKY_HANDLE"
PASSWORD_ENV = "BLUESKY_APP_PASSWORD"  # noqa: S105  # a variable name, not a secret
DENIED = (
    f"check {HANDLE_ENV} (like alice.bsky.social) and {PASSWORD_ENV} "
    "(an app password from Settings > Privacy and security > App passwords, not the account password)"
)
# Refresh this long before the access token's own expiry.
RENEW_BEFORE = timedelta(minutes=1)
EXPIRED = ("ExpiredToken", "InvalidToken")


@dataclass(frozen=True)
class Login:
    """A handle and app password from the environment; None when either is unset."""

    handle: str
    password: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Login | None:
        """Both variables set and not blank, or None (the source then searches anonymously)."""
        handle = env.get(HANDLE_ENV, "").strip().lstrip("@")
        password = env.get(PASSWORD_ENV, "").strip()
        return cls(handle, password) if handle and password else None

    def __repr__(self) -> str:
        return f"Login(handle={self.handle!r}, password=***)"


@dataclass(frozen=True)
class _Tokens:
    access: str
    refresh: str
    expires: datetime | None


def is_expired(response: HttpResponse) -> bool:
    """Whether an XRPC answer says the access token expired (400 or 401 with ExpiredToken)."""
    return response.status in (400, 401) and api_message(response).split(":")[0] in EXPIRED


class Sessions:
    """One session per service URL, created on first use and refreshed, not re-created, when it expires."""

    def __init__(self, http: SafeHttp, clock: Clock, login: Login) -> None:
        self._http = http
        self._clock = clock
        self._login = login
        self._tokens: dict[str, _Tokens] = {}
        self._lock = asyncio.Lock()  # feeds polled at once share one login, not one each
        self.created = 0  # logins made, for the logs and the tests
        self.refreshed = 0

    async def access(self, service: str) -> str:
        """An access token for ``service``: the session's, refreshed first when it is about to expire."""
        async with self._lock:
            tokens = self._tokens.get(service)
            if tokens is None:
                tokens = await self._create(service)
            elif tokens.expires is not None and self._clock() >= tokens.expires - RENEW_BEFORE:
                tokens = await self._refresh(service, tokens)
            return tokens.access

    async def expired(self, service: str, access: str) -> str:
        """The server said ``access`` expired: refresh the session (log in again only if that fails)."""
        async with self._lock:
            tokens = self._tokens.get(service)
            if tokens is not None and tokens.access != access:
                return tokens.access  # another feed refreshed it meanwhile
            return (await self._refresh(service, tokens) if tokens else await self._create(service)).access

    async def _create(self, service: str) -> _Tokens:
        body = json.dumps({"identifier": self._login.handle, "password": self._login.password}).encode()
        response = await self._http.post(
            f"{service}/xrpc/com.atproto.server.createSession",
            content=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if response.status == 400 or response.status == 401:
            detail = api_message(response)
            raise FeedError(
                f"Bluesky refused the login (HTTP {response.status}{f', {detail}' if detail else ''}): {DENIED}"
            )
        raise_for_api(response, "Bluesky", denied=DENIED, now=self._clock())
        self.created += 1
        log.info("Bluesky: logged in as %s", self._login.handle)
        return self._keep(service, response)

    async def _refresh(self, service: str, tokens: _Tokens) -> _Tokens:
        response = await self._http.post(
            f"{service}/xrpc/com.atproto.server.refreshSession",
            content=b"",
            headers={"Authorization": f"Bearer {tokens.refresh}", "Accept": "application/json"},
        )
        if response.status in (400, 401):
            # The refresh token expired or was revoked: one new login.
            self._tokens.pop(service, None)
            return await self._create(service)
        raise_for_api(response, "Bluesky", denied=DENIED, now=self._clock())
        self.refreshed += 1
        return self._keep(service, response)

    def _keep(self, service: str, response: HttpResponse) -> _Tokens:
        body = json_object(response, "Bluesky", "a session")
        access = as_str(body.get("accessJwt")) if isinstance(body, dict) else ""
        refresh = as_str(body.get("refreshJwt")) if isinstance(body, dict) else ""
        if not access or not refresh:
            raise FeedError("Bluesky answered the login with something that is not a session (no accessJwt)")
        tokens = _Tokens(access, refresh, jwt_expiry(access))
        self._tokens[service] = tokens
        return tokens


def jwt_expiry(token: str) -> datetime | None:
    """The ``exp`` of a JWT, read without checking its signature (only to know when to refresh); None if absent."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = load_json(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return None
    exp = as_int(payload.get("exp")) if isinstance(payload, dict) else None
    if exp is None:
        return None
    try:
        return datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError):
        return None
