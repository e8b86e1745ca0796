"""A fake Discourse forum: /latest.json and category listings (order=created, pages, pinned topics first),
/t/<id>.json with its post stream, and /t/<id>/posts.json for the rest of a long thread.

Topics and posts are ours in Discourse's shapes (tests/data/discourse), re-numbered and re-timed as a test needs.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fixtures import data_path

JSON = {"Content-Type": "application/json; charset=utf-8"}
PER_PAGE = 30
POSTS_IN_TOPIC = 20


def _fixture(name: str) -> dict[str, Any]:
    return dict(json.loads(data_path("discourse", name).read_text(encoding="utf-8")))


LATEST = _fixture("latest.json")
POSTS_LATEST = _fixture("posts_latest.json")
POSTS_PER_PAGE = 4  # small, so a test pages with a few posts (Discourse sends 50)
TOPIC = _fixture("topic.json")


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def topic(topic_id: int, created: int, *, template: int = 1, **changes: Any) -> dict[str, Any]:
    """A listing topic (``template`` picks which of latest.json's) as topic ``topic_id``."""
    item = copy.deepcopy(LATEST["topic_list"]["topics"][template])
    item.update(
        {
            "id": topic_id,
            "slug": f"topic-{topic_id}",
            "created_at": _iso(created),
            "bumped_at": _iso(created),
            "pinned": False,
        }
    )
    item.update(changes)
    return item


def post(
    post_id: int, number: int, created: int, cooked: str, *, username: str = "sam", **changes: Any
) -> dict[str, Any]:
    """A post (topic.json's second reply) as post ``post_id``, number ``number``."""
    item = copy.deepcopy(TOPIC["post_stream"]["posts"][2])
    item.update(
        {
            "id": post_id,
            "post_number": number,
            "created_at": _iso(created),
            "cooked": cooked,
            "username": username,
            "reply_to_post_number": None,
        }
    )
    item.update(changes)
    return item


def latest_post(post_id: int, number: int, topic_id: int, created: int, cooked: str, **changes: Any) -> dict[str, Any]:
    """A /posts.json post (posts_latest.json's first) as post ``post_id``, number ``number`` of topic ``topic_id``."""
    item = copy.deepcopy(POSTS_LATEST["latest_posts"][0])
    item.update(
        {
            "id": post_id,
            "post_number": number,
            "topic_id": topic_id,
            "topic_slug": f"topic-{topic_id}",
            "topic_title": f"Topic {topic_id}",
            "topic_html_title": f"Topic {topic_id}",
            "created_at": _iso(created),
            "cooked": cooked,
        }
    )
    item.update(changes)
    return item


class FakeDiscourse:
    """Serves one forum. ``topics`` is the index; ``posts[topic_id]`` the posts of each topic."""

    def __init__(self, server: FakeHttpServer, *, prefix: str = "/forum") -> None:
        self.server = server
        self.prefix = prefix
        self.topics: list[dict[str, Any]] = []
        self.posts: dict[int, list[dict[str, Any]]] = {}
        self.users = list(LATEST["users"])
        self.latest_posts: list[dict[str, Any]] = []
        server.route("GET", f"{prefix}/latest.json", self._latest)
        server.route("GET", f"{prefix}/posts.json", self._latest_posts)

    @property
    def url(self) -> str:
        """The forum's address (what a feed's url is set to)."""
        return self.server.url(self.prefix)

    def listing_requests(self) -> list[Request]:
        """Requests for /latest.json so far."""
        return self.server.hits(f"{self.prefix}/latest.json")

    def posts_requests(self) -> list[Request]:
        """Requests for /posts.json so far."""
        return self.server.hits(f"{self.prefix}/posts.json")

    def category(self, path: str, category_id: int) -> None:
        """Serve /c/<path>.json with the topics of ``category_id``."""
        self.server.route("GET", f"{self.prefix}/c/{path}.json", lambda r: self._latest(r, category_id))

    def add(self, *topics: dict[str, Any]) -> None:
        """Index topics and serve each one's page."""
        for item in topics:
            self.topics.append(item)
            tid = item["id"]
            self.server.route("GET", f"{self.prefix}/t/{tid}.json", lambda r, tid=tid: self._topic(tid))
            self.server.route("GET", f"{self.prefix}/t/{tid}/posts.json", lambda r, tid=tid: self._posts(r, tid))

    def delete(self, topic_id: int) -> None:
        """Delete a topic: out of the listings, 404 on its page (as Discourse answers anonymous readers)."""
        self.topics = [t for t in self.topics if t["id"] != topic_id]
        body = {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"}
        self.server.route("GET", f"{self.prefix}/t/{topic_id}.json", lambda r: Reply(404, json.dumps(body), JSON))

    def _latest(self, request: Request, category_id: int | None = None) -> Reply:
        page = int(request.param("page", "0") or 0)
        chosen = [t for t in self.topics if category_id is None or t.get("category_id") == category_id]
        order = (lambda t: t["created_at"]) if request.param("order") == "created" else (lambda t: t["bumped_at"])
        pinned = [t for t in chosen if t.get("pinned")]
        rest = sorted((t for t in chosen if not t.get("pinned")), key=order, reverse=True)
        ordered = pinned + rest
        chunk = ordered[page * PER_PAGE : (page + 1) * PER_PAGE]
        topic_list: dict[str, Any] = {
            "can_create_topic": False,
            "draft": None,
            "draft_key": "new_topic",
            "topics": chunk,
        }
        if len(ordered) > (page + 1) * PER_PAGE:
            topic_list["more_topics_url"] = f"/latest?order=created&page={page + 1}"
        return Reply(200, json.dumps({"users": self.users, "topic_list": topic_list}), JSON)

    def _latest_posts(self, request: Request) -> Reply:
        # Newest first; ``before`` gives the posts with a lower id, as Discourse pages them.
        before = request.param("before")
        chosen = sorted(self.latest_posts, key=lambda p: p["id"], reverse=True)
        if before:
            chosen = [p for p in chosen if p["id"] < int(before)]
        return Reply(200, json.dumps({"latest_posts": chosen[:POSTS_PER_PAGE]}), JSON)

    def _topic(self, topic_id: int) -> Reply:
        listed = next(t for t in self.topics if t["id"] == topic_id)
        posts = self.posts.get(topic_id, [])
        for p in posts:
            p.update({"topic_id": topic_id, "topic_slug": listed["slug"]})
        body = copy.deepcopy(TOPIC)
        body.update(
            {
                "id": topic_id,
                "title": listed["title"],
                "fancy_title": listed["fancy_title"],
                "slug": listed["slug"],
                "posts_count": len(posts),
                "created_at": listed["created_at"],
                "like_count": listed.get("like_count", 0),
                "post_stream": {"posts": posts[:POSTS_IN_TOPIC], "stream": [p["id"] for p in posts]},
            }
        )
        return Reply(200, json.dumps(body), JSON)

    def _posts(self, request: Request, topic_id: int) -> Reply:
        wanted = {int(i) for i in request.query.get("post_ids[]", [])}
        posts = [p for p in self.posts.get(topic_id, []) if p["id"] in wanted]
        return Reply(200, json.dumps({"post_stream": {"posts": posts}, "id": topic_id}), JSON)
