"""Lobsters: the newest stories, of the whole site or some tags, with their comments as the thread."""

from __future__ import annotations

import logging
import re
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
from earshot.adapters.sources.items import read_items, read_one
from earshot.adapters.sources.lobsters.comments import CURSOR_KEY, MAX_COMMENT_PAGES, newest_comments, story_of
from earshot.adapters.sources.lobsters.kind import DECLARATION
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

SERVICE = "Lobsters"
DEFAULT_BASE_URL = "https://lobste.rs"
OPTIONS = DECLARATION.option_names
INCLUDE = ("stories", "comments")
OVERLAP_SECONDS = 300
MAX_PAGES = 4  # 25 stories a page; Lobsters sees well under 100 a day
_TAG = re.compile(r"[a-z0-9_\-+.]{1,25}")
_SHORT_ID = re.compile(r"[A-Za-z0-9]{1,12}")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LobstersSource:
    """Polls ``/newest.json`` (or ``/t/<tags>.json``) for stories created since the cursor."""

    kind: str = "lobsters"

    def __init__(self, http: SafeHttp, *, clock: Clock = _utcnow, base_url: str = DEFAULT_BASE_URL) -> None:
        self._http = http
        self._clock = clock
        self._base = base_url.rstrip("/")  # where threads are read; a feed's url overrides it for its own polls

    def check(self, feed: Feed) -> None:
        """Refuse unknown options, bad tags or a bad base URL, with an example."""
        _settings(feed)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Stories created since the cursor, newest first, up to MAX_PAGES pages."""
        try:
            base, tags, include = _settings(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        now = int(self._clock().timestamp())
        window = Window.read(cursor, OVERLAP_SECONDS, now=now, source=SERVICE)
        listing = f"/t/{','.join(tags)}" if tags else "/newest"

        async def page(number: int) -> Page:
            path = f"{listing}.json" if number == 1 else f"{listing}/page/{number}.json"
            body = await self._get(f"{base}{path}")
            if not isinstance(body, list):
                raise FeedError(f"{SERVICE} answered with something that is not a story list")
            result = Page(has_more=len(body) > 0)
            result.items += read_items(body, lambda raw: _story(as_dict(raw), base), source=SERVICE, what="story")
            return result

        items: list[Conversation] = []
        times: dict[str, int] = {}
        if "stories" in include:
            items, times, capped = await walk(page, window, max_pages=MAX_PAGES, seeding=seeding)
            if capped:
                log.warning(
                    "Lobsters feed %r: more than %d pages of new stories; the oldest were skipped", feed.name, MAX_PAGES
                )
        extra: dict[str, Any] = {}
        if "comments" in include:
            comments, extra[CURSOR_KEY], capped = await newest_comments(
                self._get, base, cursor, seeding=seeding, now=now
            )
            if capped:
                log.warning(
                    "Lobsters feed %r: more than %d pages of new comments; the oldest were skipped",
                    feed.name,
                    MAX_COMMENT_PAGES,
                )
            items = [*items, *comments]
        return FetchResult(items, window.next(times, fallback=now, extra=extra))

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """The story now and its comments in the site's order (deleted and moderated ones left out); for a
        comment item, the comment and the answers below it."""
        if conversation.kind == "comment":
            return await self._comment_thread(conversation, limit=limit)
        short_id = conversation.external_id
        if not _SHORT_ID.fullmatch(short_id):
            raise FeedError(f"{short_id!r} is not a Lobsters story id")
        body = await self._get(f"{self._base}/s/{short_id}.json", gone=f"Lobsters story {short_id} is gone (deleted)")
        if not isinstance(body, dict):
            raise FeedError(f"{SERVICE} answered with something that is not a story")
        story = read_one(lambda raw: _story(raw, self._base), body, source=SERVICE, what="story")
        replies = _comments(_flatten(body.get("comments")))
        return Thread(story[0] if story else conversation, tuple(replies[:limit]), as_int(body.get("comment_count")))

    async def _comment_thread(self, conversation: Conversation, *, limit: int) -> Thread:
        comment_id = conversation.external_id.removeprefix("c/")
        story_id = story_of({"url": conversation.url})
        if story_id is None:
            # A /c/<id> address: Lobsters redirects it to the story; read the story id from the comment's page.
            body = await self._get(f"{self._base}/c/{comment_id}.json", gone=f"Lobsters comment {comment_id} is gone")
            story_id = story_of(as_dict(body))
        if story_id is None or not _SHORT_ID.fullmatch(story_id):
            raise FeedError(f"cannot tell which Lobsters story comment {comment_id} belongs to")
        body = await self._get(f"{self._base}/s/{story_id}.json", gone=f"Lobsters story {story_id} is gone (deleted)")
        flat = _flatten(as_dict(body).get("comments"))
        start = next((i for i, (c, _) in enumerate(flat) if as_str(c.get("short_id")) == comment_id), None)
        below: list[tuple[dict[str, Any], int]] = []
        if start is not None:
            top = _depth(*flat[start])
            for c, level in flat[start + 1 :]:
                if _depth(c, level) <= top:
                    break
                below.append((c, level))
        replies = _comments(below)
        return Thread(conversation, tuple(replies[:limit]), len(replies))

    async def _get(self, url: str, *, gone: str | None = None) -> Any:
        _, body = await get_json(
            self._http,
            url,
            service=SERVICE,
            now=self._clock(),
            headers={"Accept": "application/json"},
            auth_hint="Lobsters needs no credentials; it may be refusing this address (too many requests?)",
            gone=gone,
        )
        return body


def _story(raw: dict[str, Any], base: str) -> tuple[Conversation, int] | None:
    short_id = as_str(raw.get("short_id"))
    created = parse_time(raw.get("created_at"))
    comments_url = as_str(raw.get("comments_url")) or as_str(raw.get("short_id_url"))
    if not _SHORT_ID.fullmatch(short_id) or created is None or not comments_url.startswith(("https://", "http://")):
        return None
    tags = [t for t in as_list(raw.get("tags")) if isinstance(t, str)]
    host = urlsplit(base).hostname or "lobste.rs"
    # The description is HTML; description_plain is the Markdown its author typed.
    text = html_to_text(as_str(raw.get("description"))) or as_str(raw.get("description_plain"))
    conversation = Conversation(
        source=LobstersSource.kind,
        external_id=short_id,
        url=comments_url,
        # Titles are plain text (JSON-escaped, not HTML-escaped): "<details> in HTML" keeps its tag name.
        title=" ".join(as_str(raw.get("title")).split()) or f"Lobsters story {short_id}",
        text=text,
        author=_user(raw.get("submitter_user")),
        created_at=created,
        thread_size=as_int(raw.get("comment_count")),
        points=as_int(raw.get("score")),
        link=as_str(raw.get("url")) or None,  # "" for a text post
        community=f"{host}/{','.join(tags)}" if tags else host,
        kind="post",
    )
    return conversation, int(created.timestamp())


def _flatten(comments: object) -> list[tuple[dict[str, Any], int]]:
    """Comments in thread order with their nesting depth, whether the site sends a flat list or a tree."""
    out: list[tuple[dict[str, Any], int]] = []
    # An explicit stack: a hostile answer can nest deeper than Python's recursion limit.
    stack = [(as_dict(c), 0) for c in reversed(as_list(comments))]
    while stack:
        comment, level = stack.pop()
        out.append((comment, level))
        stack.extend((as_dict(c), level + 1) for c in reversed(as_list(comment.get("comments"))))
    return out


def _comments(flat: list[tuple[dict[str, Any], int]]) -> list[Reply]:
    """The readable comments of a flattened thread as Replies."""
    return read_items(flat, lambda pair: _comment(*pair), source=SERVICE, what="comment")


def _comment(raw: dict[str, Any], level: int = 0) -> Reply | None:
    short_id = as_str(raw.get("short_id"))
    if not short_id or raw.get("is_deleted") is True or raw.get("is_moderated") is True:
        return None
    depth = _depth(raw, level)
    return Reply(
        external_id=short_id,
        author=_user(raw.get("commenting_user")),
        text=html_to_text(as_str(raw.get("comment"))) or as_str(raw.get("comment_plain")),
        created_at=parse_time(raw.get("created_at")),
        points=as_int(raw.get("score")),
        url=as_str(raw.get("short_id_url")) or as_str(raw.get("url")) or None,
        parent_id=as_str(raw.get("parent_comment")) or None,
        depth=max(0, depth),
    )


def _depth(raw: dict[str, Any], level: int) -> int:
    # Older answers: indent_level counts from 1; a nested answer: its place in the tree.
    depth = as_int(raw.get("depth"))
    if depth is None:
        indent = as_int(raw.get("indent_level"))
        depth = indent - 1 if indent else level
    return depth


def _user(value: object) -> str | None:
    # A plain username now; an object with "username" in older versions of the site.
    if isinstance(value, dict):
        return as_str(value.get("username")) or None
    return as_str(value) or None


def _include(feed: Feed, tags: list[str]) -> tuple[str, ...]:
    raw = feed.options.get("include")
    if raw is None:
        return ("stories",)
    values = include_option(raw, INCLUDE, f"feed {feed.name!r}", '["stories", "comments"]')
    if tags and "comments" in values:
        raise ConfigError(
            f'feed {feed.name!r}: Lobsters lists comments of the whole site only, not by tag; drop "comments" '
            "from include, or add a feed without tags for comments"
        )
    return values


def _settings(feed: Feed) -> tuple[str, list[str], tuple[str, ...]]:
    example = 'options = { tags = ["rust", "databases"] }'
    unknown = sorted(set(feed.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"feed {feed.name!r}: unknown Lobsters option(s) {', '.join(unknown)}; use tags and include, like {example}"
        )
    if feed.query:
        raise ConfigError(
            f"feed {feed.name!r}: Lobsters has no search to narrow by words; leave query out (your topics pick the "
            f"stories) or narrow by tags, like {example}"
        )
    base = (feed.url or DEFAULT_BASE_URL).strip().rstrip("/")
    try:
        check_url(base)
    except ValueError as e:
        raise ConfigError(
            f"feed {feed.name!r}: Lobsters url {feed.url!r} {e}; leave it out for {DEFAULT_BASE_URL}"
        ) from None
    try:
        tags = option_list(feed.options.get("tags", []), "tags", '["rust", "databases"]')
    except ValueError as e:
        raise ConfigError(f"feed {feed.name!r}: {e}") from None
    bad = [t for t in tags if not _TAG.fullmatch(t)]
    if bad:
        raise ConfigError(
            f"feed {feed.name!r}: {', '.join(map(repr, bad))} not Lobsters tags (lower-case words, like {example})"
        )
    return base, tags, _include(feed, tags)
