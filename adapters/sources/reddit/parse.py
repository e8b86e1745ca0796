"""Reddit's shapes as Conversations and Replies: API listings (t3 posts, t1 comments), comment trees, RSS entries."""

from __future__ import annotations

import calendar
import html
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from earshot.adapters.sources.api import as_int, as_str
from earshot.adapters.sources.feed_reader import as_text, read_feed, text_of
from earshot.adapters.sources.items import read_one
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation, Reply
from earshot.bot.errors import FeedError
from earshot.bot.finding.thread_state import marks_solved
from earshot.bot.text import excerpt

KIND = "reddit"
SITE = "https://www.reddit.com"
GONE = ("[deleted]", "[removed]")
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_ID_CHARS = 13


def id_number(fullname_or_id: str) -> int | None:
    """The number of a Reddit id ("hozvuc") or fullname ("t3_hozvuc"): ids are base 36 and grow over time."""
    raw = fullname_or_id.split("_", 1)[-1].lower()
    # Ids are 7 characters now; 13 reach past 2**64, where no Reddit id will be for a very long time.
    if not raw or len(raw) > MAX_ID_CHARS or any(c not in _B36 for c in raw):
        return None
    return int(raw, 36)


def listing_children(body: Any) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """(kind, data) of each child of a Listing, and its ``after``; FeedError when it is not a Listing."""
    data = body.get("data") if isinstance(body, dict) else None
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(children, list):
        raise FeedError('Reddit answered with something that is not a listing: it has no "data.children" list')
    out = [
        (as_str(c.get("kind")), c["data"]) for c in children if isinstance(c, dict) and isinstance(c.get("data"), dict)
    ]
    after = data.get("after") if isinstance(data, dict) else None
    return out, after if isinstance(after, str) and after else None


def is_gone(data: dict[str, Any]) -> bool:
    """Whether a post or comment was deleted by its author or removed by moderators: nothing left to join."""
    if data.get("removed_by_category") or as_str(data.get("body")) in GONE:
        return True
    return as_str(data.get("author")) == "[deleted]" and as_str(data.get("selftext")) in GONE


def conversation(kind: str, data: dict[str, Any]) -> Conversation | None:
    """A t3 (post) or t1 (comment) as a Conversation; None when it has no id, or is deleted or removed."""
    name = as_str(data.get("name"))
    if kind not in ("t3", "t1") or not name.startswith(kind + "_") or id_number(name) is None or is_gone(data):
        return None
    permalink = as_str(data.get("permalink"))
    url = SITE + permalink if permalink.startswith("/") else f"{SITE}/comments/{name[3:]}/"
    author = as_str(data.get("author"))
    created = data.get("created_utc")
    sub = as_str(data.get("subreddit_name_prefixed")) or (f"r/{data['subreddit']}" if data.get("subreddit") else "")
    if kind == "t3":
        text = _html(data.get("selftext_html")) or as_str(data.get("selftext"))
        link = as_str(data.get("url"))
        is_self = bool(data.get("is_self")) or not link or link.rstrip("/") == url.rstrip("/")
        title = html.unescape(as_str(data.get("title")))
        return Conversation(
            source=KIND,
            external_id=name,
            url=url,
            title=title or excerpt(text, 100) or url,
            text="" if text in GONE else text,
            author=None if author in GONE or not author else author,
            created_at=_epoch(created),
            thread_size=as_int(data.get("num_comments")),
            points=as_int(data.get("score")),
            link=None if is_self else link,
            community=sub or None,
            kind="post",
            state=thing_state(data),
            untitled=not title,
        )
    text = _html(data.get("body_html")) or as_str(data.get("body"))
    post_title = html.unescape(as_str(data.get("link_title")))
    return Conversation(
        source=KIND,
        external_id=name,
        url=url,
        title=f"Re: {post_title or 'a Reddit post'}",
        text=text,
        author=None if author in GONE or not author else author,
        created_at=_epoch(created),
        thread_size=None,
        points=as_int(data.get("score")),
        community=sub or None,
        kind="comment",
        state=thing_state(data),
    )


def thing_state(data: dict[str, Any]) -> str | None:
    """A post's or comment's state: locked (``locked`` by moderators, or ``archived``: too old for new comments),
    solved (a post whose ``link_flair_text`` says so: "Solved", "Resolved ✅", "Answered", "Gelöst"), else open."""
    if data.get("locked") is True or data.get("archived") is True:
        return "locked"
    flair = data.get("link_flair_text")
    return "solved" if isinstance(flair, str) and marks_solved(html.unescape(flair)) else None


