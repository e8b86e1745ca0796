"""Discourse forums: new topics of a forum or one category, each an item once; its posts are the thread."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
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
    option_flag,
    parse_time,
)
from earshot.adapters.sources.cursor import Page, Window, walk
from earshot.adapters.sources.discourse.kind import DECLARATION
from earshot.adapters.sources.discourse.posts import CURSOR_KEY, MAX_POST_PAGES, newest_posts, read_cursor
from earshot.adapters.sources.items import read_items, read_one
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

SERVICE = "Discourse"
KEY_ENV = "DISCOURSE_API_KEY"
USER_ENV = "DISCOURSE_API_USERNAME"
OPTIONS = DECLARATION.option_names
INCLUDE = ("topics", "posts")
OVERLAP_SECONDS = 300
MAX_PAGES = 5
BODY_FETCHES = 10  # new topics whose first post is read per poll; the rest keep the listing's excerpt
POSTS_PER_REQUEST = 20  # what Discourse returns per /t/<id>/posts.json call
MAX_BODY_CHARS = 20_000
# "slug", "slug/12", "parent/child/12" or "12"
_CATEGORY = re.compile(r"[\w\-]+(?:/[\w\-]+){0,2}")
_REGULAR, _SMALL_ACTION = 1, 3


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DiscourseSource:
    """Polls ``/latest.json?order=created`` (or a category's) for topics created since the cursor."""

    kind: str = "discourse"

    def __init__(self, http: SafeHttp, env: Mapping[str, str] | None = None, *, clock: Clock = _utcnow) -> None:
        env = env or {}
        self._http = http
        self._key = env.get(KEY_ENV, "").strip() or None
        self._user = env.get(USER_ENV, "").strip() or None
        self._clock = clock
        # The key goes only to forums whose feeds ask for it (auth = true), never to every forum polled.
        self._auth_bases: set[str] = set()

    def check(self, feed: Feed) -> None:
        """Require the forum's address; refuse unknown options, a bad category, or auth without credentials."""
        base, _, auth, _ = _settings(feed, has_key=self._key is not None and self._user is not None)
        if auth:
            # Feeds are checked at start, so threads of a forum that needs the key can be read before its next poll.
            self._auth_bases.add(base)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Topics created since the cursor (bumped old topics are not new), first posts read for the newest."""
        try:
            base, category, auth, include = _settings(feed, has_key=self._key is not None and self._user is not None)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        if auth:
            self._auth_bases.add(base)
        now = int(self._clock().timestamp())
        window = Window.read(cursor, OVERLAP_SECONDS, now=now, source=SERVICE)
        listing = f"{base}/c/{category}.json" if category else f"{base}/latest.json"
        community = f"{urlsplit(base).hostname}{'/' + category if category else ''}"

        async def page(number: int) -> Page:
            body = await self._get(base, listing, {"order": "created", "page": number - 1})
            topic_list = body.get("topic_list")
            if not isinstance(topic_list, dict) or not isinstance(topic_list.get("topics"), list):
                raise FeedError(f'{SERVICE} answered with something that is not a topic list: no "topic_list.topics"')
            users = {as_int(u.get("id")): as_str(u.get("username")) for u in map(as_dict, as_list(body.get("users")))}
            result = Page(has_more=bool(as_str(topic_list.get("more_topics_url"))))
            for raw in map(as_dict, topic_list["topics"]):
                item = read_one(partial(_topic, base=base, community=community, users=users), raw, source=SERVICE)
                if item is None:
                    continue
                result.items.append(item)
                if raw.get("pinned") is True or raw.get("pinned_globally") is True:
                    result.pinned.add(item[0].external_id)
            return result

        items: list[Conversation] = []
        times: dict[str, int] = {}
        capped = False
        if "topics" in include:
            items, times, capped = await walk(page, window, max_pages=MAX_PAGES, seeding=seeding)
        if capped:
            log.warning(
                "Discourse feed %r: more than %d pages of new topics; the oldest were skipped", feed.name, MAX_PAGES
            )
        if not seeding:
            items = [await self._with_body(item) if i < BODY_FETCHES else item for i, item in enumerate(items)]
        extra: dict[str, Any] = {}
        if "posts" in include:
            category_id = int(category.rsplit("/", 1)[-1]) if category else None

            async def get(url: str, params: dict[str, str | int] | None) -> dict[str, Any]:
                return await self._get(base, url, params)

            posts, newest, capped = await newest_posts(get, base, read_cursor(cursor), category_id, seeding=seeding)
            if capped:
                log.warning(
                    "Discourse feed %r: more than %d pages of new posts; the oldest were skipped",
                    feed.name,
                    MAX_POST_PAGES,
                )
            items = [*items, *posts]
            extra[CURSOR_KEY] = newest if newest is not None else 0
        return FetchResult(items, window.next(times, fallback=now, extra=extra))

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """The topic now and its replies in post order (deleted, hidden, small-action posts left out); for a post
        item, the post and the replies to it."""
        if conversation.kind == "comment":
            return await self._post_thread(conversation, limit=limit)
        base, topic_id = _split(conversation)
        body, posts = await self._topic_posts(base, topic_id, limit)
        first = next((p for p in posts if as_int(p.get("post_number")) == 1), {})
        later = [p for p in posts if as_int(p.get("post_number")) != 1]
        replies = read_items(later, partial(_reply, base=base, topic=body), source=SERVICE, what="post")
        refreshed = read_one(partial(_refreshed, conversation, body), first, source=SERVICE, what="topic")
        refreshed = refreshed or conversation
        return Thread(refreshed, tuple(replies[:limit]), _reply_count(body))

    async def _post_thread(self, conversation: Conversation, *, limit: int) -> Thread:
        """A reply post as it was listed, with the posts that answer it (or, if none say so, the ones after it)."""
        base, _, _ = conversation.external_id.rpartition("/p/")
        parts = urlsplit(conversation.url).path.rstrip("/").split("/")
        if len(parts) < 3 or not parts[-1].isdigit() or not parts[-2].isdigit():
            raise FeedError(f"{conversation.url!r} is not a Discourse post address (<forum>/t/<slug>/<id>/<number>)")
        topic_id, number = int(parts[-2]), int(parts[-1])
        # Replies to a post come after it; read the whole stream up to a generous bound, then pick.
        body, posts = await self._topic_posts(base, topic_id, 10 * limit)
        later = [p for p in posts if (as_int(p.get("post_number")) or 0) > number]
        answers = [p for p in later if as_int(p.get("reply_to_post_number")) == number] or later
        replies = read_items(answers, partial(_reply, base=base, topic=body), source=SERVICE, what="post")
        return Thread(conversation, tuple(replies[:limit]), len(replies))

    async def _topic_posts(self, base: str, topic_id: int, limit: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The topic's page and its posts, fetched by id past the first answer until ``limit`` replies are in."""
        gone = f"Discourse topic {topic_id} is gone (deleted, or made private)"
        body = await self._get(base, f"{base}/t/{topic_id}.json", None, gone=gone)
        stream = as_dict(body.get("post_stream"))
        posts = [as_dict(p) for p in as_list(stream.get("posts"))]
        loaded = {as_int(p.get("id")) for p in posts}
        missing = [i for i in as_list(stream.get("stream")) if isinstance(i, int) and i not in loaded]
        # The first answer holds about 20 posts; the rest come by id, 20 per request.
        while missing and len(posts) < limit + 1:
            chunk, missing = missing[:POSTS_PER_REQUEST], missing[POSTS_PER_REQUEST:]
            query = "&".join(f"post_ids[]={i}" for i in chunk)
            more = await self._get(base, f"{base}/t/{topic_id}/posts.json?{query}", None)
            posts += [as_dict(p) for p in as_list(as_dict(more.get("post_stream")).get("posts"))]
        return body, posts

    async def _with_body(self, item: Conversation) -> Conversation:
        """The item with its first post as text; on any failure, the listing's excerpt stays."""
        try:
            base, topic_id = _split(item)
            body = await self._get(base, f"{base}/t/{topic_id}.json", None)
        except FeedError as e:
            log.debug("Discourse: could not read the first post of %s: %s", item.url, e)
            return item
        posts = [as_dict(p) for p in as_list(as_dict(body.get("post_stream")).get("posts"))]
        first = next((p for p in posts if as_int(p.get("post_number")) == 1), None)
        if first is None or first.get("deleted_at") or first.get("user_deleted") is True:
            return item
        text = read_one(lambda post: html_to_text(as_str(post.get("cooked"))), first, source=SERVICE, what="post")
        return _replace_text(item, (text or "")[:MAX_BODY_CHARS] or item.text)

    async def _get(
        self, base: str, url: str, params: dict[str, str | int] | None, *, gone: str | None = None
    ) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        authed = base in self._auth_bases and self._key and self._user
        if authed:
            headers.update({"Api-Key": self._key or "", "Api-Username": self._user or ""})
        hint = (
            f"check {KEY_ENV} and {USER_ENV} (the key may be revoked or lack read scope)"
            if authed
            else f"the forum or category may be private: set {KEY_ENV} and {USER_ENV} and add auth = true to the feed"
        )
        _, body = await get_json(
            self._http,
            url,
            service=SERVICE,
            now=self._clock(),
            params=params,
            headers=headers,
            auth_hint=hint,
            gone=gone,
        )
        if not isinstance(body, dict):
            raise FeedError(f"{SERVICE} answered with something that is not a JSON object")
        return body


def _topic(
    raw: dict[str, Any], *, base: str, community: str, users: dict[int | None, str]
) -> tuple[Conversation, int] | None:
    topic_id = as_int(raw.get("id"))
    created = parse_time(raw.get("created_at"))
    if topic_id is None or created is None or raw.get("deleted_at"):
        return None
    slug = as_str(raw.get("slug")) or "topic"
    # fancy_title is HTML-escaped (entities, emoji markup); title is the raw text.
    title = html_to_text(as_str(raw.get("fancy_title"))) or as_str(raw.get("title")) or f"topic {topic_id}"
    posters = [as_dict(p) for p in as_list(raw.get("posters"))]
    original = next(
        (p for p in posters if "Original Poster" in as_str(p.get("description"))), posters[0] if posters else {}
    )
    posts = as_int(raw.get("posts_count"))
    conversation = Conversation(
        source=DiscourseSource.kind,
        external_id=f"{base}/t/{topic_id}",
        url=f"{base}/t/{slug}/{topic_id}",
        title=title,
        text=html_to_text(as_str(raw.get("excerpt"))),
        author=users.get(as_int(original.get("user_id"))) or None,
        created_at=created,
        thread_size=max(0, posts - 1) if posts is not None else None,
        points=as_int(raw.get("like_count")),
        community=community,
        kind="post",
        state=topic_state(raw),
    )
    return conversation, int(created.timestamp())


def topic_state(topic: dict[str, Any]) -> str | None:
    """A topic's state from its own fields: closed (``closed``, or ``archived``: read-only), solved (the
    discourse-solved plugin's ``has_accepted_answer`` in lists, ``accepted_answer`` in a topic), else open."""
    if topic.get("closed") is True or topic.get("archived") is True:
        return "closed"
    if topic.get("has_accepted_answer") is True or isinstance(topic.get("accepted_answer"), dict):
        return "solved"
    return None


def _reply(post: dict[str, Any], *, base: str, topic: dict[str, Any]) -> Reply | None:
    post_id = as_int(post.get("id"))
    number = as_int(post.get("post_number"))
    if post_id is None or number is None:
        return None
    if post.get("deleted_at") or post.get("user_deleted") is True or post.get("hidden") is True:
        return None
    if as_int(post.get("post_type")) == _SMALL_ACTION:  # "closed this topic", "pinned", ...: not a reply
        return None
    parent = as_int(post.get("reply_to_post_number"))
    slug = as_str(topic.get("slug")) or as_str(post.get("topic_slug")) or "topic"
    topic_id = as_int(topic.get("id")) or as_int(post.get("topic_id"))
    likes = next(
        (
            as_int(a.get("count"))
            for a in map(as_dict, as_list(post.get("actions_summary")))
            if as_int(a.get("id")) == 2
        ),
        None,
    )
    return Reply(
        external_id=f"{base}/p/{post_id}",
        author=as_str(post.get("username")) or None,
        text=html_to_text(as_str(post.get("cooked")))[:MAX_BODY_CHARS],
        created_at=parse_time(post.get("created_at")),
        points=as_int(post.get("like_count")) if post.get("like_count") is not None else likes,
        url=f"{base}/t/{slug}/{topic_id}/{number}",
        parent_id=None if parent in (None, 1) else str(parent),
        depth=0 if parent in (None, 1) else 1,
    )


def _reply_count(topic: dict[str, Any]) -> int | None:
    posts = as_int(topic.get("posts_count"))
    return max(0, posts - 1) if posts is not None else None


def _refreshed(conversation: Conversation, topic: dict[str, Any], first: dict[str, Any]) -> Conversation:
    title = html_to_text(as_str(topic.get("fancy_title"))) or as_str(topic.get("title")) or conversation.title
    text = html_to_text(as_str(first.get("cooked")))[:MAX_BODY_CHARS] if first else conversation.text
    # replace(): what the topic does not say again (the link, the declared language) is kept.
    return replace(
        conversation,
        title=title,
        text=text or conversation.text,
        author=as_str(first.get("username")) or conversation.author,
        created_at=parse_time(topic.get("created_at")) or conversation.created_at,
        thread_size=_reply_count(topic),
        points=as_int(topic.get("like_count")),
        state=topic_state(topic),
    )


def _replace_text(item: Conversation, text: str) -> Conversation:
    return replace(item, text=text)


def _split(conversation: Conversation) -> tuple[str, int]:
    """The forum's base URL and the topic id of a Discourse conversation."""
    base, sep, topic_id = conversation.external_id.rpartition("/t/")
    if not sep or not topic_id.isdigit():
        raise FeedError(f"{conversation.external_id!r} is not a Discourse topic (<forum>/t/<id>)")
    return base, int(topic_id)


def _include(feed: Feed, category: str | None) -> tuple[str, ...]:
    raw = feed.options.get("include")
    if raw is None:
        return ("topics",)
    values = include_option(raw, INCLUDE, f"feed {feed.name!r}", '["topics", "posts"]')
    if "posts" in values and category and not category.rsplit("/", 1)[-1].isdigit():
        raise ConfigError(
            f"feed {feed.name!r}: posts of a category are picked by the category's number; write the category "
            f'with its number, like category = "dev/7", to include posts'
        )
    return values


def _settings(feed: Feed, *, has_key: bool) -> tuple[str, str | None, bool, tuple[str, ...]]:
    example = 'url = "https://meta.discourse.org", options = { category = "dev/7" }'
    unknown = sorted(set(feed.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"feed {feed.name!r}: unknown Discourse option(s) {', '.join(unknown)}; use category, auth and include, "
            f"like {example}"
        )
    if feed.query:
        raise ConfigError(
            f"feed {feed.name!r}: a Discourse feed reads every new topic and your topics pick; leave query out, or "
            f"narrow it to a category, like {example}"
        )
    raw = (feed.url or "").strip().rstrip("/")
    if not raw:
        raise ConfigError(f"feed {feed.name!r}: a Discourse feed needs the forum's address, like {example}")
    try:
        check_url(raw)
    except ValueError as e:
        raise ConfigError(
            f"feed {feed.name!r}: url {feed.url!r} {e}; give the forum's address, like {example}"
        ) from None
    base = raw.removesuffix("/latest.json").removesuffix("/latest")
    category = feed.options.get("category")
    if category is not None:
        if isinstance(category, int) and not isinstance(category, bool):
            category = str(category)
        if not isinstance(category, str) or not _CATEGORY.fullmatch(category.strip().strip("/")):
            raise ConfigError(
                f"feed {feed.name!r}: category {category!r} is not a category path; use the part after /c/ in the "
                f'category\'s address, like "dev/7" ({example})'
            )
        category = category.strip().strip("/")
    try:
        auth = option_flag(feed.options.get("auth", False), "auth")
    except ValueError as e:
        raise ConfigError(f"feed {feed.name!r}: {e}") from None
    if auth and not has_key:
        raise ConfigError(
            f"feed {feed.name!r}: auth = true needs {KEY_ENV} and {USER_ENV} in the environment; set both, or "
            "remove auth to read the forum anonymously"
        )
    return base, category, auth, _include(feed, category)
