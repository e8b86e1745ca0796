"""Product Hunt: the newest posts (``posts(order: NEWEST)``), of a topic or all, and the comments on them."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from earshot.adapters.http import FetchError, SafeHttp, check_url
from earshot.adapters.sources.api import as_dict, as_int, as_list, as_str, include_option, parse_time
from earshot.adapters.sources.cursor import Page, Window, pause_error, walk
from earshot.adapters.sources.items import read_items, read_one
from earshot.adapters.sources.producthunt.graphql import DEFAULT_API_URL, SERVICE, TOKEN_ENV, Budget, query
from earshot.adapters.sources.producthunt.kind import DECLARATION
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

OPTIONS = DECLARATION.option_names
INCLUDE = ("posts", "comments")
OVERLAP_SECONDS = 600
PAGE_SIZE = 20
MAX_PAGES = 3
COMMENTS_KEY = "comments"  # the comments' own Window cursor, nested in the feed's
COMMENT_DAYS = 1  # comments are read on the posts of the last day (where Product Hunt's talk happens)
COMMENTS_PER_POST = 20
_TOPIC = re.compile(r"[a-z0-9][a-z0-9-]{0,60}")
_ID = re.compile(r"[0-9]{1,15}")
_POST = "id name tagline description url website votesCount commentsCount createdAt user { username }"
_COMMENT = "id body url votesCount createdAt parentId user { username }"
POSTS = (
    "query($first: Int!, $after: String, $topic: String, $postedAfter: DateTime) {"
    " posts(order: NEWEST, first: $first, after: $after, topic: $topic, postedAfter: $postedAfter) {"
    f" pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {_POST} }} }} }} }}"
)
RECENT_COMMENTS = (
    "query($first: Int!, $topic: String, $postedAfter: DateTime, $comments: Int!) {"
    " posts(order: NEWEST, first: $first, topic: $topic, postedAfter: $postedAfter) {"
    f" edges {{ node {{ {_POST} comments(first: $comments, order: NEWEST) {{"
    f" edges {{ node {{ {_COMMENT} }} }} }} }} }} }} }}"
)
POST_THREAD = (
    "query($id: ID!, $first: Int!) { post(id: $id) {"
    f" {_POST} comments(first: $first, order: NEWEST) {{ totalCount edges {{ node {{ {_COMMENT}"
    f" replies(first: $first) {{ edges {{ node {{ {_COMMENT} }} }} }} }} }} }} }} }}"
)
PROBE = "query { posts(first: 1) { edges { node { id } } } }"
COMMENT_THREAD = (
    "query($id: ID!, $first: Int!) { comment(id: $id) {"
    f" {_COMMENT} replies(first: $first) {{ totalCount edges {{ node {{ {_COMMENT} }} }} }} }} }}"
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ProductHuntSource:
    """Polls Product Hunt's newest posts and, with include "comments", the newest comments on the last day's."""

    kind: str = "producthunt"

    def __init__(self, http: SafeHttp, *, env: Mapping[str, str] | None = None, clock: Clock = _utcnow) -> None:
        env = env or {}
        self._http = http
        self._clock = clock
        self._token = (env.get(TOKEN_ENV) or "").strip() or None  # never logged: the log masks it too
        self._api = (env.get("PRODUCTHUNT_API_URL") or "").strip() or DEFAULT_API_URL  # where threads are read

    def check(self, feed: Feed) -> None:
        """Refuse unknown options, a bad topic or a bad API address, with an example."""
        _settings(feed)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Posts created since the cursor, newest first; then new comments on the last day's posts."""
        try:
            api, topic, include = _settings(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        token = self.token()
        now_at = self._clock()
        paused = pause_error(cursor, now_at, SERVICE)
        if paused is not None:
            raise paused
        now = int(now_at.timestamp())
        window = Window.read(cursor, OVERLAP_SECONDS, now=now, source=SERVICE)
        after: list[str] = []
        spent = Budget()

        async def page(number: int) -> Page:
            nonlocal spent
            since = window.floor - 1 if window.floor is not None else now - 86400
            variables = {
                "first": PAGE_SIZE,
                "after": after[-1] if after else None,
                "topic": topic,
                "postedAfter": _iso(since),
            }
            data, spent = await query(self._http, api, token, POSTS, variables, now_at)
            posts = as_dict(data.get("posts"))
            info = as_dict(posts.get("pageInfo"))
            if as_str(info.get("endCursor")):
                after.append(as_str(info.get("endCursor")))
            result = Page(has_more=info.get("hasNextPage") is True)
            nodes = [as_dict(e).get("node") for e in as_list(posts.get("edges"))]
            result.items += read_items(nodes, lambda n: _post(as_dict(n), topic), source=SERVICE, what="post")
            return result

        items: list[Conversation] = []
        times: dict[str, int] = {}
        if "posts" in include:
            items, times, capped = await walk(page, window, max_pages=MAX_PAGES, seeding=seeding)
            if capped:
                log.warning(
                    "Product Hunt feed %r: more than %d pages of new posts; the oldest were skipped",
                    feed.name,
                    MAX_PAGES,
                )
        extra: dict[str, Any] = {}
        if "comments" in include:
            comments, extra[COMMENTS_KEY], spent = await self._comments(api, token, topic, cursor, seeding, now_at)
            items = [*items, *comments]
        if spent.low and spent.reset is not None:
            # The next queries would be refused: wait for the window to reset instead of spending it to nothing.
            log.warning("Product Hunt feed %r: %s; the feed waits for the reset", feed.name, spent.shown())
            extra["not_before"] = now + int(spent.reset)
        else:
            log.debug("Product Hunt feed %r: %s", feed.name, spent.shown())
        return FetchResult(items, window.next(times, fallback=now, extra=extra))

    def token(self) -> str:
        """The developer token, or a FeedError naming the variable to set."""
        if self._token is None:
            raise FeedError(
                f"Product Hunt needs a developer token: set {TOKEN_ENV} (create an application at "
                "https://www.producthunt.com/v2/oauth/applications and copy its developer token)"
            )
        return self._token

    async def check_credentials(self, feed: Feed) -> tuple[bool, str, str]:
        """For `earshot doctor`: one small query with the token; (ok, what was found, what to do)."""
        fix = f"set {TOKEN_ENV} to a developer token from https://www.producthunt.com/v2/oauth/applications"
        if self._token is None:
            return False, f"producthunt feed {feed.name!r}: {TOKEN_ENV} is not set", fix
        try:
            api = _settings(feed)[0]
            _, spent = await query(self._http, api, self._token, PROBE, {}, self._clock())
        except (ConfigError, FeedError, FetchError) as e:
            return False, f"producthunt feed {feed.name!r}: {e}", fix
        return True, f"producthunt feed {feed.name!r}: {TOKEN_ENV} works ({spent.shown()})", ""

    async def _comments(
        self, api: str, token: str, topic: str | None, cursor: dict[str, Any], seeding: bool, now_at: datetime
    ) -> tuple[list[Conversation], dict[str, Any], Budget]:
        now = int(now_at.timestamp())
        window = Window.read(as_dict(cursor.get(COMMENTS_KEY)), OVERLAP_SECONDS, now=now, source=SERVICE)
        variables = {
            "first": PAGE_SIZE,
            "topic": topic,
            "postedAfter": _iso(now - COMMENT_DAYS * 86400),
            "comments": COMMENTS_PER_POST,
        }
        data, spent = await query(self._http, api, token, RECENT_COMMENTS, variables, now_at)
        found: list[tuple[Conversation, int]] = []
        for edge in as_list(as_dict(data.get("posts")).get("edges")):
            node = as_dict(as_dict(edge).get("node"))
            post = read_one(lambda n: _post(n, topic), node, source=SERVICE, what="post")
            if post is None:
                continue
            raws = [as_dict(e).get("node") for e in as_list(as_dict(node.get("comments")).get("edges"))]
            found += read_items(raws, functools.partial(_comment_item, post=post[0]), source=SERVICE, what="comment")
        times = {item.external_id: created for item, created in found}
        first = seeding or window.newest is None  # a first look only notes where the comments stand
        items = [] if first else [item for item, created in found if window.wants(item.external_id, created)]
        return items, window.next(times, fallback=now), spent

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """A post now and its comments, oldest first with the answers under each; for a comment, its answers."""
        token = self.token()
        first = max(1, min(limit, 50))
        if conversation.external_id.startswith("c/"):
            comment_id = conversation.external_id.removeprefix("c/")
            if not _ID.fullmatch(comment_id):
                raise FeedError(f"{comment_id!r} is not a Product Hunt comment id")
            data, _ = await query(
                self._http, self._api, token, COMMENT_THREAD, {"id": comment_id, "first": first}, self._clock()
            )
            raw = as_dict(data.get("comment"))
            if not raw:
                raise FeedError(f"Product Hunt comment {comment_id} is gone (deleted)")
            replies = as_dict(raw.get("replies"))
            below = _replies(replies, 0, comment_id)
            return Thread(conversation, tuple(below[:limit]), as_int(replies.get("totalCount")))
        if not _ID.fullmatch(conversation.external_id):
            raise FeedError(f"{conversation.external_id!r} is not a Product Hunt post id")
        variables = {"id": conversation.external_id, "first": first}
        data, _ = await query(self._http, self._api, token, POST_THREAD, variables, self._clock())
        raw = as_dict(data.get("post"))
        if not raw:
            raise FeedError(f"Product Hunt post {conversation.external_id} is gone (deleted or hidden)")
        post = read_one(lambda n: _post(n, None), raw, source=SERVICE, what="post")
        comments = as_dict(raw.get("comments"))
        out: list[Reply] = []
        # Product Hunt lists newest first; a thread reads oldest first, each comment followed by its answers.
        for edge in reversed(as_list(comments.get("edges"))):
            node = as_dict(as_dict(edge).get("node"))
            top = read_one(lambda n: _reply(n, 0, None), node, source=SERVICE, what="comment")
            if top is not None:
                out.append(top)
                out += _replies(as_dict(node.get("replies")), 1, top.external_id)
        total = as_int(comments.get("totalCount"))
        return Thread(post[0] if post else conversation, tuple(out[:limit]), total)


def _replies(connection: dict[str, Any], depth: int, parent: str) -> list[Reply]:
    nodes = [as_dict(e).get("node") for e in reversed(as_list(connection.get("edges")))]
    return read_items(nodes, lambda n: _reply(as_dict(n), depth, parent), source=SERVICE, what="comment")


def _user(raw: dict[str, Any]) -> str | None:
    # Product Hunt hides other people's names from API clients: "[REDACTED]" says nothing about who wrote it.
    name = as_str(as_dict(raw.get("user")).get("username"))
    return None if not name or name == "[REDACTED]" else name


def _plain_url(value: object) -> str:
    # Every URL comes with utm_* parameters naming the API client; without them the same page is one address. The
    # rest of the query stays: a comment's address names the comment in it.
    parts = urlsplit(as_str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))


