"""Reddit: a subreddit's new posts and comments, or a search, through the OAuth API; the public RSS without it.

Cursor: the newest fullname seen per stream (``{"t3": "t3_abc", "t1": "t1_xyz"}``). Reddit ids are base 36 and
grow with time, so a poll walks the newest-first listing with ``after`` until it reaches an id at or below the
cursor. Not ``before=<cursor>``: when that item is deleted Reddit answers an empty listing, and the feed would
stall silently.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from earshot.adapters.http import HttpResponse, SafeHttp, check_url
from earshot.adapters.sources.api import as_str, include_option
from earshot.adapters.sources.items import read_items, read_one
from earshot.adapters.sources.limits import Quota, json_object, raise_for_api
from earshot.adapters.sources.reddit.auth import (
    CLIENT_ID_ENV,
    CLIENT_SECRET_ENV,
    DENIED,
    Credentials,
    TokenCache,
    user_agent,
)
from earshot.adapters.sources.reddit.kind import DECLARATION
from earshot.adapters.sources.reddit.parse import KIND, conversation, id_number, listing_children, parse_rss, replies
from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

API_URL = "https://oauth.reddit.com"
AUTH_URL = "https://www.reddit.com"
RSS_URL = "https://www.reddit.com"
PAGE = 100  # Reddit's largest listing page
MAX_PAGES = 10  # Reddit's listings end after about 1,000 items anyway
THREAD_DEPTH = 8
INCLUDE = ("posts", "comments")
OPTIONS = DECLARATION.option_names
RSS_NOTE = "no Reddit credentials: reading the public RSS feed, slower, posts only"
_SUBREDDIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{1,20}(\+[A-Za-z0-9][A-Za-z0-9_]{1,20})*")
_EXAMPLE = 'options = { subreddit = "rust" } (posts and comments), or query = "pgvector" (a search)'


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RedditFeed:
    """A reddit feed's settings, checked: what to read and where the API, token and RSS endpoints are."""

    subreddit: str | None
    query: str | None
    include: tuple[str, ...]
    api_url: str
    auth_url: str
    rss_url: str


