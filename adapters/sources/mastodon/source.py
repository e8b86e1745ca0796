"""Mastodon: a hashtag's timeline or a status search on one instance, new statuses since the newest seen.

Cursor: ``{"newest": "<status id>"}``. A poll asks for ``min_id=<newest>``: the statuses immediately after it,
oldest page first, so stopping at the page cap leaves no gap (the rest comes next poll).
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
from urllib.parse import quote, urlsplit

from earshot.adapters.http import HttpResponse, SafeHttp, check_url
from earshot.adapters.sources.api import as_str
from earshot.adapters.sources.items import read_items, read_one
from earshot.adapters.sources.limits import Quota, json_object, raise_for_api
from earshot.adapters.sources.mastodon.kind import DECLARATION
from earshot.adapters.sources.mastodon.parse import KIND, id_key, link_param, origin_status, replies
from earshot.adapters.sources.mastodon.parse import conversation as to_conversation
from earshot.bot.domain import Conversation, Feed, FetchResult, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

TOKEN_ENV = "MASTODON_TOKEN"  # noqa: S105  # a variable name, not a secret
PAGE = 40  # the largest page Mastodon serves
MAX_PAGES = 10
OPTIONS = DECLARATION.option_names
_TAG = re.compile(r"[^\W][\w·]*", re.UNICODE)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXAMPLE = (
    'url = "https://mastodon.social" with options = { hashtag = "rust" }, or url = "https://mastodon.social/tags/rust"'
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class MastodonFeed:
    """A mastodon feed's settings, checked: the instance, a hashtag or a search, and where its token lives."""

    instance: str
    hashtag: str | None
    query: str | None
    token_env: str

    @property
    def community(self) -> str:
        """Where the items come from, as people say it: ``mastodon.social #rust``."""
        host = urlsplit(self.instance).netloc
        return f"{host} #{self.hashtag}" if self.hashtag else f"{host} search"


class MastodonSource:
    """Polls a hashtag timeline (anonymous where the instance allows) or a search (needs a token)."""

    kind: str = KIND

    def __init__(self, http: SafeHttp, env: Mapping[str, str] | None = None, *, clock: Clock = _utcnow) -> None:
        self._http = http
        self._env = {} if env is None else env
        self._clock = clock
        self._quota = Quota("Mastodon", clock)

    def check(self, feed: Feed) -> None:
        """Require an instance URL and exactly one of a hashtag or a query."""
        settings(feed)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Statuses after the cursor, page by page from the oldest new one; the newest page when there is none."""
        try:
            s = settings(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        token = self._env.get(s.token_env, "").strip() or None
        if s.query and token is None:
            raise FeedError(
                f"feed {feed.name!r}: searching Mastodon needs an access token on most instances; set {s.token_env} "
                "(Preferences > Development > New application, scope read:statuses), or watch a hashtag instead"
            )
        if s.hashtag:
            url = f"{s.instance}/api/v1/timelines/tag/{quote(s.hashtag, safe='')}"
            params: dict[str, str] = {"limit": str(PAGE)}
        else:
            url = f"{s.instance}/api/v2/search"
            params = {"q": s.query or "", "type": "statuses", "resolve": "false", "limit": str(PAGE)}
        raw = cursor.get("newest")
        newest = raw if isinstance(raw, str) and raw.strip() else None
        host = urlsplit(s.instance).netloc
        items: list[Conversation] = []
        seen: set[str] = set()
        start = newest
        for _ in range(MAX_PAGES):
            ask = {**params, **({"min_id": newest} if newest else {})}
            response = await self._get(url, ask, token, s)
            body = json_object(response, "Mastodon", "a list of statuses")
            statuses = body.get("statuses") if s.query and isinstance(body, dict) else body
            if not isinstance(statuses, list):
                raise FeedError("Mastodon answered with something that is not a list of statuses")
            ids = [as_str(x.get("id")) for x in statuses if isinstance(x, dict) and as_str(x.get("id"))]
            read = partial(to_conversation, instance_host=host, community=s.community)
            for item in read_items(statuses, read, source="Mastodon", what="status"):
                if item.external_id not in seen:
                    seen.add(item.external_id)
                    items.append(item)
            top = max(ids, key=id_key, default=None)
            after = link_param(response.headers.get("link"), "prev", "min_id") or top
            moved = after is not None and (newest is None or id_key(after) > id_key(newest))
            if moved:
                newest = after
            # A server that ignores min_id would serve the same page again: stop rather than spin.
            if seeding or start is None or len(statuses) < PAGE or top is None or not moved:
                break
        else:
            log.info(
                "Mastodon feed %r: more than %d pages of new statuses; the rest come next poll", feed.name, MAX_PAGES
            )
        return FetchResult(items, {"newest": newest} if newest else {})

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """The status's replies, from the server it was posted on (``/api/v1/statuses/<id>/context``), anonymously."""
        origin = origin_status(conversation.url)
        if origin is None:
            raise FeedError(f"cannot read the thread of {conversation.url}: not a Mastodon status address")
        base, status_id = origin
        host = urlsplit(base).netloc
        status = json_object(await self._public(f"{base}/api/v1/statuses/{status_id}"), "Mastodon", "a status")
        refreshed = conversation
        read = partial(to_conversation, instance_host=host, community=conversation.community)
        fresh = read_one(read, status, source="Mastodon", what="status")
        if fresh is not None:
            refreshed = dataclasses.replace(
                conversation, text=fresh.text, points=fresh.points, thread_size=fresh.thread_size
            )
        context = json_object(
            await self._public(f"{base}/api/v1/statuses/{status_id}/context"), "Mastodon", "a context"
        )
        descendants = context.get("descendants") if isinstance(context, dict) else None
        found = replies(status_id, descendants, host, max(0, limit))
        return Thread(refreshed, tuple(found), refreshed.thread_size)

    async def _get(self, url: str, params: dict[str, str], token: str | None, s: MastodonFeed) -> HttpResponse:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await self._quota.get(self._http, url, params=params, headers=headers)
        host = urlsplit(s.instance).netloc
        if token:
            denied = f"{host} did not accept the token in {s.token_env}; check it is current and has read:statuses"
        else:
            denied = f"{host} requires sign-in to read this; set {s.token_env} to an access token of an account there"
        raise_for_api(response, "Mastodon", denied=denied, now=self._clock())
        return response

    async def _public(self, url: str) -> HttpResponse:
        response = await self._quota.get(self._http, url, headers={"Accept": "application/json"})
        if response.status == 404:
            raise FeedError(f"the Mastodon status at {urlsplit(url).netloc} is gone (deleted, or not public)")
        denied = "its server requires sign-in to read threads"
        raise_for_api(response, "Mastodon", denied=denied, now=self._clock())
        return response


