"""Lobsters comments as items: the site's newest comments (``/comments.json``), read back to a time cursor."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from earshot.adapters.sources.api import as_dict, as_int, as_str, parse_time
from earshot.adapters.sources.cursor import Page, Window, walk
from earshot.adapters.sources.items import read_one
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation
from earshot.bot.errors import FeedError

CURSOR_KEY = "comments"  # the comments' own Window cursor, nested in the feed's
MAX_COMMENT_PAGES = 4
OVERLAP_SECONDS = 300
_STORY_IN_URL = re.compile(r"/s/([A-Za-z0-9]{1,12})(?:/|$|#)")

GetJson = Callable[[str], Awaitable[Any]]


def removed(raw: dict[str, Any]) -> bool:
    """Whether a listed comment was deleted or moderated away."""
    return raw.get("is_deleted") is True or raw.get("is_moderated") is True


def comment_item(raw: dict[str, Any], base: str) -> tuple[Conversation, int] | None:
    """A comment as a "comment" item with its creation time; None when it has no id, time or address."""
    short_id = as_str(raw.get("short_id"))
    created = parse_time(raw.get("created_at"))
    if not short_id or created is None:
        return None
    # "url" is the story's page at this comment (it names the story, which the thread needs); short_id_url redirects.
    url = as_str(raw.get("url")) or as_str(raw.get("short_id_url"))
    if not url.startswith(("https://", "http://")):
        return None
    title = " ".join(as_str(raw.get("story_title")).split())
    user = raw.get("commenting_user")
    author = as_str(user.get("username")) if isinstance(user, dict) else as_str(user)
    conversation = Conversation(
        source="lobsters",
        # Comments and stories have separate short ids: the prefix keeps them apart.
        external_id=f"c/{short_id}",
        url=url,
        title=f"Re: {title}" if title else f"Lobsters comment {short_id}",
        text=html_to_text(as_str(raw.get("comment"))) or as_str(raw.get("comment_plain")),
        author=author or None,
        created_at=created,
        points=as_int(raw.get("score")),
        community=urlsplit(base).hostname or "lobste.rs",
        kind="comment",
    )
    return conversation, int(created.timestamp())


def story_of(raw: dict[str, Any]) -> str | None:
    """The short id of the story a listed comment belongs to (its own field, or its address)."""
    sid = as_str(raw.get("story_short_id")) or as_str(as_dict(raw.get("story")).get("short_id"))
    if sid:
        return sid
    match = _STORY_IN_URL.search(as_str(raw.get("url")))
    return match.group(1) if match else None


async def newest_comments(
    get: GetJson, base: str, cursor: dict[str, Any], *, seeding: bool, now: int, max_pages: int = MAX_COMMENT_PAGES
) -> tuple[list[Conversation], dict[str, Any], bool]:
    """Comments created since the cursor (newest first), the new cursor, and whether the page cap cut in.

    With no comments cursor yet (a first poll, or include just gained "comments") it only records one.
    """
    window = Window.read(as_dict(cursor.get(CURSOR_KEY)), OVERLAP_SECONDS, now=now, source="Lobsters")
    first = seeding or window.newest is None

    async def page(number: int) -> Page:
        path = "/comments.json" if number == 1 else f"/comments/page/{number}.json"
        body = await get(f"{base}{path}")
        if not isinstance(body, list):
            raise FeedError("Lobsters answered with something that is not a comment list")
        result = Page(has_more=len(body) > 0)
        for raw in map(as_dict, body):
            item = read_one(lambda r: comment_item(r, base), raw, source="Lobsters", what="comment")
            if item is not None:
                # Removed comments still say how far back a page reaches (a page of them must not end the
                # walk early); they are dropped after it.
                result.items.append(item)
                if removed(raw):
                    gone.add(item[0].external_id)
        return result

    gone: set[str] = set()
    items, times, capped = await walk(page, window, max_pages=max_pages, seeding=first)
    kept = [] if first else [i for i in items if i.external_id not in gone]
    return kept, window.next(times, fallback=now), capped
