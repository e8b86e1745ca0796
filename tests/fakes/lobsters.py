"""A fake Lobsters site: /newest.json and /t/<tags>.json (25 stories a page, /page/N), /s/<short_id>.json.

Stories are written here in the site's JSON shape
(short_id, short_id_url, created_at with the site's offset, title, url, score, comment_count, description,
description_plain, submitter_user, tags, comments_url) and comments likewise.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request

PER_PAGE = 25
COMMENTS_PER_PAGE = 20
JSON = {"Content-Type": "application/json; charset=utf-8"}
CHICAGO = timezone(timedelta(hours=-6))  # Lobsters writes times in its server's zone
_PAGE = re.compile(r"/page/(\d+)\.json$")


def _time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, CHICAGO).isoformat(timespec="milliseconds")


def story(
    short_id: str,
    created: int,
    *,
    title: str = "A story",
    url: str | None = None,
    tags: list[str] | None = None,
    description: str = "",
    submitter: str = "alice",
    comments: int = 0,
    score: int = 3,
    base: str = "https://lobste.rs",
) -> dict[str, Any]:
    """One story as /newest.json lists it; each links an article of its own unless ``url`` says otherwise."""
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return {
        "short_id": short_id,
        "short_id_url": f"{base}/s/{short_id}",
        "created_at": _time(created),
        "title": title,
        "url": url if url is not None else f"https://example.com/posts/{short_id}",
        "score": score,
        "flags": 0,
        "comment_count": comments,
        "description": description,
        "description_plain": re.sub(r"<[^>]+>", "", description),
        "comments_url": f"{base}/s/{short_id}/{slug}",
        "submitter_user": submitter,
        "user_is_author": False,
        "tags": tags or ["programming"],
    }


def comment(
    short_id: str,
    created: int,
    text: str,
    *,
    user: str = "bob",
    parent: str | None = None,
    depth: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """One comment as /s/<short_id>.json carries it."""
    return {
        "short_id": short_id,
        "short_id_url": f"https://lobste.rs/c/{short_id}",
        "created_at": _time(created),
        "last_edited_at": _time(created),
        "is_deleted": False,
        "is_moderated": False,
        "score": 2,
        "flags": 0,
        "parent_comment": parent,
        "comment": f"<p>{text}</p>",
        "comment_plain": text,
        "url": f"https://lobste.rs/c/{short_id}",
        "depth": depth,
        "commenting_user": user,
        **extra,
    }


def listed_comment(short_id: str, created: int, text: str, story_id: str, **extra: Any) -> dict[str, Any]:
    """One comment as /comments.json lists it: with its story's id and title, its url at the story's page."""
    return {
        **comment(short_id, created, text),
        "updated_at": _time(created),
        "url": f"https://lobste.rs/s/{story_id}/a_story#c_{short_id}",
        "story_short_id": story_id,
        "story_title": f"Story {story_id}",
        **extra,
    }


class FakeLobsters:
    """Serves the newest stories (all, or by tag), newest first, and each story with its comments."""

    def __init__(self, server: FakeHttpServer) -> None:
        self.server = server
        self.stories: list[dict[str, Any]] = []
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.pages_served = 0
        self.listed_comments: list[dict[str, Any]] = []
        for page in range(1, 12):
            suffix = "" if page == 1 else f"/page/{page}"
            server.route("GET", f"/comments{suffix}.json", lambda r, p=page: self._comments(p))
        for page in range(1, 12):
            suffix = "" if page == 1 else f"/page/{page}"
            server.route("GET", f"/newest{suffix}.json", lambda r, p=page: self._listing(r, p, None))

    @property
    def url(self) -> str:
        """The site's address (what a feed's url is set to)."""
        return self.server.url("")

    def tag(self, tags: str) -> None:
        """Serve /t/<tags>.json (comma-separated: stories with any of them)."""
        for page in range(1, 12):
            suffix = "" if page == 1 else f"/page/{page}"
            wanted = set(tags.split(","))
            self.server.route("GET", f"/t/{tags}{suffix}.json", lambda r, p=page, w=wanted: self._listing(r, p, w))

    def add(self, *stories: dict[str, Any]) -> None:
        """Index stories, and serve each one's page."""
        for item in stories:
            self.stories.append(item)
            sid = item["short_id"]
            self.server.route("GET", f"/s/{sid}.json", lambda r, sid=sid: self._story(sid))

    def listing_requests(self) -> list[Request]:
        """Listing requests so far."""
        return [r for r in self.server.requests if r.path.startswith(("/newest", "/t/"))]

    def _listing(self, request: Request, page: int, tags: set[str] | None) -> Reply:
        chosen = [s for s in self.stories if tags is None or tags & set(s["tags"])]
        ordered = sorted(chosen, key=lambda s: datetime.fromisoformat(s["created_at"]), reverse=True)
        return Reply(200, json.dumps(ordered[(page - 1) * PER_PAGE : page * PER_PAGE]), JSON)

    def comment_requests(self) -> list[Request]:
        """Requests for the newest comments so far."""
        return [r for r in self.server.requests if r.path.startswith("/comments")]

    def _comments(self, page: int) -> Reply:
        ordered = sorted(self.listed_comments, key=lambda c: datetime.fromisoformat(c["created_at"]), reverse=True)
        chunk = ordered[(page - 1) * COMMENTS_PER_PAGE : page * COMMENTS_PER_PAGE]
        return Reply(200, json.dumps(chunk), JSON)

    def _story(self, short_id: str) -> Reply:
        found = [s for s in self.stories if s["short_id"] == short_id]
        if not found:
            return Reply(404, json.dumps({"error": "not found"}), JSON)
        return Reply(200, json.dumps({**found[0], "comments": self.comments.get(short_id, [])}), JSON)
