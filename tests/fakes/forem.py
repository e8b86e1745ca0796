"""A fake Forem (Dev.to) API: /api/articles/latest (page, per_page), /api/articles/<id>, /api/comments?a_id=,
/api/comments/<id_code>.

Articles and comments are written in the shapes dev.to answered with when recorded (see
../shared/fixtures/devto): the list endpoints send ``tag_list`` as an array and ``tags`` as "a, b", a single
article the reverse, with ``body_html``; comments carry ``type_of``, ``id_code``, ``created_at``, ``body_html``,
``user`` and nested ``children``. Errors are Forem's ``{"error": ..., "status": ...}``; a rate limit is a 429 with
Retry-After, as Forem's Rack::Attack throttles answer.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request

JSON = {"Content-Type": "application/json; charset=utf-8"}
_ID = re.compile(r"/api/articles/(\d+)$")


def _time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _user(username: str) -> dict[str, Any]:
    return {
        "name": username.title(),
        "username": username,
        "twitter_username": None,
        "github_username": username,
        "user_id": sum(map(ord, username)),
        "website_url": None,
        "profile_image": f"https://media2.dev.to/profile/{username}.png",
        "profile_image_90": f"https://media2.dev.to/profile/{username}_90.png",
    }


def article(
    article_id: int,
    published: int,
    *,
    title: str = "An article",
    tags: list[str] | None = None,
    description: str = "What this article is about...",
    username: str = "alice",
    comments: int = 0,
    reactions: int = 3,
    language: str = "en",
    last_comment: int | None = None,
    base: str = "https://dev.to",
) -> dict[str, Any]:
    """One article as /api/articles/latest lists it."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") + f"-{article_id:x}"
    tag_list = tags if tags is not None else ["programming"]
    url = f"{base}/{username}/{slug}"
    return {
        "type_of": "article",
        "id": article_id,
        "title": title,
        "description": description,
        "readable_publish_date": datetime.fromtimestamp(published, UTC).strftime("%b %d"),
        "slug": slug,
        "path": f"/{username}/{slug}",
        "url": url,
        "comments_count": comments,
        "public_reactions_count": reactions,
        "collection_id": None,
        "published_timestamp": _time(published),
        "language": language,
        "subforem_id": 1,
        "positive_reactions_count": reactions,
        "cover_image": None,
        "social_image": f"https://media2.dev.to/social/{article_id}.png",
        "canonical_url": url,
        "created_at": _time(published - 3600),
        "edited_at": None,
        "crossposted_at": None,
        "published_at": _time(published),
        "last_comment_at": _time(last_comment if last_comment is not None else published),
        "reading_time_minutes": 2,
        "tag_list": tag_list,
        "tags": ", ".join(tag_list),
        "user": _user(username),
    }


def comment(
    id_code: str, created: int, text: str, *, username: str = "bob", children: list[Any] | None = None
) -> dict[str, Any]:
    """One comment as /api/comments answers it, with the answers below it in ``children``."""
    return {
        "type_of": "comment",
        "id_code": id_code,
        "created_at": _time(created),
        "body_html": f"<p>{text}</p>\n\n",
        "user": _user(username),
        "children": children or [],
    }


class FakeForem:
    """Serves the newest articles, newest first, each article, and its comment tree."""

    def __init__(self, server: FakeHttpServer, *, key: str | None = None) -> None:
        self.server = server
        self.key = key  # when set, a request without this api-key header is refused with 401
        self.articles: list[dict[str, Any]] = []
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.limited: int | None = None  # Retry-After seconds of a 429 answered to every request, when set
        server.route("GET", "/api/articles/latest", self._latest)
        server.route("GET", "/api/comments", self._comments)

    @property
    def url(self) -> str:
        """The instance's address (a feed's base_url)."""
        return self.server.url("").rstrip("/")

    def add(self, *articles: dict[str, Any]) -> None:
        """Publish articles, and serve each one's page."""
        for item in articles:
            self.articles.append(item)
            self.server.route("GET", f"/api/articles/{item['id']}", self._article)

    def reply(self, article_id: int, *comments: dict[str, Any]) -> None:
        """Comments (top-level, with their children) on an article, and serve each by its id_code."""
        self.comments.setdefault(article_id, []).extend(comments)
        stack = list(comments)
        while stack:
            one = stack.pop()
            self.server.route(
                "GET",
                f"/api/comments/{one['id_code']}",
                lambda r, c=one: self._refuse(r) or Reply(200, json.dumps(c), JSON),
            )
            stack.extend(one["children"])

    def listing_requests(self) -> list[Request]:
        """Requests for the newest articles so far."""
        return [r for r in self.server.requests if r.path == "/api/articles/latest"]

    def _refuse(self, request: Request) -> Reply | None:
        if self.limited is not None:
            body = {"error": "Rate limit reached, try again in a few seconds", "status": 429}
            return Reply(429, json.dumps(body), {**JSON, "Retry-After": str(self.limited)})
        if self.key is not None and request.headers.get("api-key") != self.key:
            return Reply(401, json.dumps({"error": "unauthorized", "status": 401}), JSON)
        return None

    def _latest(self, request: Request) -> Reply:
        refused = self._refuse(request)
        if refused:
            return refused
        page, per_page = int(request.param("page", "1") or 1), min(int(request.param("per_page", "30") or 30), 1000)
        ordered = sorted(self.articles, key=lambda a: a["published_at"], reverse=True)
        return Reply(200, json.dumps(ordered[(page - 1) * per_page : page * per_page]), JSON)

    def _article(self, request: Request) -> Reply:
        refused = self._refuse(request)
        if refused:
            return refused
        match = _ID.search(request.path)
        found = [a for a in self.articles if match and a["id"] == int(match.group(1))]
        if not found:
            return Reply(404, json.dumps({"error": "not found", "status": 404}), JSON)
        one = dict(found[0])
        # A single article: tag_list is the "a, b" string and tags the array, and the body is there.
        one["tag_list"], one["tags"] = one["tags"], one["tag_list"]
        one["body_html"] = f"<p>{one['description']}</p>"
        one["body_markdown"] = one["description"]
        return Reply(200, json.dumps(one), JSON)

    def _comments(self, request: Request) -> Reply:
        refused = self._refuse(request)
        if refused:
            return refused
        a_id = request.param("a_id")
        if a_id is None or not a_id.isdigit() or all(a["id"] != int(a_id) for a in self.articles):
            return Reply(404, json.dumps({"error": "not found", "status": 404}), JSON)
        return Reply(200, json.dumps(self.comments.get(int(a_id), [])), JSON)