class RedditSource:
    """Reads subreddits and searches; app-only OAuth when REDDIT_CLIENT_ID/SECRET are set, else the public RSS."""

    kind: str = KIND

    def __init__(
        self,
        http: SafeHttp,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = _utcnow,
        api_url: str = API_URL,
        auth_url: str = AUTH_URL,
        rss_url: str = RSS_URL,
    ) -> None:
        env = {} if env is None else env
        self._http = http
        self._clock = clock
        self._credentials = Credentials.from_env(env)
        self._agent = user_agent(env)
        self._tokens = TokenCache(http, clock, self._agent)
        self._quota = Quota("Reddit", clock)
        self._defaults = (api_url, auth_url, rss_url)
        self._told_rss: set[str] = set()

    def check(self, feed: Feed) -> None:
        """Require a subreddit or a query, known options and http(s) endpoint URLs."""
        settings(feed, self._defaults)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """New posts (and comments) since the cursor: every page back to it, or one page when seeding."""
        try:
            s = settings(feed, self._defaults)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        if self._credentials is None:
            return await self._fetch_rss(feed, s, cursor, seeding)
        streams: list[tuple[str, str, dict[str, str]]] = []
        if s.query:
            params = {"q": s.query, "sort": "new", "type": "link", "t": "all"}
            if s.subreddit:
                params["restrict_sr"] = "1"
            streams.append(("t3", f"/r/{s.subreddit}/search" if s.subreddit else "/search", params))
        else:
            if "posts" in s.include:
                streams.append(("t3", f"/r/{s.subreddit}/new", {}))
            if "comments" in s.include:
                streams.append(("t1", f"/r/{s.subreddit}/comments", {}))
        items: list[Conversation] = []
        new_cursor = {key: value for key, value in cursor.items() if key in ("t3", "t1")}
        for kind, path, params in streams:
            found, newest = await self._walk(feed, s, kind, path, params, cursor.get(kind), seeding)
            items.extend(found)
            if newest:
                new_cursor[kind] = newest
        return FetchResult(items, new_cursor)

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """The post's comments (or a comment's replies), best first, "more" stubs skipped."""
        api_url, auth_url, rss_url = self._defaults
        s = RedditFeed(None, None, INCLUDE, api_url, auth_url, rss_url)
        name = conversation.external_id
        link_id = _link_id(conversation) if name.startswith("t1_") else name[3:]
        if id_number(name) is None or not link_id:
            raise FeedError(f"cannot read the Reddit thread of {conversation.url}: it names no Reddit post")
        if self._credentials is None:
            return await self._thread_rss(conversation, s, limit)
        params = {"limit": str(max(1, limit)), "depth": str(THREAD_DEPTH), "raw_json": "1"}
        if name.startswith("t1_"):
            params["comment"] = name[3:]
        body = await self._api(s, f"/comments/{link_id}", params)
        if not isinstance(body, list) or len(body) < 2:
            raise FeedError("Reddit answered with something that is not a thread: expected [post, comments]")
        posts, _ = listing_children(body[0])
        comments, _ = listing_children(body[1])
        if name.startswith("t3_"):
            if not posts:
                raise FeedError(f"the Reddit post {name} is gone (deleted or removed)")
            refreshed = _refresh(conversation, _conversation_or_none(posts[0]))
            tree: Any = body[1]
        else:
            own = next((data for kind, data in comments if as_str(data.get("name")) == name), None)
            if own is None:
                raise FeedError(f"the Reddit comment {name} is gone (deleted or removed)")
            refreshed = _refresh(conversation, _conversation_or_none(("t1", own)))
            tree = own.get("replies")
        found = replies(tree, limit)
        count = refreshed.thread_size if name.startswith("t3_") else None
        return Thread(refreshed, tuple(found), count)

    async def _walk(
        self, feed: Feed, s: RedditFeed, kind: str, path: str, params: dict[str, str], since_name: Any, seeding: bool
    ) -> tuple[list[Conversation], str | None]:
        since = id_number(since_name) if isinstance(since_name, str) else None
        newest: tuple[int, str] | None = (since, since_name) if since is not None else None
        items: list[Conversation] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            page = {**params, "limit": str(PAGE), "raw_json": "1", **({"after": after} if after else {})}
            children, after = listing_children(await self._api(s, path, page))
            reached = False
            for number, name, item in read_items(children, partial(_listed, kind), source="Reddit"):
                if since is not None and number <= since:
                    reached = True
                    continue
                if newest is None or number > newest[0]:
                    newest = (number, name)
                if item is not None:
                    items.append(item)
            if seeding or since is None or reached or after is None or not children:
                break
        else:
            log.warning(
                "Reddit feed %r: more than %d pages of new items since the last poll; the oldest were skipped",
                feed.name,
                MAX_PAGES,
            )
        return items, newest[1] if newest else None

    async def _api(self, s: RedditFeed, path: str, params: dict[str, str]) -> Any:
        assert self._credentials is not None
        url = s.api_url + path
        for attempt in (1, 2):
            token = await self._tokens.token(s.auth_url, self._credentials)
            response = await self._get(url, params, {"Authorization": f"bearer {token}", "Accept": "application/json"})
            if response.status == 401 and attempt == 1:
                # Revoked or expired early: one new token, then Reddit's answer stands.
                self._tokens.forget(s.auth_url, self._credentials)
                continue
            break
        where = f"r/{s.subreddit}" if s.subreddit else "this request"
        if response.status == 403:
            denied = f"{where} may be private, quarantined or banned; otherwise {DENIED}"
        else:
            denied = DENIED
        raise_for_api(response, "Reddit", denied=denied, now=self._clock())
        if "/subreddits/search" in urlsplit(response.url).path:
            # Reddit redirects a subreddit that does not exist to its subreddit search.
            raise FeedError(f"Reddit has no subreddit r/{s.subreddit}; check its spelling")
        return json_object(response, "Reddit", "a listing")

    async def _get(self, url: str, params: dict[str, str], headers: dict[str, str]) -> HttpResponse:
        return await self._quota.get(self._http, url, params=params, headers={**headers, "User-Agent": self._agent})

    async def _fetch_rss(self, feed: Feed, s: RedditFeed, cursor: dict[str, Any], seeding: bool) -> FetchResult:
        if feed.name not in self._told_rss:
            self._told_rss.add(feed.name)
            log.warning("Reddit feed %r: %s (set %s and %s)", feed.name, RSS_NOTE, CLIENT_ID_ENV, CLIENT_SECRET_ENV)
        prefix = f"/r/{s.subreddit}" if s.subreddit else ""
        if s.query:
            url, params = f"{s.rss_url}{prefix}/search.rss", {"q": s.query, "sort": "new", "limit": str(PAGE)}
            if s.subreddit:
                params["restrict_sr"] = "on"
        else:
            url, params = f"{s.rss_url}{prefix}/new/.rss", {"limit": str(PAGE)}
        response = await self._rss(url, params)
        raw = cursor.get("t3")
        since_name = raw if isinstance(raw, str) else ""
        since = id_number(since_name) if since_name else None
        newest: tuple[int, str] | None = (since, since_name) if since is not None else None
        items: list[Conversation] = []
        reached = False
        for item, name in parse_rss(response.content, community=f"r/{s.subreddit}" if s.subreddit else None):
            number = id_number(name)
            if item.kind != "post" or number is None:
                continue
            if since is not None and number <= since:
                reached = True
                continue
            if newest is None or number > newest[0]:
                newest = (number, name)
            items.append(item)
        if since is not None and not reached and not seeding and len(items) >= PAGE:
            log.warning("Reddit feed %r: more new posts than the RSS feed holds; the oldest were missed", feed.name)
        new_cursor = {k: v for k, v in cursor.items() if k in ("t3", "t1")}
        if newest:
            new_cursor["t3"] = newest[1]
        return FetchResult(items, new_cursor, notes=(RSS_NOTE,))

    async def _rss(self, url: str, params: dict[str, str]) -> HttpResponse:
        accept = "application/atom+xml, application/rss+xml;q=0.9, */*;q=0.5"
        response = await self._get(url, params, {"Accept": accept})
        denied = f"Reddit refused its public RSS feed; set {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} to read the API"
        raise_for_api(response, "Reddit", denied=denied, now=self._clock())
        return response

    async def _thread_rss(self, conversation: Conversation, s: RedditFeed, limit: int) -> Thread:
        path = urlsplit(conversation.url).path.rstrip("/")
        response = await self._rss(f"{s.rss_url}{path}/.rss", {"limit": str(max(1, limit))})
        refreshed, found = conversation, list[Reply]()
        for item, name in parse_rss(response.content):
            if name == conversation.external_id:
                refreshed = _refresh(conversation, item)
            elif name.startswith("t1_") and len(found) < limit:
                found.append(Reply(name, item.author, item.text, item.created_at, None, item.url, None, 0))
        return Thread(refreshed, tuple(found), None)


