"""A fake X API v2: recent search (query, since_id, max_results, next_token), one post by id, bearer tokens,
and the 429 with ``x-rate-limit-reset`` the real API sends.

Posts are in the API's shape (``data`` with ``includes.users``, ``meta.newest_id``/``next_token``, as in the
documented recent-search example); ``conversation_id:N`` queries return that conversation.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request

API = "/2"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAtest-bearer"


def post(
    post_id: int,
    created: str,
    text: str,
    *,
    author: str = "2244994945",
    conversation: int | None = None,
    replied_to: int | None = None,
    lang: str = "en",
    replies: int = 0,
    likes: int = 0,
) -> dict[str, Any]:
    """One post as search returns it with tweet.fields=created_at,author_id,conversation_id,lang,public_metrics,..."""
    raw: dict[str, Any] = {
        "id": str(post_id),
        "text": text,
        "author_id": author,
        "created_at": created,
        "conversation_id": str(conversation or post_id),
        "lang": lang,
        "edit_history_tweet_ids": [str(post_id)],
        "reply_settings": "everyone",
        "public_metrics": {
            "retweet_count": 0,
            "reply_count": replies,
            "like_count": likes,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 12,
        },
    }
    if replied_to is not None:
        raw["referenced_tweets"] = [{"type": "replied_to", "id": str(replied_to)}]
        raw["in_reply_to_user_id"] = "17200003"
    return raw


USERS = {
    "2244994945": {"id": "2244994945", "name": "Developers", "username": "XDevelopers"},
    "17200003": {"id": "17200003", "name": "Snow", "username": "snowman"},
}


class FakeX:
    """Serves ``/2/tweets/search/recent`` and ``/2/tweets/<id>`` over ``posts`` (any order; served newest first)."""

    def __init__(self, server: FakeHttpServer) -> None:
        self.server = server
        self.posts: list[dict[str, Any]] = []
        self.limited_until: int | None = None  # epoch: answer 429 with this reset
        self.failing_from: int | None = None  # the search request (1, 2, ...) from which X answers 503
        server.route("GET", f"{API}/tweets/search/recent", self._search)

    def add(self, *posts: dict[str, Any]) -> None:
        """Index posts for search, and serve each one at ``/2/tweets/<id>``."""
        for raw in posts:
            self.posts.append(raw)
            self.server.route("GET", f"{API}/tweets/{raw['id']}", self._one)

    @property
    def api_url(self) -> str:
        """What a feed's base_url (or the source's api_url) is set to."""
        return self.server.url(API)

    def searches(self) -> list[Request]:
        """The search requests received."""
        return self.server.hits(f"{API}/tweets/search/recent")

    def _auth(self, request: Request) -> Reply | None:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
            return Reply(401, json.dumps(body), {"Content-Type": "application/problem+json"})
        if self.limited_until is not None:
            body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "x-rate-limit-limit": "450",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(self.limited_until),
            }
            return Reply(429, json.dumps(body), headers)
        return None

    def _page(self, found: list[dict[str, Any]], extra_meta: dict[str, Any]) -> Reply:
        users = [USERS[a] for a in dict.fromkeys(p["author_id"] for p in found) if a in USERS]
        meta: dict[str, Any] = {"result_count": len(found), **extra_meta}
        body: dict[str, Any] = {"meta": meta}
        if found:
            body["data"] = found
            body["includes"] = {"users": users}
            meta["newest_id"], meta["oldest_id"] = found[0]["id"], found[-1]["id"]
        return Reply(200, json.dumps(body), {"Content-Type": "application/json; charset=utf-8"})

    def _search(self, request: Request) -> Reply:
        refused = self._auth(request)
        if refused is not None:
            return refused
        if self.failing_from is not None and len(self.searches()) >= self.failing_from:
            body = {"title": "Service Unavailable", "detail": "Try again", "type": "about:blank", "status": 503}
            return Reply(503, json.dumps(body), {"Content-Type": "application/problem+json"})
        query = request.param("query") or ""
        size = int(request.param("max_results", "10") or 10)
        if not 10 <= size <= 100:
            body = {"errors": [{"parameters": {"max_results": [str(size)]}, "message": "bad max_results"}]}
            return Reply(400, json.dumps({**body, "title": "Invalid Request", "detail": "One or more parameters"}))
        since = int(request.param("since_id", "0") or 0)
        start = int(request.param("next_token", "0") or 0)
        if query.startswith("conversation_id:"):
            wanted = query.split(":", 1)[1]
            pool = [p for p in self.posts if p["conversation_id"] == wanted]
        else:
            words = query.lower().split()
            pool = [p for p in self.posts if all(w in p["text"].lower() for w in words)]
        found = sorted((p for p in pool if int(p["id"]) > since), key=lambda p: -int(p["id"]))
        chunk = found[start : start + size]
        meta = {"next_token": str(start + size)} if len(found) > start + size else {}
        return self._page(chunk, meta)

    def _one(self, request: Request) -> Reply:
        refused = self._auth(request)
        if refused is not None:
            return refused
        post_id = request.path.rsplit("/", 1)[1]
        found = [p for p in self.posts if p["id"] == post_id]
        if not found:
            body = {
                "errors": [
                    {
                        "value": post_id,
                        "detail": f"Could not find tweet with id: [{post_id}].",
                        "title": "Not Found Error",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            }
            return Reply(200, json.dumps(body), {"Content-Type": "application/json; charset=utf-8"})
        users = [USERS[found[0]["author_id"]]] if found[0]["author_id"] in USERS else []
        body = {"data": found[0], "includes": {"users": users}}
        return Reply(200, json.dumps(body), {"Content-Type": "application/json; charset=utf-8"})
