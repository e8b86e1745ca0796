"""A fake Bluesky PDS/AppView: app-password sessions (create, refresh), searchPosts and getPostThread.

Sessions are real JWT-shaped tokens whose ``exp`` follows the test clock; a test can expire an access token
early (the server then answers ``ExpiredToken``, as Bluesky does) or revoke the refresh token.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fixtures import data_path

JSON = {"Content-Type": "application/json; charset=utf-8"}
HANDLE = "earshot-test.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"  # a test value
DID = "did:plc:earshottest000000000000"
ACCESS_LIFETIME = timedelta(hours=2)


def payload(name: str) -> Any:
    """A Bluesky body we wrote in tests/data/bluesky, e.g. ``payload("searchPosts")``."""
    return json.loads(data_path("bluesky", f"{name}.json").read_text(encoding="utf-8"))


SEARCH = payload("searchPosts")  # searchPosts for "geothermal": links, an embed, a mention, a reply


def iso(when: datetime) -> str:
    """An AT Protocol datetime: ``2025-05-19T17:10:09.813Z``."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def post(n: int, at: datetime, *, text: str | None = None, lag: timedelta = timedelta(seconds=1)) -> dict[str, Any]:
    """Post number ``n`` in the searchPosts shape, created at ``at`` and indexed ``lag`` later."""
    out = copy.deepcopy(SEARCH["posts"][n % len(SEARCH["posts"])])
    did = out["author"]["did"]
    out["uri"] = f"at://{did}/app.bsky.feed.post/3lzz{n:09d}"
    out["record"]["createdAt"] = iso(at)
    out["indexedAt"] = iso(at + lag)
    if text is not None:
        out["record"]["text"] = text
        out["record"].pop("facets", None)
    return out


def jwt(payload: dict[str, Any]) -> str:
    """An unsigned JWT-shaped token (the source reads only ``exp``)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.c2lnbmF0dXJl"


class FakeBluesky:
    """A service on a FakeHttpServer; ``posts`` is the search index, ``threads`` maps a uri to its thread view."""

    def __init__(self, server: FakeHttpServer, clock: Callable[[], datetime]) -> None:
        self.server = server
        self.clock = clock
        self.posts: list[dict[str, Any]] = []
        self.threads: dict[str, dict[str, Any]] = {}
        self.logins = 0
        self.refreshes = 0
        self.valid_access: set[str] = set()
        self.valid_refresh: set[str] = set()
        self.anonymous_search = True
        self.rate_headers: dict[str, str] = {}
        server.route("POST", "/xrpc/com.atproto.server.createSession", self._create)
        server.route("POST", "/xrpc/com.atproto.server.refreshSession", self._refresh)
        server.route("GET", "/xrpc/app.bsky.feed.searchPosts", self._search)
        server.route("GET", "/xrpc/app.bsky.feed.getPostThread", self._thread)

    @property
    def url(self) -> str:
        """The service URL."""
        return self.server.url("").rstrip("/")

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expired, before its ``exp``."""
        self.valid_access.clear()

    def revoke_refresh_tokens(self) -> None:
        """Make every refresh token issued so far unusable."""
        self.valid_refresh.clear()

    def _session(self) -> Reply:
        n = self.logins + self.refreshes
        now = self.clock()
        access = jwt(
            {
                "scope": "com.atproto.appPass",
                "sub": DID,
                "iat": int(now.timestamp()),
                "n": n,
                "exp": int((now + ACCESS_LIFETIME).timestamp()),
            }
        )
        refresh = jwt(
            {"scope": "com.atproto.refresh", "sub": DID, "n": n, "exp": int((now + timedelta(days=60)).timestamp())}
        )
        self.valid_access.add(access)
        self.valid_refresh.add(refresh)
        body = {"did": DID, "handle": HANDLE, "accessJwt": access, "refreshJwt": refresh, "active": True}
        return Reply(200, json.dumps(body), JSON)

    def _create(self, request: Request) -> Reply:
        body = json.loads(request.body or b"{}")
        if body.get("identifier") != HANDLE or body.get("password") != APP_PASSWORD:
            error = {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
            return Reply(401, json.dumps(error), JSON)
        self.logins += 1
        return self._session()

    def _refresh(self, request: Request) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.valid_refresh:
            return Reply(400, json.dumps({"error": "ExpiredToken", "message": "Token has been revoked"}), JSON)
        self.valid_refresh.discard(token)
        self.refreshes += 1
        return self._session()

    def _denied(self, request: Request) -> Reply | None:
        header = request.headers.get("authorization")
        if header is None:
            if self.anonymous_search or not request.path.endswith("searchPosts"):
                return None
            return Reply(403, json.dumps({"error": "Forbidden", "message": "Search requires auth"}), JSON)
        if header.removeprefix("Bearer ") not in self.valid_access:
            return Reply(400, json.dumps({"error": "ExpiredToken", "message": "Token has expired"}), JSON)
        return None

    def _search(self, request: Request) -> Reply:
        denied = self._denied(request)
        if denied:
            return denied
        words = (request.param("q") or "").lower().split()
        since = request.param("since")
        limit = int(request.param("limit", "25") or 25)
        offset = int(request.param("cursor", "0") or 0)
        key = lambda p: min(p.get("record", {}).get("createdAt", p["indexedAt"]), p["indexedAt"])  # noqa: E731
        found = sorted(
            (p for p in self.posts if all(w in p.get("record", {}).get("text", w).lower() for w in words)),
            key=key,
            reverse=True,
        )
        if since:
            found = [p for p in found if key(p) >= since]
        page = found[offset : offset + limit]
        body: dict[str, Any] = {"posts": page}
        if offset + limit < len(found):
            body["cursor"] = str(offset + limit)
        return Reply(200, json.dumps(body), {**JSON, **self.rate_headers})

    def _thread(self, request: Request) -> Reply:
        denied = self._denied(request)
        if denied:
            return denied
        uri = request.param("uri") or ""
        if uri not in self.threads:
            return Reply(400, json.dumps({"error": "NotFound", "message": f"Post not found: {uri}"}), JSON)
        return Reply(200, json.dumps({"thread": self.threads[uri]}), JSON)


def thread_view(item: dict[str, Any], replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A ``threadViewPost`` around a post view, as getPostThread answers."""
    return {"$type": "app.bsky.feed.defs#threadViewPost", "post": item, "replies": replies or [], "threadContext": {}}


def not_found(uri: str) -> dict[str, Any]:
    """A deleted reply in a thread."""
    return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}


def blocked(uri: str, did: str) -> dict[str, Any]:
    """A reply by someone who blocks us, or whom we block."""
    return {
        "$type": "app.bsky.feed.defs#blockedPost",
        "uri": uri,
        "blocked": True,
        "author": {"did": did, "viewer": {"blockedBy": True}},
    }