def settings(feed: Feed) -> MastodonFeed:
    """A mastodon feed's settings, or ConfigError saying what is wrong with an example."""
    where = f"feed {feed.name!r}"
    unknown = sorted(set(feed.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(f"{where}: unknown Mastodon option(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}")
    if not feed.url or not feed.url.strip():
        raise ConfigError(f"{where}: a mastodon feed needs the instance's address, like {_EXAMPLE}")
    raw_url = feed.url.strip()
    try:
        check_url(raw_url)
        parts = urlsplit(raw_url)
    except ValueError as e:
        raise ConfigError(f"{where}: url {feed.url!r} {e}; like {_EXAMPLE}") from None
    instance = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.strip("/")
    hashtag: str | None = None
    if path.startswith("tags/"):
        hashtag = path.removeprefix("tags/")
    elif path:
        raise ConfigError(f"{where}: url {feed.url!r} is not an instance or a tag page; like {_EXAMPLE}")
    raw_tag = feed.options.get("hashtag")
    if raw_tag is not None:
        if not isinstance(raw_tag, str):
            raise ConfigError(f'{where}: hashtag must be one word, like hashtag = "rust", not {raw_tag!r}')
        hashtag = raw_tag
    if hashtag is not None:
        hashtag = hashtag.strip().lstrip("#")
        if not _TAG.fullmatch(hashtag):
            raise ConfigError(f'{where}: hashtag {hashtag!r} is not a hashtag; write one word, like hashtag = "rust"')
    query = (feed.query or "").strip() or None
    if (hashtag is None) == (query is None):
        both = "both a hashtag and a query" if hashtag else "neither a hashtag nor a query"
        raise ConfigError(f"{where}: a mastodon feed needs a hashtag or a query (search), not {both}; like {_EXAMPLE}")
    token_env = feed.options.get("token_env", TOKEN_ENV)
    if not isinstance(token_env, str) or not _ENV_NAME.fullmatch(token_env):
        raise ConfigError(f'{where}: token_env names an environment variable, like token_env = "MASTODON_TOKEN"')
    return MastodonFeed(instance, hashtag, query, token_env)
