"""Bluesky: post search (``app.bsky.feed.searchPosts``, newest first) with a reused app-password session.

Cursor: ``{"newest": <ISO time>, "recent": [uris]}``, the latest sort time seen and the posts at or after it
minus an overlap. Each poll asks ``since`` that floor, so a post indexed a little late is still found, and the
uris seen there are not returned twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from earshot.adapters.http import HttpResponse, SafeHttp, check_url
from earshot.adapters.sources.api import as_str
from earshot.adapters.sources.bluesky.kind import DECLARATION
from earshot.adapters.sources.bluesky.parse import KIND, replies, sort_time
from earshot.adapters.sources.bluesky.parse import conversation as to_conversation
from earshot.adapters.sources.bluesky.session import DENIED, HANDLE_ENV, PASSWORD_ENV, Login, Sessions, is_expired
from earshot.adapters.sources.cursor import not_after
from earshot.adapters.sources.items import read_items, read_one
from earshot.adapters.sources.limits import Quota, json_object, raise_for_api
from earshot.bot.domain import Conversation, Feed, FetchResult, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

SERVICE_URL = "https://bsky.social"  # where an app password logs in; it proxies to the AppView
PUBLIC_URL = "https://public.api.bsky.app"  # the AppView's anonymous door
PAGE = 100
MAX_PAGES = 10
OVERLAP = timedelta(minutes=5)
MAX_RECENT = 1000
THREAD_DEPTH = 6
OPTIONS = DECLARATION.option_names
ANONYMOUS_NOTE = f"no Bluesky login: searching anonymously (often refused); set {HANDLE_ENV} and {PASSWORD_ENV}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BlueskyFeed:
    """A bluesky feed's settings, checked."""

    query: str
    lang: str | None
    service: str | None  # None: the default for logged-in or anonymous use


