"""GitHub discussions through the GraphQL API (which always needs a token): search, and a discussion's comments."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.api import (
    as_dict,
    as_int,
    as_list,
    as_str,
    check_status,
    parse_json,
    parse_time,
    quota_wait,
)
from earshot.adapters.sources.cursor import Page, Window, walk
from earshot.adapters.sources.items import read_items, read_one
from earshot.bot.domain import Conversation, Reply, Thread
from earshot.bot.errors import FeedError

SERVICE = "GitHub GraphQL"
PAGE_SIZE = 50
MAX_BODY_CHARS = 20_000
_FIELDS = """
  id number title bodyText url createdAt upvoteCount closed locked
  answer { id }
  author { login }
  comments { totalCount }
  repository { nameWithOwner }
  category { name }
"""
SEARCH = (
    (
        "query($q: String!, $after: String) { search(query: $q, type: DISCUSSION, first: PAGE_SIZE, after: $after) {"
        " pageInfo { hasNextPage endCursor } nodes { ... on Discussion { FIELDS } } } }"
    )
    .replace("PAGE_SIZE", str(PAGE_SIZE))
    .replace("FIELDS", _FIELDS)
)
THREAD = (
    "query($owner: String!, $name: String!, $number: Int!, $first: Int!) { repository(owner: $owner, name: $name) {"
    " discussion(number: $number) { FIELDS comments(first: $first) { nodes {"
    " id bodyText url createdAt upvoteCount author { login } } } } } }"
).replace("FIELDS", _FIELDS)


async def query(http: SafeHttp, url: str, token: str, text: str, variables: dict[str, Any], now: datetime) -> Any:
    """POST one GraphQL query; FeedError on an HTTP error, an exhausted quota or a GraphQL error list."""
    response = await http.post(
        url,
        content=json.dumps({"query": text, "variables": variables}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"},
    )
    check_status(
        response, service=SERVICE, now=now, auth_hint="check GITHUB_TOKEN (expired, revoked, or lacking read access)"
    )
    body = as_dict(parse_json(response, SERVICE))
    errors = [as_dict(e) for e in as_list(body.get("errors"))]
    if errors:
        if any(as_str(e.get("type")) == "RATE_LIMITED" for e in errors):
            wait = quota_wait(response.headers, now) or 60.0
            raise FeedError(f"{SERVICE} rate limit reached; retrying in {wait:.0f} s", retry_after=wait)
        text = "; ".join(as_str(e.get("message")) for e in errors)[:300]
        raise FeedError(f"{SERVICE} refused the query: {text}")
    return as_dict(body.get("data"))


async def search_discussions(
    http: SafeHttp,
    url: str,
    token: str,
    search: str,
    window: Window,
    *,
    now: datetime,
    seeding: bool,
    max_pages: int,
) -> tuple[list[Conversation], dict[str, int], bool]:
    """Discussions matching ``search``, newest first, walked back to the window."""
    after: list[str] = []

    async def page(number: int) -> Page:
        variables: dict[str, Any] = {"q": f"{search} sort:created-desc", "after": after[-1] if after else None}
        data = await query(http, url, token, SEARCH, variables, now)
        found = as_dict(data.get("search"))
        info = as_dict(found.get("pageInfo"))
        result = Page(has_more=info.get("hasNextPage") is True)
        end = as_str(info.get("endCursor"))
        if end:
            after.append(end)
        result.items += read_items(as_list(found.get("nodes")), lambda n: discussion(as_dict(n)), source=SERVICE)
        return result

    return await walk(page, window, max_pages=max_pages, seeding=seeding)


async def discussion_thread(
    http: SafeHttp, url: str, token: str, conversation: Conversation, repo: str, number: int, limit: int, now: datetime
) -> Thread:
    """A discussion now, with its first ``limit`` comments."""
    owner, _, name = repo.partition("/")
    variables = {"owner": owner, "name": name, "number": number, "first": max(1, min(limit, 100))}
    data = await query(http, url, token, THREAD, variables, now)
    raw = as_dict(as_dict(data.get("repository")).get("discussion"))
    if not raw:
        raise FeedError(f"GitHub discussion {repo}#{number} is gone (deleted, or the repository is private)")
    refreshed = read_one(discussion, raw, source=SERVICE, what="discussion")
    comments = as_dict(raw.get("comments"))
    replies = read_items(as_list(comments.get("nodes")), _comment, source=SERVICE, what="comment")
    return Thread(
        refreshed[0] if refreshed else conversation, tuple(replies[:limit]), as_int(comments.get("totalCount"))
    )


def _comment(node: Any) -> Reply | None:
    c = as_dict(node)
    if not as_str(c.get("id")):
        return None
    return Reply(
        external_id=as_str(c.get("id")),
        author=as_str(as_dict(c.get("author")).get("login")) or None,  # null author: a deleted account
        text=as_str(c.get("bodyText"))[:MAX_BODY_CHARS],
        created_at=parse_time(c.get("createdAt")),
        points=as_int(c.get("upvoteCount")),
        url=as_str(c.get("url")) or None,
    )


def discussion(raw: dict[str, Any]) -> tuple[Conversation, int] | None:
    """One Discussion node with its creation time, or None when it lacks what we need."""
    number = as_int(raw.get("number"))
    created = parse_time(raw.get("createdAt"))
    url = as_str(raw.get("url"))
    repo = as_str(as_dict(raw.get("repository")).get("nameWithOwner"))
    if number is None or created is None or not url.startswith(("https://", "http://")) or not repo:
        return None
    category = as_str(as_dict(raw.get("category")).get("name"))
    conversation = Conversation(
        source="github",
        external_id=f"{repo}#{number}",
        url=url,
        title=as_str(raw.get("title")) or f"{repo}#{number}",
        text=as_str(raw.get("bodyText"))[:MAX_BODY_CHARS],
        author=as_str(as_dict(raw.get("author")).get("login")) or None,
        created_at=created,
        thread_size=as_int(as_dict(raw.get("comments")).get("totalCount")),
        points=as_int(raw.get("upvoteCount")),
        community=f"{repo} discussions/{category}" if category else f"{repo} discussions",
        kind="post",
        state=discussion_state(raw),
    )
    return conversation, int(created.timestamp())


def discussion_state(raw: dict[str, Any]) -> str | None:
    """A discussion's state: locked (``locked``: only collaborators may comment), closed (``closed``), solved (an
    ``answer`` chosen), else open."""
    if raw.get("locked") is True:
        return "locked"
    if raw.get("closed") is True:
        return "closed"
    return "solved" if as_dict(raw.get("answer")) else None
