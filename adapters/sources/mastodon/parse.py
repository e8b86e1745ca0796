"""Mastodon's shapes: statuses as Conversations and Replies, status ids, and the Link header's pagination."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from earshot.adapters.sources.api import as_int, as_str
from earshot.adapters.sources.items import read_one
from earshot.adapters.sources.language import language_code
from earshot.adapters.sources.limits import iso_time
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation, Reply
from earshot.bot.text import excerpt

KIND = "mastodon"
TITLE_CHARS = 100
_LINK = re.compile(r"<([^>]*)>\s*;\s*rel=\"?([A-Za-z ]+)\"?")


def id_key(status_id: str) -> tuple[int, int, str]:
    """A sort key for status ids: Mastodon's are numbers in a string, other servers' sortable strings."""
    return (0, len(status_id), status_id) if status_id.isdigit() else (1, 0, status_id)


def link_param(link_header: str | None, rel: str, param: str) -> str | None:
    """One query parameter of the ``rel`` link of a Link header (``min_id`` of "prev"), or None."""
    for url, rels in _LINK.findall(link_header or ""):
        if rel in rels.split():
            values = parse_qs(urlsplit(url).query).get(param)
            return values[0] if values else None
    return None


def author_of(status: dict[str, Any], instance_host: str) -> str | None:
    """The author as ``user@server``: a local account's ``acct`` has no server part."""
    account = status.get("account")
    acct = as_str(account.get("acct")) if isinstance(account, dict) else ""
    if not acct:
        return None
    return acct if "@" in acct else f"{acct}@{instance_host}"


def conversation(status: Any, instance_host: str, community: str | None) -> Conversation | None:
    """A status (a reblog's original, for a reblog) as a Conversation; None without an id or an http(s) address."""
    if not isinstance(status, dict):
        return None
    inner = status["reblog"] if isinstance(status.get("reblog"), dict) else status
    uri = as_str(inner.get("uri"))
    url = as_str(inner.get("url")) or uri
    if not uri or not url.startswith(("https://", "http://")):
        return None
    body = html_to_text(inner.get("content") if isinstance(inner.get("content"), str) else None)
    spoiler = as_str(inner.get("spoiler_text"))
    # A content warning hides the text behind it in every client; keep it in front, as readers see it.
    text = f"CW: {spoiler}\n\n{body}".strip() if spoiler else body
    author = author_of(inner, instance_host)
    title = f"CW: {spoiler}" if spoiler else excerpt(body.split("\n", 1)[0], TITLE_CHARS)
    card = inner.get("card")
    link = as_str(card.get("url")) if isinstance(card, dict) else ""
    return Conversation(
        source=KIND,
        external_id=uri,
        url=url,
        title=title or f"A post by {author or 'someone'} on Mastodon",
        text=text,
        author=author,
        created_at=iso_time(inner.get("created_at")),
        thread_size=as_int(inner.get("replies_count")),
        points=as_int(inner.get("favourites_count")),
        link=link if link.startswith(("https://", "http://")) else None,
        community=community,
        kind="comment" if inner.get("in_reply_to_id") else "post",
        language=language_code(inner.get("language")),
        untitled=True,  # a status has no title: the title is its content warning or its first line
    )


def replies(root_id: str, descendants: Any, instance_host: str, limit: int) -> list[Reply]:
    """A context's descendants (already in thread order) as Replies with their depth under ``root_id``."""
    if not isinstance(descendants, list):
        return []
    depth: dict[str, int] = {root_id: -1}
    out: list[Reply] = []
    for status in descendants:
        if len(out) >= limit:
            break
        if not isinstance(status, dict) or not as_str(status.get("id")):
            continue
        parent = as_str(status.get("in_reply_to_id"))
        level = depth.get(parent, -1) + 1
        depth[as_str(status.get("id"))] = level
        reply = read_one(lambda s: _reply(*s), (status, parent, level, instance_host), source="Mastodon", what="reply")
        if reply is not None:
            out.append(reply)
    return out


def _reply(status: dict[str, Any], parent: str, level: int, instance_host: str) -> Reply:
    spoiler = as_str(status.get("spoiler_text"))
    body = html_to_text(status.get("content") if isinstance(status.get("content"), str) else None)
    return Reply(
        external_id=as_str(status.get("uri")) or as_str(status.get("id")),
        author=author_of(status, instance_host),
        text=f"CW: {spoiler}\n\n{body}".strip() if spoiler else body,
        created_at=iso_time(status.get("created_at")),
        points=as_int(status.get("favourites_count")),
        url=as_str(status.get("url")) or None,
        parent_id=parent or None,
        depth=level,
    )


def origin_status(url: str) -> tuple[str, str] | None:
    """(server base URL, status id there) from ``https://host/@user/<id>`` or ``https://host/.../statuses/<id>``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme not in ("http", "https") or not parts.netloc or len(segments) < 2:
        return None
    if not (segments[-2].startswith("@") or segments[-2] in ("statuses", "notes", "objects")):
        return None
    if not re.fullmatch(r"[A-Za-z0-9]{1,40}", segments[-1]):
        return None
    return f"{parts.scheme}://{parts.netloc}", segments[-1]
