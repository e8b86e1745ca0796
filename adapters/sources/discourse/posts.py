"""Discourse replies as items: the forum's newest posts (``/posts.json``), read back to an id cursor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from earshot.adapters.sources.api import as_dict, as_int, as_str, parse_time
from earshot.adapters.sources.items import read_one
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation
from earshot.bot.errors import FeedError

CURSOR_KEY = "posts_after"  # the newest post id seen; separate from the topics' time cursor
MAX_POST_PAGES = 5
MAX_BODY_CHARS = 20_000
_REGULAR = 1

GetJson = Callable[[str, dict[str, str | int] | None], Awaitable[dict[str, Any]]]


def post_item(raw: dict[str, Any], base: str, community: str, category_id: int | None) -> Conversation | None:
    """A reply post as a "comment" item; None for a first post, deleted, hidden or non-regular post, other category."""
    post_id, number, topic_id = as_int(raw.get("id")), as_int(raw.get("post_number")), as_int(raw.get("topic_id"))
    created = parse_time(raw.get("created_at"))
    if post_id is None or number is None or topic_id is None or created is None or number <= 1:
        return None
    if raw.get("deleted_at") or raw.get("user_deleted") is True or raw.get("hidden") is True:
        return None
    if as_int(raw.get("post_type")) != _REGULAR:  # small actions, whispers, moderator actions
        return None
    if category_id is not None and as_int(raw.get("category_id")) != category_id:
        return None
    slug = as_str(raw.get("topic_slug")) or "topic"
    title = html_to_text(as_str(raw.get("topic_html_title"))) or as_str(raw.get("topic_title")) or f"topic {topic_id}"
    return Conversation(
        source="discourse",
        external_id=f"{base}/p/{post_id}",
        url=f"{base}/t/{slug}/{topic_id}/{number}",
        title=title,
        text=html_to_text(as_str(raw.get("cooked")))[:MAX_BODY_CHARS],
        author=as_str(raw.get("username")) or None,
        created_at=created,
        thread_size=as_int(raw.get("reply_count")),
        community=community,
        kind="comment",
    )


async def newest_posts(
    get: GetJson, base: str, cursor: int | None, category_id: int | None, *, seeding: bool
) -> tuple[list[Conversation], int | None, bool]:
    """Posts newer than ``cursor`` (oldest first), the new cursor, and whether the page cap cut the walk short.

    Post ids grow with creation, so "newer" is "id above the cursor". A first poll (``seeding``, or no cursor yet,
    as when include gains "posts" on an existing feed) only records the newest id.
    """
    community = f"{urlsplit(base).hostname}"
    newest = cursor
    found: dict[int, Conversation] = {}
    before: int | None = None
    for _ in range(MAX_POST_PAGES):
        body = await get(f"{base}/posts.json", {"before": before} if before is not None else None)
        raw_posts = body.get("latest_posts")
        if not isinstance(raw_posts, list):
            raise FeedError('Discourse answered with something that is not a post list: no "latest_posts"')
        ids = [i for i in (as_int(as_dict(p).get("id")) for p in raw_posts) if i is not None]
        if not ids:
            return _ordered(found), newest, False
        newest = max(ids) if newest is None else max(newest, *ids)
        if seeding or cursor is None:
            return [], newest, False
        for raw in map(as_dict, raw_posts):
            post_id = as_int(raw.get("id"))
            if post_id is not None and post_id > cursor:
                item = read_one(
                    lambda r: post_item(r, base, community, category_id), raw, source="Discourse", what="post"
                )
                if item is not None:
                    found[post_id] = item
        if min(ids) <= cursor + 1:
            return _ordered(found), newest, False
        before = min(ids)
    return _ordered(found), newest, True


def _ordered(found: dict[int, Conversation]) -> list[Conversation]:
    return [found[i] for i in sorted(found)]


def read_cursor(cursor: dict[str, Any]) -> int | None:
    """The newest post id a stored cursor holds, or None."""
    value = cursor.get(CURSOR_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
