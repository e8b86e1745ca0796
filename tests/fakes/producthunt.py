"""A fake Product Hunt GraphQL API v2 (POST /v2/api/graphql) answering the queries the source sends.

No real Product Hunt response could be recorded under a licence we may use (see ../shared/fixtures/SOURCES.md), so
these shapes follow the published schema (producthunt/producthunt-api schema.graphql: Post, Comment, connections
with ``edges { node }`` and ``pageInfo``) and the API's documentation: URLs carry ``utm_*`` parameters, other
people's usernames come back as "[REDACTED]", every answer has ``X-Rate-Limit-Limit/-Remaining/-Reset``, and past
the complexity limit the API answers 429 with ``errors: [{error: "rate_limit_reached", details: {reset_in}}]``.

The fake does not parse GraphQL: it tells the source's queries apart by their root field and honours the
variables (first, after, topic, postedAfter, id).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request

PATH = "/v2/api/graphql"
JSON = {"Content-Type": "application/json; charset=utf-8"}
UTM = "?utm_campaign=producthunt-api&utm_medium=api-v2&utm_source=Application%3A+earshot+%28ID%3A+1%29"


def _time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def post(
    post_id: int,
    created: int,
    *,
    name: str = "Widget",
    tagline: str = "Widgets for teams",
    topics: list[str] | None = None,
    votes: int = 5,
    username: str = "[REDACTED]",
    description: str = "",
) -> dict[str, Any]:
    """One post node, with the fake's own ``_topics`` (the schema reaches them through a connection)."""
    slug = name.lower().replace(" ", "-")
    return {
        "id": str(post_id),
        "name": name,
        "tagline": tagline,
        "description": description or f"{name}: {tagline.lower()}.",
        "url": f"https://www.producthunt.com/posts/{slug}{UTM}",
        "website": f"https://www.producthunt.com/r/{slug.upper()}{UTM}",
        "votesCount": votes,
        "commentsCount": 0,
        "createdAt": _time(created),
        "user": {"username": username},
        "_topics": topics or ["developer-tools"],
    }


def comment(
    comment_id: int, created: int, body: str, *, parent: int | None = None, votes: int = 1, username: str = "[REDACTED]"
) -> dict[str, Any]:
    """One comment node (the fake keeps its answers in ``_replies``)."""
    return {
        "id": str(comment_id),
        "body": body,
        "url": f"https://www.producthunt.com/posts/widget?comment={comment_id}",
        "votesCount": votes,
        "createdAt": _time(created),
        "parentId": None if parent is None else str(parent),
        "user": {"username": username},
        "_replies": [],
    }


