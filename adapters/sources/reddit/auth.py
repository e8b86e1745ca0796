"""Reddit app-only OAuth: the client-credentials token, cached and renewed before it expires; the User-Agent."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.api import as_int, as_str
from earshot.adapters.sources.limits import api_message, json_object, raise_for_api
from earshot.bot import __version__
from earshot.bot.errors import FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

CLIENT_ID_ENV = "REDDIT_CLIENT_ID"
CLIENT_SECRET_ENV = "REDDIT_CLIENT_SECRET"  # noqa: S105  # a variable name, not a secret
USER_AGENT_ENV = "REDDIT_USER_AGENT"
USERNAME_ENV = "REDDIT_USERNAME"
# Renew this long before the token's end, so no request goes out with a token about to lapse.
RENEW_BEFORE = timedelta(minutes=5)
DENIED = (
    f"check {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} (the id and secret of a Reddit app, "
    "https://www.reddit.com/prefs/apps, type 'script' or 'web')"
)


@dataclass(frozen=True)
class Credentials:
    """A Reddit app's id and secret, from the environment; None when either is unset."""

    client_id: str
    secret: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Credentials | None:
        """Both variables set and not blank, or None (the source then reads the public RSS feeds)."""
        client_id, secret = env.get(CLIENT_ID_ENV, "").strip(), env.get(CLIENT_SECRET_ENV, "").strip()
        return cls(client_id, secret) if client_id and secret else None

    def __repr__(self) -> str:
        return f"Credentials(client_id={self.client_id!r}, secret=***)"


def user_agent(env: Mapping[str, str]) -> str:
    """The User-Agent Reddit asks for: ``<platform>:<app id>:<version> (by /u/<user>)``."""
    given = env.get(USER_AGENT_ENV, "").strip()
    if given:
        return given
    user = env.get(USERNAME_ENV, "").strip().removeprefix("/u/").removeprefix("u/")
    who = f"by /u/{user}" if user else f"self-hosted; set {USERNAME_ENV} to name its operator"
    return f"python:earshot:{__version__} ({who})"


class TokenCache:
    """One app-only token per (token endpoint, client id), fetched when missing and renewed before expiry."""

    def __init__(self, http: SafeHttp, clock: Clock, agent: str) -> None:
        self._http = http
        self._clock = clock
        self._agent = agent
        self._tokens: dict[tuple[str, str], tuple[str, datetime]] = {}
        self._lock = asyncio.Lock()  # feeds polled at once share one token, not one each

    def forget(self, auth_url: str, credentials: Credentials) -> None:
        """Drop a token Reddit no longer accepts."""
        self._tokens.pop((auth_url, credentials.client_id), None)

    async def token(self, auth_url: str, credentials: Credentials) -> str:
        """A token valid for a while yet: the cached one, or a new one from ``auth_url``/api/v1/access_token."""
        async with self._lock:
            return await self._token(auth_url, credentials)

    async def _token(self, auth_url: str, credentials: Credentials) -> str:
        key = (auth_url, credentials.client_id)
        now = self._clock()
        cached = self._tokens.get(key)
        if cached is not None and now < cached[1] - RENEW_BEFORE:
            return cached[0]
        basic = base64.b64encode(f"{credentials.client_id}:{credentials.secret}".encode()).decode()
        response = await self._http.post(
            f"{auth_url}/api/v1/access_token",
            content=urlencode({"grant_type": "client_credentials"}).encode(),
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": self._agent,
                "Accept": "application/json",
            },
        )
        raise_for_api(response, "Reddit", denied=DENIED, now=now)
        body = json_object(response, "Reddit", "a token")
        token = as_str(body.get("access_token")) if isinstance(body, dict) else ""
        if not token:
            # Reddit answers a bad grant with 200 and {"error": "..."}.
            reason = api_message(response) or "no access_token in the answer"
            raise FeedError(f"Reddit gave no token ({reason}): {DENIED}")
        lifetime = as_int(body.get("expires_in")) or 3600
        self._tokens[key] = (token, now + timedelta(seconds=lifetime))
        log.debug("Reddit: new app token, valid for %d s", lifetime)
        return token
