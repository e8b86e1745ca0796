"""RSS 2.0 feeds in the shape blogs publish, served by a FakeHttpServer and changeable between polls.

Both run on a FakeHttpServer, so the real source adapters and the real safe HTTP client talk to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape

from tests.fakes.http_server import FakeHttpServer, Reply, Request


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
    """An RSS 2.0 document in the shape blogs publish (as tests/data/rss/project_news.rss.xml)."""
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
