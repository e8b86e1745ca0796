"""Dev.to, or any Forem: the newest articles (``/api/articles/latest``), of some tags, with their comments.

Forem's tag listing (``/api/articles?tag=``) is ordered by popularity, not time, so a cursor could not tell where
new articles end; the latest listing is ordered by publication, newest first. This source walks it back to the
cursor and keeps the articles carrying any of the feed's tags.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from earshot.adapters.http import SafeHttp, check_url
from earshot.adapters.sources.api import (
    as_dict,
    as_int,
    as_list,
    as_str,
    get_json,
    include_option,
    option_list,
    parse_time,
)
from earshot.adapters.sources.cursor import Page, Window, walk
from earshot.adapters.sources.devto.comments import CURSOR_KEY, new_comments, replies
from earshot.adapters.sources.devto.kind import DECLARATION
from earshot.adapters.sources.items import read_one
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation, Feed, FetchResult, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

SERVICE = "Dev.to"
DEFAULT_BASE_URL = "https://dev.to"
KEY_ENV = "DEVTO_API_KEY"
OPTIONS = DECLARATION.option_names
INCLUDE = ("articles", "comments")
OVERLAP_SECONDS = 600
PER_PAGE = 100
MAX_PAGES = 5  # 500 articles a poll: Dev.to publishes well under that in an hour
_TAG = re.compile(r"[a-z0-9]{1,30}")  # Forem tags are lower-case letters and digits
_ARTICLE_ID = re.compile(r"[0-9]{1,12}")
_COMMENT_ID = re.compile(r"c/([a-z0-9]{1,12})")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DevtoSource:
    """Polls a Forem instance's newest articles and, with include "comments", the comments on them."""

    kind: str = "devto"

    def __init__(
        self,
        http: SafeHttp,
        *,
        env: Mapping[str, str] | None = None,
        clock: Clock = _utcnow,
        base_url: str = DEFAULT_BASE_URL,
    ) -> None:
        self._http = http
        self._clock = clock
        self._base = base_url.rstrip("/")
        self._key = ((env or {}).get(KEY_ENV) or "").strip() or None  # never logged: the log masks it too

    def check(self, feed: Feed) -> None:
        """Refuse unknown options, bad tags or a bad base URL, with an example."""
        _settings(feed)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Articles published since the cursor that carry a tag of the feed, newest first; then new comments."""
        try:
            base, tags, include = _settings(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        now = int(self._clock().timestamp())
        window = Window.read(cursor, OVERLAP_SECONDS, now=now, source=SERVICE)
        wanted: set[str] = set()
        active: list[tuple[Conversation, str | None]] = []

        async def page(number: int) -> Page:
            body = await self._get(f"{base}/api/articles/latest", params={"per_page": PER_PAGE, "page": number})
            if not isinstance(body, list):
                raise FeedError(f"{SERVICE} answered with something that is not an article list")
            result = Page(has_more=len(body) >= PER_PAGE)
            for raw in map(as_dict, body):
                item = read_one(lambda r: _article(r, base), raw, source=SERVICE, what="article")
                if item is None:
                    continue
                result.items.append(item)  # every article says how far back the page reaches
                if not tags or set(_tags(raw)) & set(tags):
                    wanted.add(item[0].external_id)
                    active.append((item[0], as_str(raw.get("last_comment_at")) or None))
            return result

        found, times, capped = await walk(page, window, max_pages=MAX_PAGES, seeding=seeding)
        if capped:
            log.warning(
                "Dev.to feed %r: more than %d pages of new articles; the oldest were skipped", feed.name, MAX_PAGES
            )
        items = [i for i in found if i.external_id in wanted] if "articles" in include else []
        # Articles of other tags are in ``times`` too: remembered, so the window never reads them as new.
        extra: dict[str, Any] = {}
        if "comments" in include:
            comments, extra[CURSOR_KEY] = await new_comments(
                self._get, base, active, {} if seeding else cursor, now=now
            )
            items = [*items, *comments]
        return FetchResult(items, window.next(times, fallback=now, extra=extra))

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """An article now and its comments in the site's order; for a comment item, the answers below it."""
        base = _origin(conversation.url) or self._base
        match = _COMMENT_ID.fullmatch(conversation.external_id)
        if match:
            code = match.group(1)
            body = await self._get(f"{base}/api/comments/{code}", gone=f"Dev.to comment {code} is gone (deleted)")
            below = replies(base, as_list(as_dict(body).get("children")))
            return Thread(conversation, tuple(below[:limit]), len(below))
        article_id = conversation.external_id
        if not _ARTICLE_ID.fullmatch(article_id):
            raise FeedError(f"{article_id!r} is not a Dev.to article id")
        gone = f"Dev.to article {article_id} is gone (deleted or unpublished)"
        body = await self._get(f"{base}/api/articles/{article_id}", gone=gone)
        article = read_one(lambda r: _article(as_dict(r), base), body, source=SERVICE, what="article")
        tree = await self._get(f"{base}/api/comments", params={"a_id": article_id}, gone=gone)
        if not isinstance(tree, list):
            raise FeedError(f"{SERVICE} answered with something that is not a comment list")
        below = replies(base, tree)
        total = article[0].thread_size if article else None
        return Thread(article[0] if article else conversation, tuple(below[:limit]), total or len(below))

    async def _get(self, url: str, *, params: Mapping[str, str | int] | None = None, gone: str | None = None) -> Any:
        headers = {"Accept": "application/vnd.forem.api-v1+json"}
        if self._key:
            headers["api-key"] = self._key
        hint = (
            f"check {KEY_ENV} (a key from the site's Settings → Extensions), or unset it: public reads need none"
            if self._key
            else f"{SERVICE} reads need no key; the site may be refusing this address (set {KEY_ENV} if it wants one)"
        )
        _, body = await get_json(
            self._http,
            url,
            service=SERVICE,
            now=self._clock(),
            headers=headers,
            params=params,
            auth_hint=hint,
            gone=gone,
        )
        return body