class FakeProductHunt:
    """Serves posts newest first (by topic, posted after a time, paged by cursor), a post, and a comment."""

    def __init__(self, server: FakeHttpServer, *, token: str = "ph-dev-token", limit: int = 6250) -> None:
        self.server = server
        self.token = token
        self.posts: list[dict[str, Any]] = []
        self.comments: dict[str, list[dict[str, Any]]] = {}  # post id -> top-level comments, oldest first
        self.limit = limit
        self.remaining = limit
        self.reset_in = 600
        self.cost = 10  # complexity points a query costs
        server.route("POST", PATH, self._graphql)

    @property
    def url(self) -> str:
        """The GraphQL endpoint (a feed's base_url, PRODUCTHUNT_API_URL for threads)."""
        return self.server.url(PATH)

    def add(self, *posts: dict[str, Any]) -> None:
        """Launch posts."""
        self.posts.extend(posts)

    def reply(self, post_id: int, *comments: dict[str, Any]) -> None:
        """Comments on a post (answers go under their parent, by parentId)."""
        for c in comments:
            if c["parentId"] is None:
                self.comments.setdefault(str(post_id), []).append(c)
            else:
                self._find(c["parentId"])["_replies"].append(c)
        for p in self.posts:
            if p["id"] == str(post_id):
                p["commentsCount"] += len(comments)

    def queries(self) -> list[dict[str, Any]]:
        """The queries received, as {query, variables}."""
        return [json.loads(r.body) for r in self.server.requests if r.path == PATH]

    def _find(self, comment_id: str) -> dict[str, Any]:
        stack = [c for top in self.comments.values() for c in top]
        while stack:
            c = stack.pop()
            if c["id"] == comment_id:
                return c
            stack.extend(c["_replies"])
        raise KeyError(comment_id)

    def _headers(self) -> dict[str, str]:
        return {
            **JSON,
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset_in),
        }

    def _graphql(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            body = {"error": "invalid_oauth_token", "error_description": "Please supply a valid access token."}
            return Reply(401, json.dumps(body), JSON)
        if self.remaining < self.cost:
            details = {"limit": self.limit, "remaining": self.remaining - self.cost, "reset_in": self.reset_in}
            error = {
                "error": "rate_limit_reached",
                "error_description": "Sorry. You have exceeded the API rate limit, please try again later.",
                "details": details,
            }
            return Reply(429, json.dumps({"data": None, "errors": [error]}), self._headers())
        self.remaining -= self.cost
        sent = json.loads(request.body)
        text, variables = sent["query"], sent.get("variables") or {}
        literal = re.search(r"posts\(first: (\d+)\)", text)  # a query with its arguments written in, not passed
        if literal:
            variables = {"first": int(literal.group(1)), **variables}
        if " posts(" in text:
            data = {"posts": self._posts(variables, with_comments="comments(" in text)}
        elif " post(" in text:
            data = {"post": self._post(variables)}
        elif " comment(" in text:
            data = {"comment": self._comment(variables)}
        else:
            return Reply(200, json.dumps({"errors": [{"message": "unknown query"}]}), self._headers())
        return Reply(200, json.dumps({"data": data}), self._headers())

    def _node(self, p: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in p.items() if not k.startswith("_")}

    def _comment_node(self, c: dict[str, Any], first: int, *, replies: bool) -> dict[str, Any]:
        node = self._node(c)
        if replies:
            newest = sorted(c["_replies"], key=lambda r: r["createdAt"], reverse=True)[:first]
            node["replies"] = {"totalCount": len(c["_replies"]), "edges": [{"node": self._node(r)} for r in newest]}
        return node

    def _comments(self, post_id: str, first: int, *, replies: bool) -> dict[str, Any]:
        top = sorted(self.comments.get(post_id, []), key=lambda c: c["createdAt"], reverse=True)
        edges = [{"node": self._comment_node(c, first, replies=replies)} for c in top[:first]]
        return {"totalCount": len(top), "edges": edges}

    def _posts(self, v: dict[str, Any], *, with_comments: bool) -> dict[str, Any]:
        chosen = [p for p in self.posts if v.get("topic") is None or v["topic"] in p["_topics"]]
        if v.get("postedAfter"):
            chosen = [p for p in chosen if p["createdAt"] > v["postedAfter"]]
        chosen.sort(key=lambda p: (p["createdAt"], int(p["id"])), reverse=True)
        start = int(v["after"]) if v.get("after") else 0
        page = chosen[start : start + int(v["first"])]
        edges = []
        for i, p in enumerate(page):
            node = self._node(p)
            if with_comments:
                node["comments"] = self._comments(p["id"], int(v.get("comments", 20)), replies=False)
            edges.append({"cursor": str(start + i + 1), "node": node})
        more = start + len(page) < len(chosen)
        info = {"hasNextPage": more, "endCursor": str(start + len(page)) if page else None}
        return {"pageInfo": info, "edges": edges}

    def _post(self, v: dict[str, Any]) -> dict[str, Any] | None:
        found = [p for p in self.posts if p["id"] == str(v["id"])]
        if not found:
            return None
        return {**self._node(found[0]), "comments": self._comments(found[0]["id"], int(v["first"]), replies=True)}

    def _comment(self, v: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return self._comment_node(self._find(str(v["id"])), int(v["first"]), replies=True)
        except KeyError:
            return None
