"""Dev.to comments: an article's comment tree (``/api/comments?a_id=``) as replies, and new comments as items."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from earshot.adapters.sources.api import as_dict, as_list, as_str, parse_time
from earshot.adapters.sources.cursor import Window
from earshot.adapters.sources.items import read_items
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation, Reply
from earshot.bot.errors import FeedError

log = logging.getLogger(__name__)

CURSOR_KEY = "comments"  # the comments' own Window cursor, nested in the feed's
OVERLAP_SECONDS = 600
MAX_ARTICLES = 10  # comment trees read per poll: one request each

GetJson = Callable[[str], Awaitable[Any]]


def flatten(comments: object) -> list[tuple[dict[str, Any], int, str | None]]:
    """Comments in thread order with their depth and parent's id_code, from Forem's nested ``children``."""
    out: list[tuple[dict[str, Any], int, str | None]] = []
    # An explicit stack: a hostile answer can nest deeper than Python's recursion limit.
    stack: list[tuple[dict[str, Any], int, str | None]] = [(as_dict(c), 0, None) for c in reversed(as_list(comments))]
    while stack:
        comment, depth, parent = stack.pop()
        out.append((comment, depth, parent))
        own = as_str(comment.get("id_code")) or None
        stack.extend((as_dict(c), depth + 1, own) for c in reversed(as_list(comment.get("children"))))
    return out


def _username(raw: dict[str, Any]) -> str | None:
    return as_str(as_dict(raw.get("user")).get("username")) or None


def comment_url(base: str, raw: dict[str, Any]) -> str | None:
    """Where a comment is shown: ``<base>/<username>/comment/<id_code>`` (Forem's comment permalink)."""
    code, user = as_str(raw.get("id_code")), _username(raw)
    return f"{base}/{user}/comment/{code}" if code and user else None


def replies(base: str, tree: object) -> list[Reply]:
    """The readable comments of a tree as Replies, in thread order (deleted ones have no id_code or user)."""

    def one(entry: tuple[dict[str, Any], int, str | None]) -> Reply | None:
        raw, depth, parent = entry
        code = as_str(raw.get("id_code"))
        if not code or raw.get("deleted") is True:
            return None
        return Reply(
            external_id=code,
            author=_username(raw),
            text=html_to_text(as_str(raw.get("body_html"))),
            created_at=parse_time(raw.get("created_at")),
            url=comment_url(base, raw),
            parent_id=parent,
            depth=depth,
        )

    return read_items(flatten(tree), one, source="Dev.to", what="comment")


def comment_item(base: str, raw: dict[str, Any], *, article: Conversation) -> tuple[Conversation, int] | None:
    """A comment on ``article`` as a "comment" item with its creation time; None when it cannot be placed."""
    code = as_str(raw.get("id_code"))
    created = parse_time(raw.get("created_at"))
    url = comment_url(base, raw)
    if not code or created is None or url is None or raw.get("deleted") is True:
        return None
    conversation = Conversation(
        source="devto",
        external_id=f"c/{code}",  # comment id_codes and article ids are apart by the prefix
        url=url,
        title=f"Re: {article.title}",
        text=html_to_text(as_str(raw.get("body_html"))),
        author=_username(raw),
        created_at=created,
        community=article.community or urlsplit(base).hostname,
        kind="comment",
        language=article.language,  # a comment has no language of its own in the API; its article's is a guess
    )
    return conversation, int(created.timestamp())


async def new_comments(
    get: GetJson, base: str, articles: list[tuple[Conversation, str | None]], cursor: dict[str, Any], *, now: int
) -> tuple[list[Conversation], dict[str, Any]]:
    """Comments created since the comments cursor on ``articles`` (each with its last_comment_at), and the new
    cursor. Without a comments cursor yet (a first poll, or include just gained "comments") it only records one."""
    window = Window.read(as_dict(cursor.get(CURSOR_KEY)), OVERLAP_SECONDS, now=now, source="Dev.to")
    if window.floor is None:
        return [], window.next({}, fallback=now)
    floor = window.floor
    # Each article's last_comment_at when its comments were last read: one unchanged since is not read again.
    read_at = {str(k): v for k, v in as_dict(as_dict(cursor.get(CURSOR_KEY)).get("read")).items() if isinstance(v, int)}
    lasts = [(int(t.timestamp()), a) for a, last in articles if (t := parse_time(last)) is not None]
    # Oldest activity first: when the cap cuts in, the articles left out are the most recently active; they are
    # read on the next poll, since what was read is remembered and not read again.
    active = [
        (last, a)
        for last, a in sorted(lasts, key=lambda pair: pair[0])
        if last >= floor and read_at.get(a.external_id) != last
    ]
    if len(active) > MAX_ARTICLES:
        log.info(
            "Dev.to: %d articles have new comments; %d are read this poll, the rest next", len(active), MAX_ARTICLES
        )
    items: list[Conversation] = []
    times: dict[str, int] = {}
    for last, article in active[:MAX_ARTICLES]:
        tree = await get(f"{base}/api/comments?a_id={article.external_id}")
        if not isinstance(tree, list):
            raise FeedError("Dev.to answered with something that is not a comment list")
        found = read_items(
            [raw for raw, _, _ in flatten(tree)],
            functools.partial(comment_item, base, article=article),
            source="Dev.to",
            what="comment",
        )
        for item, created in found:
            times[item.external_id] = created
            if window.wants(item.external_id, created):
                items.append(item)
        read_at[article.external_id] = last
    nxt = window.next(times, fallback=now)
    # Kept while inside the window (an older last comment is never read again anyway): the cursor stays small.
    kept = {k: v for k, v in read_at.items() if v >= nxt["newest"] - OVERLAP_SECONDS}
    return items, {**nxt, "read": kept}