def _tags(raw: dict[str, Any]) -> list[str]:
    # The list endpoints send tag_list as an array and tags as "a, b"; a single article the reverse.
    for value in (raw.get("tag_list"), raw.get("tags")):
        if isinstance(value, list):
            return [t.strip().lower() for t in value if isinstance(t, str)]
    text = as_str(raw.get("tag_list")) or as_str(raw.get("tags"))
    return [t.strip().lower() for t in text.split(",") if t.strip()]


def _article(raw: dict[str, Any], base: str) -> tuple[Conversation, int] | None:
    article_id = as_int(raw.get("id"))
    published = parse_time(raw.get("published_at")) or parse_time(raw.get("published_timestamp"))
    url = as_str(raw.get("url"))
    if article_id is None or article_id < 0 or published is None or not url.startswith(("https://", "http://")):
        return None
    tags = _tags(raw)
    host = urlsplit(url).hostname or urlsplit(base).hostname or "dev.to"
    user = as_dict(raw.get("user"))
    text = html_to_text(as_str(raw.get("body_html"))) or as_str(raw.get("description"))
    language = as_str(raw.get("language")).lower()
    conversation = Conversation(
        source=DevtoSource.kind,
        external_id=str(article_id),
        url=url,
        title=" ".join(as_str(raw.get("title")).split()) or f"Dev.to article {article_id}",
        text=text,
        author=as_str(user.get("username")) or None,
        created_at=published,
        thread_size=as_int(raw.get("comments_count")),
        points=as_int(raw.get("public_reactions_count")),
        link=as_str(raw.get("canonical_url")) if as_str(raw.get("canonical_url")) not in ("", url) else None,
        community=f"{host}/{','.join(tags)}" if tags else host,
        kind="post",
        language=language if re.fullmatch(r"[a-z]{2}", language) else None,
    )
    return conversation, int(published.timestamp())


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def _settings(feed: Feed) -> tuple[str, list[str], tuple[str, ...]]:
    example = 'options = { tags = ["python", "webdev"] }'
    unknown = sorted(set(feed.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"feed {feed.name!r}: unknown Dev.to option(s) {', '.join(unknown)}; use tags and include, like {example}"
        )
    if feed.query:
        raise ConfigError(
            f"feed {feed.name!r}: Dev.to has no search to narrow by words; leave query out (your topics pick the "
            f"articles) or narrow by tags, like {example}"
        )
    base = (feed.url or DEFAULT_BASE_URL).strip().rstrip("/")
    try:
        check_url(base)
    except ValueError as e:
        raise ConfigError(
            f"feed {feed.name!r}: Forem url {feed.url!r} {e}; leave it out for {DEFAULT_BASE_URL}"
        ) from None
    try:
        tags = [
            t.lstrip("#").lower() for t in option_list(feed.options.get("tags", []), "tags", '["python", "webdev"]')
        ]
    except ValueError as e:
        raise ConfigError(f"feed {feed.name!r}: {e}") from None
    bad = [t for t in tags if not _TAG.fullmatch(t)]
    if bad:
        raise ConfigError(
            f"feed {feed.name!r}: {', '.join(map(repr, bad))} not Dev.to tags (lower-case letters and digits, "
            f"like {example})"
        )
    raw = feed.options.get("include")
    include = (
        ("articles",)
        if raw is None
        else include_option(raw, INCLUDE, f"feed {feed.name!r}", '["articles", "comments"]')
    )
    return base, tags, include