def replies(children: Any, limit: int) -> list[Reply]:
    """A comment tree flattened depth first, in Reddit's order, without "more" stubs or deleted comments."""
    out: list[Reply] = []
    for data, depth in _walk(children):
        if len(out) >= limit:
            break
        reply = read_one(lambda d: _reply(*d), (data, depth), source="Reddit", what="comment")
        if reply is not None:
            out.append(reply)
    return out


def _reply(data: dict[str, Any], depth: int) -> Reply | None:
    """A comment of a thread as a Reply; None when deleted or removed."""
    if is_gone(data):
        return None
    permalink = as_str(data.get("permalink"))
    author = as_str(data.get("author"))
    return Reply(
        external_id=as_str(data.get("name")),
        author=None if author in GONE or not author else author,
        text=_html(data.get("body_html")) or as_str(data.get("body")),
        created_at=_epoch(data.get("created_utc")),
        points=as_int(data.get("score")),
        url=SITE + permalink if permalink.startswith("/") else None,
        parent_id=as_str(data.get("parent_id")) or None,
        depth=depth,
    )


def _walk(listing: Any) -> Iterator[tuple[dict[str, Any], int]]:
    """Comments of a listing depth first, with their depth; an explicit stack, as threads can nest very deep."""
    stack = [(data, 0) for data in reversed(_comments(listing))]
    while stack:
        data, depth = stack.pop()
        yield data, depth
        stack.extend((child, depth + 1) for child in reversed(_comments(data.get("replies"))))


def _comments(listing: Any) -> list[dict[str, Any]]:
    """The t1 children of a listing; "more" stubs left out (loading them costs a request each)."""
    try:
        children, _ = listing_children(listing)
    except FeedError:  # "replies" is "" when a comment has none
        return []
    return [data for kind, data in children if kind == "t1"]


def parse_rss(data: bytes, *, community: str | None = None) -> list[tuple[Conversation, str]]:
    """A Reddit Atom feed (``.rss``) as post Conversations with their fullnames; comments (t1) in it too."""
    try:
        parsed = read_feed(data)
    except FeedError as e:
        raise FeedError(f"Reddit answered with a feed that could not be read: {e}") from e
    entries = parsed.get("entries") or []
    if not entries and not parsed.get("version"):
        raise FeedError("Reddit answered with something that is not an RSS feed; check the subreddit or query")
    out: list[tuple[Conversation, str]] = []
    for entry in entries:
        name = as_str(entry.get("id"))
        link = as_str(entry.get("link"))
        if (
            id_number(name) is None
            or not name.startswith(("t3_", "t1_"))
            or not link.startswith(("https://", "http://"))
        ):
            continue
        content = entry.get("content") or []
        if content and isinstance(content[0], dict):
            text = as_text(content[0].get("value"), content[0].get("type"))
        else:
            text = text_of(entry, "summary")
        # Reddit appends "submitted by /u/x [link] [comments]" to every post: not the author's words.
        cut = text.rfind("submitted by")
        text = text[:cut].strip() if cut >= 0 else text
        author = as_str(entry.get("author")).removeprefix("/u/")
        tags = entry.get("tags") or []
        label = as_str(tags[0].get("label")) if tags and isinstance(tags[0], dict) else ""
        is_post = name.startswith("t3_")
        title = text_of(entry, "title")
        out.append(
            (
                Conversation(
                    source=KIND,
                    external_id=name,
                    url=link,
                    title=title if is_post else f"Re: {_post_title(title)}",
                    text="" if text in GONE else text,
                    author=None if not author or author in GONE else author,
                    created_at=_struct_time(entry.get("published_parsed") or entry.get("updated_parsed")),
                    community=label or community,
                    kind="post" if is_post else "comment",
                ),
                name,
            )
        )
    return out


def _post_title(comment_title: str) -> str:
    """A comment entry's title is "/u/<author> on <post title>"; keep the post title."""
    if comment_title.startswith("/u/") and " on " in comment_title:
        return comment_title.split(" on ", 1)[1]
    return comment_title


def _html(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    if value.lstrip().startswith("&lt;"):  # without raw_json=1 Reddit escapes its HTML once more
        value = html.unescape(value)
    return html_to_text(value)


def _epoch(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _struct_time(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None