def _post(raw: dict[str, Any], topic: str | None) -> tuple[Conversation, int] | None:
    post_id, created, url = as_str(raw.get("id")), parse_time(raw.get("createdAt")), _plain_url(raw.get("url"))
    if not _ID.fullmatch(post_id) or created is None or not url:
        return None
    tagline, description = " ".join(as_str(raw.get("tagline")).split()), as_str(raw.get("description"))
    conversation = Conversation(
        source=ProductHuntSource.kind,
        external_id=post_id,
        url=url,
        title=" ".join(as_str(raw.get("name")).split()) + (f": {tagline}" if tagline else ""),
        text=description or tagline,
        author=_user(raw),
        created_at=created,
        thread_size=as_int(raw.get("commentsCount")),
        points=as_int(raw.get("votesCount")),
        link=_plain_url(raw.get("website")) or None,
        community=f"producthunt.com/{topic}" if topic else "producthunt.com",
        kind="post",
    )
    return conversation, int(created.timestamp())


def _comment_item(node: object, *, post: Conversation) -> tuple[Conversation, int] | None:
    raw = as_dict(node)
    comment_id, created, url = as_str(raw.get("id")), parse_time(raw.get("createdAt")), _plain_url(raw.get("url"))
    if not _ID.fullmatch(comment_id) or created is None or not url:
        return None
    conversation = Conversation(
        source=ProductHuntSource.kind,
        external_id=f"c/{comment_id}",  # comment and post ids are apart by the prefix
        url=url,
        title=f"Re: {post.title}",
        text=html_to_text(as_str(raw.get("body"))),
        author=_user(raw),
        created_at=created,
        points=as_int(raw.get("votesCount")),
        community=post.community,
        kind="comment",
    )
    return conversation, int(created.timestamp())


