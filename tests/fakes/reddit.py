"""A fake Reddit: the app-only token endpoint, OAuth listings (new, comments, search, thread) and the public RSS.

Listings are served from the children a test gives (see tests/fakes/reddit_shapes.py), newest first, paged with
``limit`` and ``after`` as Reddit pages them. Requests without a token the fake issued get Reddit's 401.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.http_server import FakeHttpServer, Reply, Request

JSON = {"Content-Type": "application/json; charset=UTF-8"}
ATOM = {"Content-Type": "application/atom+xml; charset=UTF-8"}
CLIENT_ID = "earshot-test-app"
SECRET = "s3cret-value"  # a test value


def listing(items: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
    """A Listing in Reddit's shape."""
    return {
        "kind": "Listing",
        "data": {"modhash": None, "dist": len(items), "children": items, "after": after, "before": None},
    }


class FakeReddit:
    """Serves one subreddit's ``new`` and ``comments``, searches, threads, and the public ``.rss`` of ``new``."""

    def __init__(self, server: FakeHttpServer, subreddit: str = "AskReddit") -> None:
        self.server = server
        self.subreddit = subreddit
        self.posts: list[dict[str, Any]] = []  # newest first, each {"kind": "t3", "data": {...}}
        self.comments: list[dict[str, Any]] = []
        self.found: list[dict[str, Any]] = []  # search results
        self.threads: dict[str, Any] = {}  # post id -> [post listing, comments listing]
        self.tokens: list[str] = []
        self.expires_in = 86400
        self.revoked: set[str] = set()
        self.remaining: float | None = None  # X-Ratelimit-Remaining to report
        self.reset = 300
        for path in (f"/r/{subreddit}/new", f"/r/{subreddit}/comments", f"/r/{subreddit}/search", "/search"):
            server.route("GET", path, self._listing)
        server.route("POST", "/api/v1/access_token", self._token)
        server.route("GET", f"/r/{subreddit}/new/.rss", self._rss)

    @property
    def url(self) -> str:
        """The base URL of every endpoint (API, token and RSS) on the fake."""
        return self.server.url("").rstrip("/")

    def serve_thread(self, post_id: str, body: Any) -> None:
        """Answer ``/comments/<post_id>`` with ``body`` ([post listing, comments listing])."""
        self.threads[post_id] = body
        self.server.route("GET", f"/comments/{post_id}", self._thread)

    def serve_thread_rss(self, path: str, body: bytes) -> None:
        """Answer ``<path>/.rss`` (a thread's permalink) with ``body``."""
        self.server.route("GET", f"{path.rstrip('/')}/.rss", lambda request: Reply(200, body, ATOM))

    def serve_rules(self, body: bytes) -> None:
        """Answer the subreddit's OAuth ``/about/rules`` (token required) and public ``/about/rules.json``."""

        def oauth(request: Request) -> Reply:
            if not self._authorized(request):
                return Reply(401, json.dumps({"message": "Unauthorized", "error": 401}), JSON)
            return Reply(200, body, JSON)

        self.server.route("GET", f"/r/{self.subreddit}/about/rules", oauth)
        self.server.route("GET", f"/r/{self.subreddit}/about/rules.json", lambda request: Reply(200, body, JSON))

    def _token(self, request: Request) -> Reply:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
        form = parse_qs(request.body.decode())
        if request.headers.get("authorization") != expected:
            return Reply(401, json.dumps({"message": "Unauthorized", "error": 401}), JSON)
        if form.get("grant_type") != ["client_credentials"]:
            return Reply(200, json.dumps({"error": "unsupported_grant_type"}), JSON)
        token = f"token-{len(self.tokens) + 1}"
        self.tokens.append(token)
        body = {"access_token": token, "token_type": "bearer", "expires_in": self.expires_in, "scope": "*"}
        return Reply(200, json.dumps(body), JSON)

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("bearer ")
        return header.startswith("bearer ") and token in self.tokens and token not in self.revoked

    def _limits(self) -> dict[str, str]:
        if self.remaining is None:
            return {}
        return {
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-used": "1",
            "x-ratelimit-reset": str(self.reset),
        }

    def _listing(self, request: Request) -> Reply:
        if not self._authorized(request):
            return Reply(401, json.dumps({"message": "Unauthorized", "error": 401}), JSON)
        if request.path.endswith("/new"):
            items = self.posts
        elif request.path.endswith("/comments"):
            items = self.comments
        else:
            query = (request.param("q") or "").lower()
            items = [c for c in self.found if query in json.dumps(c["data"].get("title", "")).lower()]
        limit = int(request.param("limit", "25") or 25)
        after = request.param("after")
        start = 0
        if after:
            names = [c["data"]["name"] for c in items]
            start = names.index(after) + 1 if after in names else len(items)
        page = items[start : start + limit]
        more = start + limit < len(items)
        body = listing(page, page[-1]["data"]["name"] if page and more else None)
        return Reply(200, json.dumps(body), {**JSON, **self._limits()})

    def _thread(self, request: Request) -> Reply:
        if not self._authorized(request):
            return Reply(401, json.dumps({"message": "Unauthorized", "error": 401}), JSON)
        post_id = request.path.rsplit("/", 1)[-1]
        return Reply(200, json.dumps(self.threads[post_id]), {**JSON, **self._limits()})

    def _rss(self, request: Request) -> Reply:
        limit = int(request.param("limit", "25") or 25)
        return Reply(200, atom_feed(self.subreddit, [p["data"] for p in self.posts[:limit]]), ATOM)


def atom_feed(subreddit: str, posts: list[dict[str, Any]]) -> str:
    """The public ``/r/<sub>/new/.rss`` in Reddit's Atom shape."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">',
        f'<category term="{subreddit}" label="r/{subreddit}" />',
        f"<id>/r/{subreddit}/new/.rss</id><title>newest submissions : {subreddit}</title>",
    ]
    for post in posts:
        when = datetime.fromtimestamp(post["created_utc"], UTC).isoformat()
        link = "https://www.reddit.com" + post["permalink"]
        body = f'<!-- SC_OFF --><div class="md"><p>{escape(post.get("selftext") or "")}</p></div><!-- SC_ON -->'
        content = (
            f'{body} &#32; submitted by &#32; <a href="https://www.reddit.com/user/{post["author"]}"> '
            f'/u/{post["author"]} </a> <br/> <span><a href="{link}">[link]</a></span> &#32; '
            f'<span><a href="{link}">[comments]</a></span>'
        )
        parts.append(
            f"<entry><author><name>/u/{escape(post['author'])}</name></author>"
            f'<category term="{subreddit}" label="r/{subreddit}" />'
            f'<content type="html">{escape(content)}</content><id>{post["name"]}</id>'
            f'<link href="{escape(link)}" /><updated>{when}</updated><published>{when}</published>'
            f"<title>{escape(post['title'])}</title></entry>"
        )
    parts.append("</feed>")
    return "\n".join(parts)
