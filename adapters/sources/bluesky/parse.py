"""Bluesky's shapes: post views as Conversations, thread views as Replies, and each post's sort time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from earshot.adapters.sources.api import as_int, as_str
from earshot.adapters.sources.items import read_one
from earshot.adapters.sources.language import language_code
from earshot.adapters.sources.limits import iso_time
from earshot.bot.domain import Conversation, Reply
from earshot.bot.text import excerpt

KIND = "bluesky"
APP = "https://bsky.app"
TITLE_CHARS = 100


def post_url(uri: str, author: dict[str, Any]) -> str | None:
    """https://bsky.app/profile/<handle>/post/<rkey> for ``at://<did>/app.bsky.feed.post/<rkey>``."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3 or parts[1] != "app.bsky.feed.post" or not parts[2]:
        return None
    handle = as_str(author.get("handle"))
    # A handle that no longer verifies shows as "handle.invalid"; the did always resolves.
    who = handle if handle and handle != "handle.invalid" else as_str(author.get("did")) or parts[0]
    return f"{APP}/profile/{who}/post/{parts[2]}"


def sort_time(post: Any) -> datetime | None:
    """When search sorts the post: the earlier of its claimed creation time and when it was indexed."""
    if not isinstance(post, dict):
        return None
    record = post.get("record")
    created = iso_time(record.get("createdAt")) if isinstance(record, dict) else None
    indexed = iso_time(post.get("indexedAt"))
    times = [t for t in (created, indexed) if t is not None]
    return min(times) if times else None


def conversation(post: Any, community: str | None) -> Conversation | None:
    """A post view as a Conversation; None without a uri, an author or a post record."""
    if not isinstance(post, dict):
        return None
    uri = as_str(post.get("uri"))
    author = post.get("author")
    record = post.get("record")
    if not isinstance(author, dict) or not isinstance(record, dict):
        return None
    url = post_url(uri, author)
    if url is None:
        return None
    text = _text(record)
    handle = as_str(author.get("handle"))
    name = as_str(author.get("displayName")) or handle
    return Conversation(
        source=KIND,
        external_id=uri,
        url=url,
        title=excerpt(text.split("\n", 1)[0], TITLE_CHARS) or f"A post by {name or 'someone'} on Bluesky",
        text=text,
        author=handle if handle and handle != "handle.invalid" else as_str(author.get("did")) or None,
        created_at=iso_time(record.get("createdAt")) or iso_time(post.get("indexedAt")),
        thread_size=as_int(post.get("replyCount")),
        points=as_int(post.get("likeCount")),
        link=_link(record),
        community=community,
        kind="comment" if isinstance(record.get("reply"), dict) else "post",
        state=_state(post),
        language=language_code(langs[0]) if isinstance(langs := record.get("langs"), list) and langs else None,
        untitled=True,  # a post has no title: the title is its first line
    )


def _state(post: dict[str, Any]) -> str | None:
    """ "locked" when the post's threadgate lets nobody reply (``allow`` an empty list), else open (None)."""
    gate = post.get("threadgate")
    record = gate.get("record") if isinstance(gate, dict) else None
    if isinstance(record, dict) and record.get("allow") == []:
        return "locked"
    return None


def replies(root: dict[str, Any], limit: int) -> list[Reply]:
    """The replies of a thread view, depth first in the server's order; deleted and blocked ones left out."""
    out: list[Reply] = []
    stack: list[tuple[Any, int, str]] = [
        (child, 0, as_str(_post(root).get("uri"))) for child in reversed(_children(root))
    ]
    while stack and len(out) < limit:
        node, depth, parent = stack.pop()
        if not isinstance(node, dict) or not as_str(node.get("$type")).endswith("#threadViewPost"):
            continue  # notFoundPost (deleted), blockedPost
        post = _post(node)
        author = post.get("author") if isinstance(post.get("author"), dict) else {}
        record = post.get("record") if isinstance(post.get("record"), dict) else {}
        uri = as_str(post.get("uri"))
        if not uri or not isinstance(author, dict) or not isinstance(record, dict):
            continue
        reply = read_one(lambda a: _reply(*a), (post, author, record, parent, depth), source="Bluesky", what="reply")
        if reply is not None:
            out.append(reply)
        stack.extend((child, depth + 1, uri) for child in reversed(_children(node)))
    return out


def _reply(post: dict[str, Any], author: dict[str, Any], record: dict[str, Any], parent: str, depth: int) -> Reply:
    uri = as_str(post.get("uri"))
    return Reply(
        external_id=uri,
        author=as_str(author.get("handle")) or None,
        text=_text(record),
        created_at=iso_time(record.get("createdAt")),
        points=as_int(post.get("likeCount")),
        url=post_url(uri, author),
        parent_id=parent or None,
        depth=depth,
    )


def _post(node: dict[str, Any]) -> dict[str, Any]:
    post = node.get("post")
    return post if isinstance(post, dict) else {}


def _children(node: dict[str, Any]) -> list[Any]:
    children = node.get("replies")
    return children if isinstance(children, list) else []


def _text(record: dict[str, Any]) -> str:
    """The post's text: plain text already (links shortened in it; the full ones are in facets)."""
    text = record.get("text")
    return "\n".join(line.rstrip() for line in text.strip().split("\n")) if isinstance(text, str) else ""


def _link(record: dict[str, Any]) -> str | None:
    """The first link of the post: an external embed's, else the first link facet's."""
    embed = record.get("embed")
    if isinstance(embed, dict) and isinstance(embed.get("external"), dict):
        uri = as_str(embed["external"].get("uri"))
        if uri.startswith(("https://", "http://")):
            return uri
    facets = record.get("facets")
    for facet in facets if isinstance(facets, list) else []:
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features if isinstance(features, list) else []:
            if isinstance(feature, dict) and as_str(feature.get("$type")).endswith("#link"):
                uri = as_str(feature.get("uri"))
                if uri.startswith(("https://", "http://")):
                    return uri
    return None
