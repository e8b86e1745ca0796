"""RSS and Atom feeds: conditional GET, then the feed reader (feedparser, made safe) over the bytes."""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from earshot.adapters.http import SafeHttp, check_url
from earshot.adapters.http.errors import redact_url
from earshot.adapters.sources.feed_reader import as_text, read_feed, text_of
from earshot.adapters.sources.language import language_code
from earshot.bot.domain import Conversation, Feed, FetchResult
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.text import excerpt

log = logging.getLogger(__name__)

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
_GLOBAL_ID_PREFIXES = ("tag:", "urn:")
TITLE_FALLBACK_CHARS = 100


class RssSource:
    """Fetches one RSS or Atom feed per poll; the cursor holds the validators for a conditional GET."""

    kind: str = "rss"

    def __init__(self, http: SafeHttp) -> None:
        self._http = http

    def check(self, feed: Feed) -> None:
        """Require an http(s) feed URL."""
        if not feed.url or not feed.url.strip():
            raise ConfigError(f"feed {feed.name!r}: an RSS feed needs a url (the address of the RSS or Atom feed)")
        try:
            check_url(feed.url.strip())
        except ValueError as e:
            raise ConfigError(f"feed {feed.name!r}: url {feed.url!r} {e}") from None

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Fetch the feed unless unchanged since the cursor (304), and return every entry in it."""
        try:
            self.check(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        url = (feed.url or "").strip()
        headers = {"Accept": ACCEPT}
        if isinstance(cursor.get("etag"), str):
            headers["If-None-Match"] = cursor["etag"]
        if isinstance(cursor.get("modified"), str):
            headers["If-Modified-Since"] = cursor["modified"]
        response = await self._http.get(url, headers=headers)
        if response.status == 304:
            return FetchResult([], dict(cursor), not_modified=True)
        response.raise_for_status()
        # feedparser is CPU-bound; a large feed should not stall the event loop (chat heartbeats run there).
        items = await asyncio.to_thread(
            parse_feed,
            response.content,
            feed_url=url,
            base_url=str(response.url),
            content_type=response.headers.get("content-type"),
        )
        validators = {"etag": response.headers.get("etag"), "modified": response.headers.get("last-modified")}
        return FetchResult(items, {key: value for key, value in validators.items() if value})


def parse_feed(
    data: bytes, *, feed_url: str, base_url: str | None = None, content_type: str | None = None
) -> list[Conversation]:
    """Parse RSS or Atom bytes into Conversations; FeedError when the bytes are not a feed at all."""
    try:
        parsed = read_feed(data, content_type=content_type)
    except FeedError as e:
        raise FeedError(f"{redact_url(feed_url)} could not be read: {e}") from e
    entries = parsed.get("entries") or []
    feed_title = text_of(parsed.feed, "title")
    if not entries and ((parsed.get("bozo") and not feed_title) or not parsed.get("version")):
        reason = _garbage_reason(parsed, content_type)
        shown = redact_url(feed_url)
        raise FeedError(f"{shown} is not an RSS or Atom feed: {reason}; check the URL opens a feed in a browser")
    if parsed.get("bozo"):
        log.debug(
            "feed %s is not well-formed (%s); using what could be read",
            redact_url(feed_url),
            parsed.get("bozo_exception"),
        )
    base = base_url or feed_url
    feed_language = language_code(parsed.feed.get("language"))  # RSS <language>, or the Atom feed's xml:lang
    items: list[Conversation] = []
    for entry in entries:
        item = _conversation(
            entry, feed_url=feed_url, base_url=base, community=feed_title or None, feed_language=feed_language
        )
        if item is not None:
            items.append(item)
    return items


def _garbage_reason(parsed: Any, content_type: str | None) -> str:
    if content_type and content_type.split(";")[0].strip().lower() == "text/html":
        return "the server sent an HTML page"
    if parsed.get("bozo"):
        return f"it is not well-formed XML ({parsed.get('bozo_exception')})"
    return "no RSS or Atom elements found"


def _conversation(
    entry: Any, *, feed_url: str, base_url: str, community: str | None, feed_language: str | None = None
) -> Conversation | None:
    """One feedparser entry as a Conversation, or None when it has no http(s) address to link to."""
    raw_id = _str(entry.get("id"))
    link = _str(entry.get("link"))
    if link:
        try:
            link = urljoin(base_url, link)
        except ValueError:  # a malformed address (e.g. a bad IPv6 literal)
            link = ""
    if _is_http_url(link):
        url = link
    elif _is_http_url(raw_id):
        url = raw_id
    else:
        return None

    if raw_id:
        external_id = raw_id if _looks_global(raw_id) else f"{feed_url}#{raw_id}"
    elif link:
        external_id = link
    else:
        digest = hashlib.sha1(f"{entry.get('title', '')}\n{entry.get('published', '')}".encode(), usedforsecurity=False)
        external_id = digest.hexdigest()

    text = _body(entry)
    own_title = text_of(entry, "title")
    title = own_title or excerpt(text, TITLE_FALLBACK_CHARS) or url
    return Conversation(
        source=RssSource.kind,
        external_id=external_id,
        url=url,
        title=title,
        text=text,
        author=_str(entry.get("author")) or None,
        created_at=_datetime(entry.get("published_parsed") or entry.get("updated_parsed")),
        community=community,
        kind="post",
        language=_language(entry) or feed_language,
        untitled=not own_title,
    )


def _language(entry: Any) -> str | None:
    """The entry's own declared language: the ``xml:lang`` of its content, title or summary (Atom), if any."""
    details = [*(entry.get("content") or [])[:1], entry.get("title_detail"), entry.get("summary_detail")]
    for detail in details:
        if isinstance(detail, dict):
            code = language_code(detail.get("language"))
            if code is not None:
                return code
    return None


def _body(entry: Any) -> str:
    content = entry.get("content") or []
    if content and isinstance(content[0], dict):
        return as_text(content[0].get("value"), content[0].get("type"))
    return text_of(entry, "summary")


def _datetime(parsed: Any) -> datetime | None:
    # feedparser normalises dates to UTC struct_time; timegm reads them as UTC.
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _looks_global(value: str) -> bool:
    """Whether an id is unique on its own: an absolute URL, a tag: URI or a URN."""
    if value.lower().startswith(_GLOBAL_ID_PREFIXES):
        return True
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc)


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
