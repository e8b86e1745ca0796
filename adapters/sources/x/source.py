"""X (Twitter) posts and replies matching a recent search (API v2), with the post's conversation as its thread.

The cursor is the newest post id seen (``since_id``): X's ids grow with time, and the API returns only posts with
a larger id, so a restart neither skips nor repeats. The API is paid per request and per post read: each poll
counts both for the UTC day in the cursor (see :mod:`earshot.adapters.sources.usage`), and a feed whose daily cap
is reached pauses until midnight UTC with an error saying so.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from earshot.adapters.http import HttpResponse, SafeHttp, check_url
from earshot.adapters.sources import usage
from earshot.adapters.sources.api import as_dict, as_int, as_list, as_str, get_json, parse_time
from earshot.adapters.sources.items import read_items, read_one
from earshot.adapters.sources.language import language_code
from earshot.adapters.sources.x.kind import DECLARATION
from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock
from earshot.bot.text import excerpt

log = logging.getLogger(__name__)

SERVICE = "X"
DEFAULT_API_URL = "https://api.x.com/2"
API_ENV = "X_API_URL"
TOKEN_ENV = "X_BEARER_TOKEN"  # noqa: S105 (the variable's name, not a secret)
OPTIONS = DECLARATION.option_names
DEFAULT_MAX_REQUESTS = 100
DEFAULT_MAX_POSTS = 1000
PAGE_SIZE = 100  # the most recent search returns per request
SEED_PAGE_SIZE = 10  # the fewest: a first poll only needs the newest id, and each post read is paid for
MAX_PAGES = 5
TITLE_CHARS = 120
MAX_WAIT = 86_400.0
SNOWFLAKE_EPOCH_MS = 1_288_834_974_657
SEARCH_REACH_MS = (7 * 24 - 1) * 3_600_000
TWEET_FIELDS = "created_at,author_id,conversation_id,lang,public_metrics,referenced_tweets,reply_settings"
HINT = f"set {TOKEN_ENV} to your X app's bearer token (developer.x.com, Projects & Apps → Keys and tokens)"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class XSource:
    """Polls ``/tweets/search/recent`` newest first, with ``since_id`` from the cursor and ``next_token`` pages."""

    kind: str = "x"

    def __init__(
        self,
        http: SafeHttp,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = _utcnow,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        self._http = http
        self._api = ((env or {}).get(API_ENV, "").strip() or api_url).rstrip("/")  # for threads; feeds have base_url
        self._token = (env or {}).get(TOKEN_ENV, "").strip() or None
        self._clock = clock

    def check(self, feed: Feed) -> None:
        """Refuse a feed without search words, an unknown option, a bad cap or a bad API URL."""
        _settings(feed)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Posts newer than the cursor's ``since_id``, up to MAX_PAGES pages and the feed's daily caps."""
        try:
            api, max_requests, max_posts = _settings(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        now = self._clock()
        counts = usage.today(cursor, now)
        requests, posts = counts.get("requests", 0), counts.get("posts", 0)
        if requests >= max_requests:
            raise usage.cap_reached(SERVICE, "requests", requests, max_requests, "max_requests_per_day", now)
        if posts >= max_posts:
            raise usage.cap_reached(SERVICE, "posts read", posts, max_posts, "max_posts_per_day", now)
        since_id = _post_id(cursor.get("since_id"))
        first = since_id is None
        params: dict[str, str | int] = {
            "query": feed.query or "",
            "max_results": SEED_PAGE_SIZE if first and seeding else PAGE_SIZE,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": "username,name",
        }
        if since_id is not None and _within_search(since_id, now):
            params["since_id"] = since_id
        # Otherwise the newest post seen is older than recent search reaches (a quiet query, a long pause), so
        # every post the API has is newer: asking without since_id skips nothing (X refuses an older since_id).
        items: list[Conversation] = []
        newest = int(since_id) if since_id is not None else None
        token: str | None = None
        read_requests = read_posts = 0
        for number in range(1, MAX_PAGES + 1):
            if token is not None:
                params["next_token"] = token
            read_requests += 1  # a refused request counts too: it was made
            try:
                body = await self._get(f"{api}/tweets/search/recent", params)
            except FeedError as e:
                spent = {"requests": read_requests, "posts": read_posts}
                raise usage.spent_before_failing(e, cursor, {"requests": requests, "posts": posts}, spent, now) from e
            data = as_list(body.get("data"))
            read_posts += len(data)
            read = functools.partial(_post, users=_users(body))
            for conversation in read_items([as_dict(raw) for raw in data], read, source=SERVICE, what="post"):
                items.append(conversation)
                newest = max(newest or 0, int(conversation.external_id))
            token = as_str(as_dict(body.get("meta")).get("next_token")) or None
            if first or token is None:
                break
            if requests + read_requests >= max_requests or posts + read_posts >= max_posts:
                log.warning(
                    "X feed %r: the daily cap was reached with more new posts to read; the older ones are skipped",
                    feed.name,
                )
                break
            if number == MAX_PAGES:
                log.warning("X feed %r: more than %d pages of new posts; the oldest were skipped", feed.name, MAX_PAGES)
        counts = {"requests": requests + read_requests, "posts": posts + read_posts}
        next_cursor: dict[str, Any] = {usage.KEY: usage.stored(counts, now)}
        if newest is not None:
            next_cursor["since_id"] = str(newest)
        return FetchResult(items, next_cursor, usage={"requests": read_requests, "posts": read_posts})

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """The post now, and the other posts of its conversation (a ``conversation_id:`` search), oldest first.

        Recent search reaches seven days back: older replies are not in the thread. Two requests, and the posts they
        read, are the thread's ``usage`` (or the FeedError's, when the second fails).
        """
        post_id = _post_id(conversation.external_id)
        if post_id is None:
            raise FeedError(f"{conversation.external_id!r} is not an X post id")
        fields = {"tweet.fields": TWEET_FIELDS, "expansions": "author_id", "user.fields": "username,name"}
        try:
            body = await self._get(f"{self._api}/tweets/{post_id}", fields, gone=f"X post {post_id} is gone")
        except FeedError as e:
            raise usage.charged(e, {"requests": 1}) from e
        raw = as_dict(body.get("data"))
        if not raw:
            raise FeedError(f"X post {post_id} is gone (deleted, or its account is protected or suspended)")
        users = _users(body)
        refreshed = read_one(lambda r: _post(r, users), raw, source=SERVICE, what="post") or conversation
        conversation_id = _post_id(raw.get("conversation_id")) or post_id
        query: dict[str, str | int] = {
            "query": f"conversation_id:{conversation_id}",
            "max_results": max(10, min(limit, PAGE_SIZE)),
        }
        try:
            search = await self._get(f"{self._api}/tweets/search/recent", {**query, **fields})
        except FeedError as e:
            raise usage.charged(e, {"requests": 2, "posts": 1}) from e
        spent = {"requests": 2, "posts": 1 + len(as_list(search.get("data")))}
        users = {**users, **_users(search)}
        replies = read_items(
            as_list(search.get("data")), lambda r: _reply(as_dict(r), users, post_id), source=SERVICE, what="reply"
        )
        replies.sort(key=lambda r: int(r.external_id))
        return Thread(refreshed, tuple(replies[:limit]), refreshed.thread_size, usage=spent)

    async def _get(self, url: str, params: Mapping[str, str | int], gone: str | None = None) -> dict[str, Any]:
        if self._token is None:
            raise FeedError(f"X needs a bearer token: {HINT}")
        _, body = await get_json(
            self._http,
            url,
            service=SERVICE,
            now=self._clock(),
            params=params,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            auth_hint=f"check {TOKEN_ENV}: {HINT}",
            explain=self._explain,
            gone=gone,
        )
        if not isinstance(body, dict):
            raise FeedError("X answered with something that is not a JSON object")
        if "data" not in body and body.get("errors") and "meta" not in body:
            raise FeedError(f"X answered with errors only: {_problem(body)}")
        return body

    def _explain(self, response: HttpResponse, body: Any) -> FeedError | None:
        """X's 429 with ``x-rate-limit-reset`` (epoch seconds), and its problem bodies (title, detail)."""
        if response.status == 429:
            reset = as_int(_number(response.headers.get("x-rate-limit-reset")))
            wait = 900.0  # recent search's rate-limit window is 15 minutes
            if reset is not None:
                wait = min(max(1.0, reset - self._clock().timestamp()), MAX_WAIT)
            return FeedError(f"X rate limit reached (HTTP 429); retrying in {wait:.0f} s", retry_after=wait)
        if response.status == 401:
            return FeedError(f"X refused the bearer token (HTTP 401 {_problem(body)}): check {TOKEN_ENV}: {HINT}")
        if response.status in (400, 402, 403):
            return FeedError(f"X refused the request (HTTP {response.status} {_problem(body)}); check the feed's query")
        return None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _within_search(post_id: str, now: datetime) -> bool:
    """Whether a post id is younger than recent search's reach (7 days, less an hour's margin): the id's upper bits
    are its creation time in milliseconds since X's epoch (1288834974657). An id below 2**32 is from before ids
    carried a time (2010), or made up: it says nothing of its age and is sent as it is."""
    if int(post_id) < 2**32:
        return True
    created_ms = (int(post_id) >> 22) + SNOWFLAKE_EPOCH_MS
    return now.timestamp() * 1000 - created_ms < SEARCH_REACH_MS


def _problem(body: Any) -> str:
    """What X's error body says: its ``title``/``detail`` (problem JSON), or its first ``errors`` entry."""
    body = as_dict(body)
    errors = as_list(body.get("errors"))
    first = as_dict(errors[0]) if errors else {}
    parts = [as_str(body.get("title")), as_str(body.get("detail")) or as_str(first.get("message"))]
    return excerpt(": ".join(dict.fromkeys(p for p in parts if p)), 300)


def _post_id(value: object) -> str | None:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return text if text.isdigit() and len(text) <= 20 else None


def _users(body: dict[str, Any]) -> dict[str, str]:
    """Author id -> username, from the ``includes.users`` expansion."""
    out: dict[str, str] = {}
    for raw in as_list(as_dict(body.get("includes")).get("users")):
        user = as_dict(raw)
        if as_str(user.get("id")) and as_str(user.get("username")):
            out[as_str(user.get("id"))] = as_str(user.get("username"))
    return out


def _url(post_id: str, username: str | None) -> str:
    return f"https://x.com/{username}/status/{post_id}" if username else f"https://x.com/i/status/{post_id}"


def _replied_to(raw: dict[str, Any]) -> str | None:
    for ref in as_list(raw.get("referenced_tweets")):
        ref = as_dict(ref)
        if ref.get("type") == "replied_to":
            return _post_id(ref.get("id"))
    return None


def _post(raw: dict[str, Any], users: dict[str, str]) -> Conversation | None:
    """One post as a Conversation, or None without an id."""
    post_id = _post_id(raw.get("id"))
    if post_id is None:
        return None
    text = as_str(raw.get("text"))
    username = users.get(as_str(raw.get("author_id")))
    metrics = as_dict(raw.get("public_metrics"))
    return Conversation(
        source=XSource.kind,
        external_id=post_id,
        url=_url(post_id, username),
        title=excerpt(text.split("\n", 1)[0], TITLE_CHARS) or f"A post by {username or 'someone'} on X",
        text=text,
        author=username or as_str(raw.get("author_id")) or None,
        created_at=parse_time(raw.get("created_at")),
        thread_size=as_int(metrics.get("reply_count")),
        points=as_int(metrics.get("like_count")),
        kind="comment" if _replied_to(raw) else "post",
        # Who may reply is the post's reply_settings: anyone else cannot join the conversation.
        state="locked" if as_str(raw.get("reply_settings")) in ("mentionedUsers", "following") else None,
        language=language_code(raw.get("lang")),
        untitled=True,  # a post has no title: the title is its first line
    )


def _reply(raw: dict[str, Any], users: dict[str, str], post_id: str) -> Reply | None:
    reply_id = _post_id(raw.get("id"))
    if reply_id is None or reply_id == post_id:
        return None
    username = users.get(as_str(raw.get("author_id")))
    return Reply(
        external_id=reply_id,
        author=username or as_str(raw.get("author_id")) or None,
        text=as_str(raw.get("text")),
        created_at=parse_time(raw.get("created_at")),
        points=as_int(as_dict(raw.get("public_metrics")).get("like_count")),
        url=_url(reply_id, username),
        parent_id=_replied_to(raw),
    )


def _cap(feed: Feed, name: str, default: int) -> int:
    value = feed.options.get(name, default)
    if isinstance(value, str) and value.strip().isdigit():  # `feeds add --option name=200` gives text
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"feed {feed.name!r}: {name} must be a whole number of at least 1, like {name} = {default}")
    return value


def _settings(feed: Feed) -> tuple[str, int, int]:
    unknown = sorted(set(feed.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"feed {feed.name!r}: unknown X option(s) {', '.join(unknown)}; use max_requests_per_day and "
            "max_posts_per_day, like options = { max_requests_per_day = 100, max_posts_per_day = 1000 }"
        )
    if not (feed.query or "").strip():
        raise ConfigError(f"feed {feed.name!r}: an x feed needs a query, like query = '\"acme widgets\" -is:retweet'")
    api = (feed.url or DEFAULT_API_URL).strip().rstrip("/")
    try:
        check_url(api)
    except ValueError as e:
        raise ConfigError(f"feed {feed.name!r}: X API url {feed.url!r} {e}; leave it out") from None
    return (
        api,
        _cap(feed, "max_requests_per_day", DEFAULT_MAX_REQUESTS),
        _cap(feed, "max_posts_per_day", DEFAULT_MAX_POSTS),
    )