def _reply(raw: dict[str, Any], depth: int, parent: str | None) -> Reply | None:
    comment_id = as_str(raw.get("id"))
    if not comment_id:
        return None
    return Reply(
        external_id=comment_id,
        author=_user(raw),
        text=html_to_text(as_str(raw.get("body"))),
        created_at=parse_time(raw.get("createdAt")),
        points=as_int(raw.get("votesCount")),
        url=_plain_url(raw.get("url")) or None,
        parent_id=as_str(raw.get("parentId")) or parent,
        depth=depth,
    )


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _settings(feed: Feed) -> tuple[str, str | None, tuple[str, ...]]:
    example = 'options = { topic = "developer-tools" }'
    unknown = sorted(set(feed.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"feed {feed.name!r}: unknown Product Hunt option(s) {', '.join(unknown)}; use topic and include, like "
            f"{example}"
        )
    if feed.query:
        raise ConfigError(
            f"feed {feed.name!r}: Product Hunt has no search to narrow by words; leave query out (your topics pick "
            f"the posts) or narrow by topic, like {example}"
        )
    api = (feed.url or DEFAULT_API_URL).strip()
    try:
        check_url(api)
    except ValueError as e:
        raise ConfigError(
            f"feed {feed.name!r}: Product Hunt url {feed.url!r} {e}; leave it out for {DEFAULT_API_URL}"
        ) from None
    topic = feed.options.get("topic")
    if topic is not None and (not isinstance(topic, str) or not _TOPIC.fullmatch(topic.strip().lower())):
        raise ConfigError(f"feed {feed.name!r}: topic {topic!r} is not a Product Hunt topic slug, like {example}")
    raw = feed.options.get("include")
    include = (
        ("posts",) if raw is None else include_option(raw, INCLUDE, f"feed {feed.name!r}", '["posts", "comments"]')
    )
    return api, topic.strip().lower() if isinstance(topic, str) else None, include