class BlueskySource:
    """Searches posts newest first; logs in with BLUESKY_HANDLE and BLUESKY_APP_PASSWORD when they are set."""

    kind: str = KIND

    def __init__(
        self,
        http: SafeHttp,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = _utcnow,
        service_url: str = SERVICE_URL,
        public_url: str = PUBLIC_URL,
    ) -> None:
        env = {} if env is None else env
        self._http = http
        self._clock = clock
        login = Login.from_env(env)
        self.sessions = Sessions(http, clock, login) if login else None
        self._service = service_url
        self._public = public_url
        self._quota = Quota("Bluesky", clock)

    def check(self, feed: Feed) -> None:
        """Require search words; the service URL, if given, must be http(s)."""
        settings(feed)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Posts since the cursor's floor (all pages up to the cap), or the newest page on a first poll."""
        try:
            s = settings(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        now = self._clock()
        old_newest = _time(cursor.get("newest"))
        if old_newest is not None:
            old_newest = min(old_newest, now)  # a future newest (written before times were capped) hides every post
        raw_recent = cursor.get("recent")
        seen = {u for u in raw_recent if isinstance(u, str)} if isinstance(raw_recent, list) else set()
        params = {"q": s.query, "sort": "latest", "limit": str(PAGE)}
        if s.lang:
            params["lang"] = s.lang
        if old_newest is not None:
            params["since"] = _iso(old_newest - OVERLAP)
        service = s.service or (self._service if self.sessions else self._public)
        times: dict[str, datetime] = {}
        items: list[Conversation] = []
        page_cursor: str | None = None
        community = f"search: {s.query}"
        for _ in range(MAX_PAGES):
            ask = {**params, **({"cursor": page_cursor} if page_cursor else {})}
            body = await self._xrpc(service, "app.bsky.feed.searchPosts", ask)
            posts = body.get("posts") if isinstance(body, dict) else None
            if not isinstance(posts, list):
                raise FeedError('Bluesky answered with something that is not a search result: it has no "posts" list')
            for item, when in read_items(posts, partial(_post, community=community), source="Bluesky", what="post"):
                if item.external_id in times:
                    continue
                times[item.external_id] = when
                if item.external_id not in seen:
                    items.append(item)
            page_cursor = as_str(body.get("cursor")) or None
            if seeding or old_newest is None or not posts or page_cursor is None:
                break
        else:
            log.warning(
                "Bluesky feed %r: more than %d pages of new posts; the oldest were skipped", feed.name, MAX_PAGES
            )
        notes = () if self.sessions else (ANONYMOUS_NOTE,)
        # No post counts as later than now: one sorted in the year 9999 would otherwise hide all that follow it.
        times = not_after(times, now, source="Bluesky", ahead=lambda t: (t - now).total_seconds())
        return FetchResult(items, _next_cursor(old_newest, times, seen), notes=notes)

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """The post's replies from ``app.bsky.feed.getPostThread``, depth first, deleted and blocked ones left out."""
        uri = conversation.external_id
        if not uri.startswith("at://"):
            raise FeedError(f"cannot read the Bluesky thread of {conversation.url}: it has no at:// uri")
        service = self._service if self.sessions else self._public
        body = await self._xrpc(
            service, "app.bsky.feed.getPostThread", {"uri": uri, "depth": str(THREAD_DEPTH), "parentHeight": "0"}
        )
        root = body.get("thread") if isinstance(body, dict) else None
        kind = as_str(root.get("$type")) if isinstance(root, dict) else ""
        if not isinstance(root, dict) or not kind.endswith("#threadViewPost"):
            raise FeedError(f"the Bluesky post {conversation.url} is gone (deleted) or hidden from us")
        fresh = read_one(partial(to_conversation, community=conversation.community), root.get("post"), source="Bluesky")
        refreshed = conversation if fresh is None else _refresh(conversation, fresh)
        return Thread(refreshed, tuple(replies(root, max(0, limit))), refreshed.thread_size)

    async def _xrpc(self, service: str, method: str, params: dict[str, str]) -> Any:
        url = f"{service}/xrpc/{method}"
        headers = {"Accept": "application/json"}
        access = await self.sessions.access(service) if self.sessions else None
        if access:
            headers["Authorization"] = f"Bearer {access}"
        response = await self._get(url, params, headers)
        if self.sessions and access and is_expired(response):
            headers["Authorization"] = f"Bearer {await self.sessions.expired(service, access)}"
            response = await self._get(url, params, headers)
        anonymous = f"searching needs a login here; set {HANDLE_ENV} and {PASSWORD_ENV}"
        denied = DENIED if self.sessions else anonymous
        raise_for_api(response, "Bluesky", denied=denied, now=self._clock())
        return json_object(response, "Bluesky", "JSON")

    async def _get(self, url: str, params: dict[str, str], headers: dict[str, str]) -> HttpResponse:
        return await self._quota.get(self._http, url, params=params, headers=headers)


def _post(post: Any, community: str) -> tuple[Conversation, datetime] | None:
    """A searched post with its sort time; None without either."""
    item = to_conversation(post, community)
    when = sort_time(post)
    return None if item is None or when is None else (item, when)


def _refresh(old: Conversation, new: Conversation) -> Conversation:
    """The post as read again: its address, text, author, counts, state and language; title, time, link, community
    and kind as first seen."""
    return replace(
        old,
        url=new.url,
        text=new.text,
        author=new.author,
        thread_size=new.thread_size,
        points=new.points,
        state=new.state,
        language=new.language or old.language,
    )


def _next_cursor(old_newest: datetime | None, times: dict[str, datetime], seen: set[str]) -> dict[str, Any]:
    """The newest sort time seen and the uris at or after it minus the overlap, newest first, capped."""
    newest = max([*times.values(), *([old_newest] if old_newest else [])], default=None)
    if newest is None:
        return {}
    floor = newest - OVERLAP
    recent = sorted((u for u, t in times.items() if t >= floor), key=lambda u: (-times[u].timestamp(), u))
    # uris from before that this poll did not see again (deleted, or past the cap) may still be in the window
    if old_newest is not None and old_newest >= floor:
        recent.extend(sorted(seen - times.keys()))
    return {"newest": _iso(newest), "recent": recent[:MAX_RECENT]}


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def settings(feed: Feed) -> BlueskyFeed:
    """A bluesky feed's settings, or ConfigError saying what is wrong with an example."""
    where = f"feed {feed.name!r}"
    unknown = sorted(set(feed.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(f"{where}: unknown Bluesky option(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}")
    query = (feed.query or "").strip()
    if not query:
        raise ConfigError(f'{where}: a bluesky feed needs search words, like query = "pgvector" or query = "#rust"')
    lang = feed.options.get("lang")
    if lang is not None and (not isinstance(lang, str) or not lang.isalpha() or not 2 <= len(lang) <= 3):
        raise ConfigError(f'{where}: lang must be a language code, like lang = "en" or lang = "fr"; got {lang!r}')
    service: str | None = None
    if feed.url and feed.url.strip():
        service = feed.url.strip().rstrip("/")
        try:
            check_url(service)
        except ValueError as e:
            raise ConfigError(f"{where}: service URL {feed.url!r} {e}; leave it out to use {SERVICE_URL}") from None
    return BlueskyFeed(query, lang.lower() if isinstance(lang, str) else None, service)