def settings(feed: Feed, defaults: tuple[str, str, str] = (API_URL, AUTH_URL, RSS_URL)) -> RedditFeed:
    """A reddit feed's settings, or ConfigError saying what is wrong with an example."""
    where = f"feed {feed.name!r}"
    unknown = sorted(set(feed.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(f"{where}: unknown Reddit option(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}")
    raw_sub = feed.options.get("subreddit")
    subreddit: str | None = None
    if raw_sub is not None:
        if not isinstance(raw_sub, str):
            raise ConfigError(f'{where}: subreddit must be a name like "rust" or "rust+python", not {raw_sub!r}')
        subreddit = raw_sub.strip().removeprefix("/").removeprefix("r/").strip("/")
        if not _SUBREDDIT.fullmatch(subreddit):
            raise ConfigError(
                f'{where}: subreddit {raw_sub!r} is not a subreddit name; write it like "rust" or "rust+python"'
            )
    query = (feed.query or "").strip() or None
    named = query.removeprefix("/").removeprefix("r/") if query and query.startswith(("r/", "/r/")) else None
    if subreddit is None and named and _SUBREDDIT.fullmatch(named):
        subreddit, query = named, None  # "r/rust" as the words of a chat command names a subreddit
    if subreddit is None and query is None:
        raise ConfigError(f"{where}: a reddit feed needs a subreddit or a query, like {_EXAMPLE}")
    include = _include(feed, where, query)
    api_url, auth_url, rss_url = (
        _url(feed.url, defaults[0], where, "url"),
        _url(feed.options.get("auth_url"), defaults[1], where, "auth_url"),
        _url(feed.options.get("rss_url"), defaults[2], where, "rss_url"),
    )
    return RedditFeed(subreddit, query, include, api_url, auth_url, rss_url)


def _include(feed: Feed, where: str, query: str | None) -> tuple[str, ...]:
    raw = feed.options.get("include")
    if raw is None:
        return ("posts",) if query else INCLUDE
    values = include_option(raw, INCLUDE, where, '["posts"]')
    if query and "comments" in values:
        raise ConfigError(f'{where}: a Reddit search finds posts only; drop "comments" from include, or the query')
    return values


def _url(value: Any, default: str, where: str, key: str) -> str:
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be an http(s) URL, like {default!r}")
    url = value.strip().rstrip("/")
    try:
        check_url(url)
    except ValueError as e:
        raise ConfigError(f"{where}: {key} {value!r} {e}; leave it out to use {default}") from None
    return url


def _link_id(conversation: Conversation) -> str:
    """The post id in a comment's permalink (/r/sub/comments/<post>/slug/<comment>/)."""
    parts = urlsplit(conversation.url).path.split("/")
    if "comments" in parts:
        index = parts.index("comments")
        if index + 1 < len(parts) and id_number(parts[index + 1]) is not None:
            return parts[index + 1]
    return ""


def _listed(kind: str, child: tuple[str, dict[str, Any]]) -> tuple[int, str, Conversation | None] | None:
    """A listing's child of ``kind``: its id number, fullname and Conversation (None when deleted); None when it is
    another kind or has no id."""
    child_kind, data = child
    name = as_str(data.get("name"))
    number = id_number(name)
    if child_kind != kind or number is None:
        return None
    return number, name, conversation(child_kind, data)


def _conversation_or_none(child: tuple[str, dict[str, Any]]) -> Conversation | None:
    return read_one(lambda c: conversation(*c), child, source="Reddit")


def _refresh(old: Conversation, new: Conversation | None) -> Conversation:
    """The item as read again: counts, text (edits) and state updated, title and kind kept. The public feed tells
    no state (no flair, no lock): what was known is kept."""
    if new is None:
        return old
    return dataclasses.replace(
        old,
        text=new.text or old.text,
        points=new.points if new.points is not None else old.points,
        thread_size=new.thread_size if new.thread_size is not None else old.thread_size,
        state=new.state if new.state is not None else old.state,
    )
