"""A fake Hacker News Algolia ``search_by_date`` endpoint, and hits built from Firebase items (ours, in tests/data)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fixtures import data_path

PATH = "/api/v1/search_by_date"
_NUMERIC = re.compile(r"created_at_i>(\d+)")
_TAGS = re.compile(r"\(([a-z_]+(?:,[a-z_]+)*)\)|([a-z_]+)")


def firebase_item(name: str) -> dict[str, Any]:
    """A Firebase item in the real shape from tests/data/hackernews, e.g. ``firebase_item("story_parks")``."""
    return dict(json.loads(data_path("hackernews", f"{name}.json").read_text(encoding="utf-8")))


def hit_from_item(item: dict[str, Any], *, at: int, story: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Algolia hit for a Firebase item (story or comment), re-timed to ``at``; ``story`` is a comment's story."""
    object_id = str(item["id"])
    author = item.get("by")
    common = {
        "objectID": object_id,
        "author": author,
        "created_at": datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "created_at_i": at,
        "updated_at": "2024-01-01T00:00:00Z",
    }
    if item["type"] == "comment":
        story_id = story["id"] if story else None
        return {
            **common,
            "comment_text": item.get("text"),
            "story_id": story_id,
            "parent_id": item.get("parent"),
            "story_title": story.get("title") if story else None,
            "story_url": story.get("url") if story else None,
            "points": None,
            "num_comments": None,
            "_tags": ["comment", f"author_{author}", f"story_{story_id}"],
        }
    tags = ["story", f"author_{author}", f"story_{object_id}"]
    if item.get("title", "").startswith("Ask HN"):
        tags.insert(1, "ask_hn")
    return {
        **common,
        "title": item.get("title"),
        "url": item.get("url") or None,
        "story_text": item.get("text"),
        "points": item.get("score"),
        "num_comments": item.get("descendants", 0),
        "story_id": item["id"],
        "_tags": tags,
    }


