"""Hacker News through the Algolia search API: new stories and comments, newest first, with a lag-tolerant cursor."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from earshot.adapters.http import SafeHttp, check_url, load_json
from earshot.adapters.sources.api import as_int as _int
from earshot.adapters.sources.api import as_str as _str
from earshot.adapters.sources.cursor import not_after
from earshot.adapters.sources.hackernews.kind import DEFAULT_TAGS, TAGS
from earshot.adapters.sources.items import read_items, read_one
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://hn.algolia.com/api/v1"
ITEM_URL = "https://news.ycombinator.com/item?id={}"
# Algolia indexes items some time after they are posted, so each poll looks this far behind the newest item seen.
OVERLAP_SECONDS = 300
FIRST_POLL_LOOKBACK_SECONDS = 3600
HITS_PER_PAGE = 100
MAX_PAGES = 10
MAX_RECENT_IDS = 1000


def _utcnow() -> datetime:
    return datetime.now(UTC)


class HackerNewsSource:
    """Polls ``search_by_date`` for items newer than the cursor, skipping ids already returned."""

    kind: str = "hackernews"

    def __init__(self, http: SafeHttp, *, clock: Clock = _utcnow, thread_base_url: str | None = None) -> None:
        self._http = http
        self._clock = clock
        # Threads are read from the API the feeds use: the one given here, else the last feed's base URL seen.
        self._thread_base = thread_base_url.rstrip("/") if thread_base_url else None
        self._fixed_thread_base = thread_base_url is not None

    def check(self, feed: Feed) -> None:
        """Reject a base URL that is not http(s) and tags Algolia does not know."""
        self._remember(_base_url(feed))
        _tags(feed)

    def _remember(self, base: str) -> None:
        if not self._fixed_thread_base:
            self._thread_base = base

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """Read the item's thread from Algolia ``items/<id>``: its children, depth first, deleted ones left out."""
        base = self._thread_base or DEFAULT_BASE_URL
        item_id = conversation.external_id.strip()
        if not item_id.isdigit():
            raise FeedError(f"Hacker News item id {item_id!r} is not a number; its thread cannot be read")
        response = await self._http.get(f"{base}/items/{item_id}", headers={"Accept": "application/json"})
        response.raise_for_status()
        try:
            body = load_json(response.content)
        except (ValueError, RecursionError) as e:
            raise FeedError(f"Hacker News item {item_id}: the answer is not JSON ({e})") from e
        if not isinstance(body, dict) or not isinstance(body.get("children", []), list):
            raise FeedError(f"Hacker News item {item_id}: the answer is not an item (no children list)")
        replies, total = _replies(body, max(0, limit))
        points = _int(body.get("points"))
        refreshed = replace(
            conversation,
            thread_size=total,
            points=points if points is not None else conversation.points,
        )
        return Thread(conversation=refreshed, replies=tuple(replies), reply_count=total)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Fetch items created since the cursor (all pages, up to MAX_PAGES; only the first when seeding)."""
        try:
            base, tags = _base_url(feed), _tags(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        self._remember(base)
        now = int(self._clock().timestamp())
        newest = _int(cursor.get("newest"))
        if newest is not None:
            newest = min(newest, now)  # a future newest (written before times were capped) would hide every item
        raw_ids = cursor.get("recent_ids")
        seen = {str(i) for i in raw_ids if isinstance(i, str | int)} if isinstance(raw_ids, list) else set()
        since = now - FIRST_POLL_LOOKBACK_SECONDS if newest is None else newest - OVERLAP_SECONDS
        params = {
            "query": feed.query or "",
            "tags": tags[0] if len(tags) == 1 else "(" + ",".join(tags) + ")",
            "numericFilters": f"created_at_i>{since}",
            "hitsPerPage": str(HITS_PER_PAGE),
        }

        hits: list[dict[str, Any]] = []
        page = 0
        while True:
            body = await self._page(f"{base}/search_by_date", {**params, "page": str(page)})
            page_hits = body["hits"]
            hits.extend(h for h in page_hits if isinstance(h, dict))
            if seeding or len(page_hits) < _page_size(body) or page + 1 >= _nb_pages(body, page):
                break
            if page + 1 >= MAX_PAGES:
                log.warning(
                    "Hacker News feed %r: more than %d pages of new items since the last poll; the oldest were skipped",
                    feed.name,
                    MAX_PAGES,
                )
                break
            page += 1

        items: list[Conversation] = []
        times: dict[str, int] = {}
        for item, created in read_items(hits, _conversation, source="Hacker News"):
            if item.external_id in times:
                continue
            times[item.external_id] = created
            if item.external_id not in seen:
                items.append(item)
        # No item counts as later than now: one dated in the year 9999 would otherwise hide all that follow it.
        times = not_after(times, now, source="Hacker News", ahead=lambda t: t - now)
        return FetchResult(items, _next_cursor(newest, since, times, seen))

    async def _page(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        response = await self._http.get(url, params=params, headers={"Accept": "application/json"})
        response.raise_for_status()
        try:
            body = load_json(response.content)
        except (ValueError, RecursionError) as e:  # bad JSON, bad UTF-8, or nesting deeper than the parser goes
            raise _not_a_result(f"the body is not JSON ({e})") from e
        if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
            raise _not_a_result('it has no "hits" list')
        return body


def _replies(item: dict[str, Any], limit: int) -> tuple[list[Reply], int]:
    """An item's descendants in thread order (depth first), up to ``limit``, and how many there are in all.

    A deleted or dead comment (no author and no text) is not a reply, but the replies under it still are.
    Walked with a stack, not recursion: a thread may be deeper than Python's recursion limit.
    """
    replies: list[Reply] = []
    total = 0
    parent = str(item.get("id", ""))
    stack: list[tuple[Any, int, str]] = [(c, 0, parent) for c in reversed(item.get("children") or [])]
    while stack:
        child, depth, parent_id = stack.pop()
        if not isinstance(child, dict):
            continue
        child_id = str(child.get("id", "")).strip()
        kids = child.get("children")
        if isinstance(kids, list):
            stack.extend((k, depth + 1, child_id) for k in reversed(kids))
        reply = read_one(
            partial(_reply, child_id=child_id, parent_id=parent_id, depth=depth),
            child,
            source="Hacker News",
            what="reply",
        )
        if reply is None:
            continue
        total += 1
        if len(replies) < limit:
            replies.append(reply)
    return replies, total


def _reply(child: dict[str, Any], *, child_id: str, parent_id: str, depth: int) -> Reply | None:
    """One comment of a thread as a Reply, or None for a deleted or dead one (no id, no text)."""
    text = html_to_text(child.get("text") if isinstance(child.get("text"), str) else None)
    if not child_id or not text:
        return None
    created = _int(child.get("created_at_i"))
    return Reply(
        external_id=child_id,
        author=_str(child.get("author")) or None,
        text=text,
        created_at=datetime.fromtimestamp(created, UTC) if created is not None else None,
        points=_int(child.get("points")),
        url=ITEM_URL.format(child_id),
        parent_id=parent_id or None,
        depth=depth,
    )


def _not_a_result(reason: str) -> FeedError:
    return FeedError(f"Hacker News answered with something that is not a search result: {reason}")


def _next_cursor(old_newest: int | None, since: int, times: dict[str, int], seen: set[str]) -> dict[str, Any]:
    """The newest timestamp seen and the ids at or after it minus the overlap, newest first, capped."""
    newest = max([*times.values(), *([old_newest] if old_newest is not None else [])], default=None)
    if newest is None:
        # Nothing seen yet: keep the same window next time rather than trusting our clock against Algolia's.
        newest = since + OVERLAP_SECONDS
    floor = newest - OVERLAP_SECONDS
    recent = sorted((i for i, t in times.items() if t >= floor), key=lambda i: (-times[i], i))
    # Previous ids this poll did not see again (deleted, or past the page cap) carry no timestamp; each is at
    # least old_newest - overlap, so it may still be inside the window only while old_newest >= floor.
    if old_newest is not None and old_newest >= floor:
        recent.extend(sorted(seen - times.keys()))
    return {"newest": newest, "recent_ids": recent[:MAX_RECENT_IDS]}


def _conversation(hit: dict[str, Any]) -> tuple[Conversation, int] | None:
    """One Algolia hit as a Conversation with its creation time, or None when it lacks an id or a timestamp."""
    object_id = hit.get("objectID")
    created = _int(hit.get("created_at_i"))
    if not isinstance(object_id, str | int) or not str(object_id).strip() or created is None:
        return None
    object_id = str(object_id).strip()
    tags = hit.get("_tags") or []
    is_comment = isinstance(tags, list) and "comment" in tags
    if is_comment:
        title = f"Re: {_str(hit.get('story_title')) or 'a Hacker News story'}"
        body = hit.get("comment_text")
    else:
        title = _str(hit.get("title")) or f"Hacker News item {object_id}"
        body = hit.get("story_text")
    conversation = Conversation(
        source=HackerNewsSource.kind,
        external_id=object_id,
        url=ITEM_URL.format(object_id),
        title=title,
        text=html_to_text(body if isinstance(body, str) else None),
        author=_str(hit.get("author")) or None,
        created_at=datetime.fromtimestamp(created, UTC),
        thread_size=_int(hit.get("num_comments")),
        points=_int(hit.get("points")),
        link=None if is_comment else (_str(hit.get("url")) or None),
        community=None,
        kind="comment" if is_comment else "post",
    )
    return conversation, created


def _base_url(feed: Feed) -> str:
    base = (feed.url or DEFAULT_BASE_URL).strip().rstrip("/")
    try:
        check_url(base)
    except ValueError as e:
        raise ConfigError(
            f"feed {feed.name!r}: Hacker News base URL {feed.url!r} {e}; leave it out to use {DEFAULT_BASE_URL}"
        ) from None
    return base


def _tags(feed: Feed) -> Sequence[str]:
    raw = feed.options.get("tags")
    if raw is None:
        return DEFAULT_TAGS
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not raw:
        raise ConfigError(f"feed {feed.name!r}: tags must be a list drawn from {', '.join(TAGS)}; got {raw!r}")
    unknown = [t for t in raw if t not in TAGS]
    if unknown:
        raise ConfigError(
            f"feed {feed.name!r}: unknown Hacker News tag(s) {', '.join(map(repr, unknown))}; "
            f"use any of {', '.join(TAGS)}"
        )
    return tuple(dict.fromkeys(raw))


def _page_size(body: dict[str, Any]) -> int:
    size = _int(body.get("hitsPerPage"))
    return size if size and size > 0 else HITS_PER_PAGE


def _nb_pages(body: dict[str, Any], page: int) -> int:
    pages = _int(body.get("nbPages"))
    # Without nbPages, only a short page ends the walk.
    return pages if pages is not None else page + 2
