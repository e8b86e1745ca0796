"""Fake feed services in their real shapes: a Hacker News Algolia search API and RSS 2.0 feeds.

Both run on a FakeHttpServer, so the real source adapters and the real safe HTTP client talk to them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request


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


@dataclass
class FakeAlgolia:
    """The `/api/v1/search_by_date` endpoint over a list of hits, honouring tags, numericFilters and paging."""

    server: FakeHttpServer
    hits: list[dict[str, Any]] = field(default_factory=list)
    prefix: str = "/api/v1"

    def __post_init__(self) -> None:
        self.server.route("GET", f"{self.prefix}/search_by_date", self._search)

    @property
    def base_url(self) -> str:
        """What a feed's ``base_url`` should be."""
        return self.server.url(self.prefix)

    def _search(self, request: Request) -> Reply:
        since = 0
        for clause in (request.param("numericFilters") or "").split(","):
            m = re.fullmatch(r"created_at_i>(\d+)", clause.strip())
            if m:
                since = int(m.group(1))
        tags = (request.param("tags") or "").strip("()").split(",")
        words = (request.param("query") or "").lower().split()
        page = int(request.param("page") or 0)
        per_page = int(request.param("hitsPerPage") or 20)
        found = [
            h
            for h in sorted(self.hits, key=lambda h: h["created_at_i"], reverse=True)
            if h["created_at_i"] > since
            and (not tags[0] or any(t in h["_tags"] for t in tags))
            and all(w in json.dumps([h["title"], h["story_text"], h["comment_text"]]).lower() for w in words)
        ]
        pages = max(1, -(-len(found) // per_page))
        body = {
            "hits": found[page * per_page : (page + 1) * per_page],
            "nbHits": len(found),
            "page": page,
            "nbPages": pages,
            "hitsPerPage": per_page,
            "exhaustiveNbHits": True,
            "query": request.param("query") or "",
            "params": "",
            "processingTimeMS": 1,
        }
        return Reply(200, json.dumps(body), {"Content-Type": "application/json; charset=utf-8"})


@dataclass
class RssItem:
    """One RSS 2.0 item."""

    guid: str
    title: str
    link: str
    description: str = ""
    author: str | None = None
    published: datetime | None = None


def rss_document(title: str, link: str, items: list[RssItem]) -> str:
    """An RSS 2.0 document in the shape blogs publish (see shared/fixtures/rss/archlinux_news.rss.xml)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>{escape(title)}</description>",
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title><link>{escape(item.link)}</link>")
        parts.append(f"<description>{escape(item.description)}</description>")
        if item.author:
            parts.append(f"<dc:creator>{escape(item.author)}</dc:creator>")
        if item.published:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid></item>')
    parts.append("</channel></rss>")
    return "\n".join(parts)


@dataclass
class FakeRss:
    """An RSS feed at ``path`` whose items a test can change between polls; answers conditional GETs."""

    server: FakeHttpServer
    path: str
    title: str = "Example engineering blog"
    items: list[RssItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server.route("GET", self.path, self._serve)

    @property
    def url(self) -> str:
        """The feed's URL."""
        return self.server.url(self.path)

    def _serve(self, request: Request) -> Reply:
        body = rss_document(self.title, self.server.url("/"), self.items)
        etag = f'"{abs(hash(body)):x}"'
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(200, body, {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag})