def algolia_hit(
    object_id: int,
    created_at_i: int,
    *,
    title: str | None = None,
    text: str | None = None,
    author: str = "pg",
    url: str | None = None,
    points: int | None = 1,
    num_comments: int | None = 0,
    story_id: int | None = None,
    story_title: str | None = None,
) -> dict[str, Any]:
    """One hit as `search_by_date` returns it: a story when ``title`` is given, else a comment."""
    created = datetime.fromtimestamp(created_at_i, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    story = title is not None
    return {
        "_tags": ["story" if story else "comment", f"author_{author}", f"story_{story_id or object_id}"],
        "author": author,
        "children": [],
        "created_at": created,
        "created_at_i": created_at_i,
        "num_comments": num_comments if story else None,
        "objectID": str(object_id),
        "parent_id": None if story else story_id,
        "points": points if story else None,
        "story_id": story_id or object_id,
        "story_text": text if story else None,
        "comment_text": None if story else text,
        "story_title": None if story else story_title,
        "story_url": None,
        "title": title,
        "updated_at": created,
        "url": url,
    }


class FakeAlgolia:
    """Serves ``search_by_date`` over an index of hits: filters by tags and time, newest first, paginated.

    Requests it would not understand (bad tags, numericFilters, page) get Algolia's 400, so tests see them.
    """

    def __init__(self, server: FakeHttpServer) -> None:
        self.hits: list[dict[str, Any]] = []
        self.server = server
        server.route("GET", PATH, self._search)

    @property
    def base_url(self) -> str:
        """What a feed's ``url`` is set to."""
        return self.server.url("/api/v1")

    @property
    def requests(self) -> list[Request]:
        """Search requests received so far."""
        return self.server.hits(PATH)

    def add(self, *hits: dict[str, Any]) -> None:
        """Index more hits (as Algolia does, possibly late)."""
        self.hits.extend(hits)

    def _search(self, request: Request) -> Reply:
        tags_param = request.param("tags") or ""
        tags_match = _TAGS.fullmatch(tags_param)
        numeric = _NUMERIC.fullmatch(request.param("numericFilters") or "")
        page_param, per_page_param = request.param("page", "0") or "", request.param("hitsPerPage", "20") or ""
        if not tags_match or not numeric or not page_param.isdigit() or not per_page_param.isdigit():
            return Reply(400, json.dumps({"message": "invalid parameters", "status": 400}))
        wanted = set((tags_match.group(1) or tags_match.group(2)).split(","))
        words = (request.param("query") or "").lower().split()
        since, page, per_page = int(numeric.group(1)), int(page_param), int(per_page_param)
        # A malformed hit (no time) always passes, so tests can see the source cope with one.
        found = sorted(
            (
                h
                for h in self.hits
                if _time(h) is None
                or (_time(h) > since and wanted & set(h["_tags"]) and all(w in _words(h) for w in words))  # type: ignore[operator]
            ),
            key=lambda h: -(_time(h) or 0),
        )
        pages = -(-len(found) // per_page)
        body = {
            "hits": found[page * per_page : (page + 1) * per_page],
            "nbHits": len(found),
            "page": page,
            "nbPages": pages,
            "hitsPerPage": per_page,
            "query": request.param("query", ""),
            "params": "",
            "processingTimeMS": 1,
        }
        return Reply(200, json.dumps(body), {"Content-Type": "application/json; charset=utf-8"})


def _time(hit: dict[str, Any]) -> int | None:
    value = hit.get("created_at_i")
    return value if isinstance(value, int) else None


def _words(hit: dict[str, Any]) -> str:
    return json.dumps([hit.get("title"), hit.get("story_text"), hit.get("comment_text")]).lower()


ITEMS_PATH = "/api/v1/items/{}"


def algolia_item(
    item: dict[str, Any] | None, children: list[dict[str, Any]] | None = None, *, item_id: int | None = None
) -> dict[str, Any]:
    """What Algolia's ``items/<id>`` returns for a Firebase item: the item with its ``children`` nested.

    ``item`` None is a deleted comment as Algolia shows it: an id, no author, no text, children kept.
    """
    if item is None:
        assert item_id is not None
        return {
            "id": item_id,
            "created_at": "2019-11-10T23:00:00.000Z",
            "created_at_i": 1573426800,
            "type": "comment",
            "author": None,
            "title": None,
            "url": None,
            "text": None,
            "points": None,
            "parent_id": None,
            "story_id": None,
            "options": [],
            "children": children or [],
        }
    at = int(item["time"])
    is_comment = item["type"] == "comment"
    return {
        "id": item["id"],
        "created_at": datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "created_at_i": at,
        "type": item["type"],
        "author": item.get("by"),
        "title": None if is_comment else item.get("title"),
        "url": None if is_comment else item.get("url"),
        "text": item.get("text"),
        "points": None if is_comment else item.get("score"),
        "parent_id": item.get("parent"),
        "story_id": None if is_comment else item["id"],
        "options": [],
        "children": children or [],
    }


def comment_item(
    item_id: int,
    text: str,
    *,
    author: str = "pg",
    at: int = 1_700_000_000,
    parent: int | None = None,
    children: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A comment as ``items/<id>`` nests it, for threads built inline (HTML text, as Algolia sends)."""
    return algolia_item(
        {"id": item_id, "type": "comment", "by": author, "text": text, "time": at, "parent": parent}, children
    )


class FakeAlgoliaItems:
    """Serves ``items/<id>`` for the items given to :meth:`add`; unknown ids get Algolia's 404 JSON."""

    def __init__(self, server: FakeHttpServer) -> None:
        self.server = server

    def add(self, item: dict[str, Any]) -> None:
        """Serve ``item`` (an :func:`algolia_item`) at its id."""
        body = json.dumps(item)
        self.answer(int(item["id"]), Reply(200, body, {"Content-Type": "application/json; charset=utf-8"}))

    def missing(self, item_id: int) -> None:
        """Answer 404 for ``item_id``, as Algolia does for an id it does not have."""
        self.answer(item_id, Reply(404, '{"status":404,"error":"Not Found"}', {"Content-Type": "application/json"}))

    def answer(self, item_id: int, reply: Reply) -> None:
        """Answer ``item_id`` with ``reply`` (a malformed body, an error)."""
        self.server.route("GET", ITEMS_PATH.format(item_id), lambda request: reply)

    def requests(self, item_id: int) -> list[Request]:
        """Requests for one item so far."""
        return self.server.hits(ITEMS_PATH.format(item_id))
