"""A fake Mastodon instance: hashtag timelines, v2 search, statuses and their context, with Link pagination.

Paging follows Mastodon: newest first; ``max_id`` and ``since_id`` bound the page from above and below;
``min_id`` returns the statuses immediately after it. Each page carries ``Link: <...max_id=...>; rel="next",
<...min_id=...>; rel="prev"`` as Mastodon sends it.

Statuses are ours in Mastodon's shape (tests/data/mastodon), re-numbered as a test needs.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fixtures import data_path

JSON = {"Content-Type": "application/json; charset=utf-8"}
TOKEN = "mastodon-test-token"  # a test value
BASE_ID = 117020582251615632


def payload(name: str) -> Any:
    """A Mastodon body we wrote in tests/data/mastodon, e.g. ``payload("status_context")``."""
    return json.loads(data_path("mastodon", f"{name}.json").read_text(encoding="utf-8"))


TEMPLATES: list[dict[str, Any]] = payload("timeline_tag")


def status(n: int, base_url: str, **changes: Any) -> dict[str, Any]:
    """Status number ``n`` (ids grow with n) in Mastodon's shape, addressed on ``base_url``."""
    out = copy.deepcopy(TEMPLATES[n % len(TEMPLATES)])
    status_id = str(BASE_ID + n)
    acct = out["account"]["acct"]
    out.update(
        id=status_id,
        uri=f"{base_url}/users/{acct}/statuses/{status_id}",
        url=f"{base_url}/@{acct}/{status_id}",
        content=f'<p>Toot number {n}! <a href="{base_url}/tags/rust" class="mention hashtag" '
        f'rel="tag">#<span>rust</span></a></p>',
    )
    out.update(changes)
    return out


class FakeMastodon:
    """One instance on a FakeHttpServer; ``statuses`` (any order) are what the tag timeline and search hold."""

    def __init__(self, server: FakeHttpServer, tag: str = "rust") -> None:
        self.server = server
        self.statuses: list[dict[str, Any]] = []
        self.require_token = False
        self.rate_headers: dict[str, str] = {}
        server.route("GET", f"/api/v1/timelines/tag/{tag}", self._timeline)
        server.route("GET", "/api/v2/search", self._search)

    @property
    def url(self) -> str:
        """The instance's base URL."""
        return self.server.url("").rstrip("/")

    def serve_status(self, item: dict[str, Any], descendants: list[dict[str, Any]]) -> None:
        """Answer ``/api/v1/statuses/<id>`` and its ``/context``."""
        path = f"/api/v1/statuses/{item['id']}"
        self.server.route("GET", path, lambda request: Reply(200, json.dumps(item), JSON))
        context = {"ancestors": [], "descendants": descendants}
        self.server.route("GET", f"{path}/context", lambda request: Reply(200, json.dumps(context), JSON))

    def _denied(self, request: Request) -> Reply | None:
        if request.headers.get("authorization") == f"Bearer {TOKEN}":
            return None
        if "authorization" in request.headers:
            return Reply(401, json.dumps({"error": "The access token is invalid"}), JSON)
        if self.require_token:
            return Reply(401, json.dumps({"error": "This API requires an authenticated user"}), JSON)
        return None

    def _page(self, request: Request, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
        limit = min(int(request.param("limit", "20") or 20), 40)
        key = lambda s: int(s["id"])  # noqa: E731
        ordered = sorted(items, key=key, reverse=True)
        if request.param("max_id"):
            ordered = [s for s in ordered if key(s) < int(request.param("max_id") or 0)]
        if request.param("since_id"):
            ordered = [s for s in ordered if key(s) > int(request.param("since_id") or 0)]
        if request.param("min_id"):
            after = [s for s in ordered if key(s) > int(request.param("min_id") or 0)]
            page = after[-limit:]
        else:
            page = ordered[:limit]
        headers = {**JSON, **self.rate_headers}
        if page:
            path = self.server.url(request.path)
            headers["Link"] = (
                f'<{path}?limit={limit}&max_id={page[-1]["id"]}>; rel="next", '
                f'<{path}?limit={limit}&min_id={page[0]["id"]}>; rel="prev"'
            )
        return page, headers

    def _timeline(self, request: Request) -> Reply:
        denied = self._denied(request)
        if denied:
            return denied
        page, headers = self._page(request, self.statuses)
        return Reply(200, json.dumps(page), headers)

    def _search(self, request: Request) -> Reply:
        if "authorization" not in request.headers:
            # Mastodon answers an anonymous status search with no statuses at all.
            return Reply(200, json.dumps({"accounts": [], "statuses": [], "hashtags": []}), JSON)
        denied = self._denied(request)
        if denied:
            return denied
        words = (request.param("q") or "").lower().split()
        found = [s for s in self.statuses if all(w in s["content"].lower() for w in words)]
        page, headers = self._page(request, found)
        return Reply(200, json.dumps({"accounts": [], "statuses": page, "hashtags": []}), headers)
