"""YouTube comments on a channel's latest videos (and, optionally, new videos matching a search) through the Data
API v3, with a comment's replies as its thread.

Each poll reads the channel's uploads playlist (``playlistItems.list``, 1 unit), then the newest comment threads of
each of its latest videos (``commentThreads.list`` with ``order=time``, 1 unit each), and with ``search_videos`` a
``search.list`` for new videos (100 units). The cursor is the newest ``publishedAt`` seen and the ids near it
(:mod:`earshot.adapters.sources.cursor`). Quota units are counted per Pacific-time day in the cursor, since the
quota resets at midnight Pacific Time; a poll that would pass ``max_units_per_day`` is not started.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from earshot.adapters.http import HttpResponse, SafeHttp, check_url
from earshot.adapters.sources import usage
from earshot.adapters.sources.api import as_dict, as_int, as_list, as_str, get_json, option_flag, parse_time
from earshot.adapters.sources.cursor import Page, start, walk
from earshot.adapters.sources.items import read_items
from earshot.adapters.sources.youtube.kind import DECLARATION
from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock
from earshot.bot.text import excerpt

log = logging.getLogger(__name__)

SERVICE = "YouTube"
DEFAULT_API_URL = "https://www.googleapis.com/youtube/v3"
KEY_ENV = "YOUTUBE_API_KEY"
API_ENV = "YOUTUBE_API_URL"
OPTIONS = DECLARATION.option_names
COST = {"playlistItems": 1, "commentThreads": 1, "comments": 1, "search": 100}
"""Quota units per call, as the API's quota calculator documents them."""
OVERLAP_SECONDS = 600  # comments can show up in listings a little after their publishedAt
FIRST_POLL_LOOKBACK_SECONDS = 86_400
MAX_PAGES = 2
TITLE_CHARS = 120
HINT = f"set {KEY_ENV} to an API key with the YouTube Data API v3 enabled (console.cloud.google.com, APIs & Services)"
try:
    PACIFIC: Any = ZoneInfo("America/Los_Angeles")
except ZoneInfoNotFoundError:  # no time zone database: standard time is off by an hour half the year at most
    PACIFIC = timezone(timedelta(hours=-8), "PST")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class YouTubeSource:
    """Polls a channel's latest videos' comment threads, newest first, within a daily quota-unit budget."""

    kind: str = "youtube"

    def __init__(
        self,
        http: SafeHttp,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = _utcnow,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        self._http = http
        self._api = ((env or {}).get(API_ENV, "").strip() or api_url).rstrip("/")  # for threads; feeds: base_url
        self._key = (env or {}).get(KEY_ENV, "").strip() or None
        self._clock = clock

    def check(self, feed: Feed) -> None:
        """Refuse a feed with neither a channel nor a search, an unknown option or a bad setting."""
        _settings(feed)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Comments (and with ``search_videos``, videos) published since the cursor, within the day's units."""
        try:
            api, channel, videos, search, cap = _settings(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        now = self._clock()
        day = now.astimezone(PACIFIC)
        spent_before = usage.today(cursor, day).get("quota_units", 0)
        estimate = (1 + videos) * COST["commentThreads"] if channel else 0
        estimate += COST["search"] if search else 0
        if spent_before + estimate > cap:
            raise usage.cap_reached(
                SERVICE, "quota units", spent_before, cap, "max_units_per_day", day, reset="midnight Pacific Time"
            )
        window, since = start(
            cursor, now, service=SERVICE, overlap=OVERLAP_SECONDS, lookback=FIRST_POLL_LOOKBACK_SECONDS
        )
        spent = {"quota_units": 0}
        items: list[Conversation] = []
        times: dict[str, int] = {}

        async def call(what: str, params: dict[str, str | int]) -> dict[str, Any]:
            spent["quota_units"] += COST[what]
            return await self._get(f"{api}/{what}", params)

        async def read(page_of: Any) -> None:
            found, seen, _ = await walk(page_of, window, max_pages=MAX_PAGES, seeding=seeding)
            items.extend(found)
            times.update(seen)

        try:
            if channel:
                uploads = await call(
                    "playlistItems",
                    {"part": "snippet,contentDetails", "playlistId": "UU" + channel[2:], "maxResults": videos},
                )
                for video_id in _video_ids(uploads):
                    await read(self._comment_pages(call, video_id))
            if search:
                await read(self._search_pages(call, feed.query or "", channel, since))
        except FeedError as e:  # Google counts a refused request's units too
            before = {"quota_units": spent_before}
            raise usage.spent_before_failing(e, cursor, before, spent, day) from e
        counts = {"quota_units": spent_before + spent["quota_units"]}
        extra = {usage.KEY: usage.stored(counts, day)}
        return FetchResult(items, window.next(times, fallback=since + OVERLAP_SECONDS, extra=extra), usage=spent)

    def _comment_pages(self, call: Any, video_id: str) -> Any:
        token: dict[str, str] = {}

        async def page(number: int) -> Page:
            params: dict[str, str | int] = {
                "part": "snippet",
                "videoId": video_id,
                "order": "time",
                "maxResults": 100,
                "textFormat": "plainText",
                **({"pageToken": token["next"]} if number > 1 and "next" in token else {}),
            }
            try:
                body = await call("commentThreads", params)
            except FeedError as e:
                if "commentsDisabled" in str(e) or "videoNotFound" in str(e):
                    return Page()  # a video without comments (or gone since the playlist was read)
                raise
            token["next"] = as_str(body.get("nextPageToken"))
            result = Page(has_more=bool(token["next"]))
            result.items += read_items(as_list(body.get("items")), _thread_item, source=SERVICE, what="comment")
            return result

        return page

    def _search_pages(self, call: Any, query: str, channel: str | None, since: int) -> Any:
        async def page(number: int) -> Page:
            params: dict[str, str | int] = {
                "part": "snippet",
                "q": query,
                "type": "video",
                "order": "date",
                "maxResults": 50,
                "publishedAfter": datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            if channel:
                params["channelId"] = channel
            body = await call("search", params)
            result = Page(has_more=False)  # one page: another is another 100 units
            result.items += read_items(as_list(body.get("items")), _video, source=SERVICE, what="video")
            return result

        return page

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """A comment's replies (``comments.list`` by ``parentId``), oldest first; a video's newest comments. One
        request of one quota unit: the thread's ``usage`` (or the FeedError's, when it fails)."""
        external = conversation.external_id
        cost = {"quota_units": COST["commentThreads" if external.startswith("video:") else "comments"]}
        try:
            return await self._thread(conversation, limit, cost)
        except FeedError as e:  # Google counts a refused request's units too
            raise usage.charged(e, cost) from e

    async def _thread(self, conversation: Conversation, limit: int, cost: dict[str, int]) -> Thread:
        external = conversation.external_id
        if external.startswith("video:"):
            body = await self._get(
                f"{self._api}/commentThreads",
                {
                    "part": "snippet",
                    "videoId": external[6:],
                    "order": "relevance",
                    "maxResults": min(max(limit, 1), 100),
                    "textFormat": "plainText",
                },
            )
            tops = [
                as_dict(as_dict(as_dict(t).get("snippet")).get("topLevelComment")) for t in as_list(body.get("items"))
            ]
            replies = [r for r in (_as_reply(top) for top in tops) if r is not None]
        else:
            body = await self._get(
                f"{self._api}/comments",
                {
                    "part": "snippet",
                    "parentId": external,
                    "maxResults": min(max(limit, 1), 100),
                    "textFormat": "plainText",
                },
            )
            replies = [r for r in (_as_reply(as_dict(raw)) for raw in as_list(body.get("items"))) if r is not None]
            replies.sort(key=lambda r: r.created_at or datetime.min.replace(tzinfo=UTC))
        kept = tuple(replies)[:limit]
        return Thread(conversation, kept, conversation.thread_size, usage=cost)

    async def _get(self, url: str, params: Mapping[str, str | int]) -> dict[str, Any]:
        if self._key is None:
            raise FeedError(f"YouTube needs an API key: {HINT}")
        _, body = await get_json(
            self._http,
            url,
            service=SERVICE,
            now=self._clock(),
            params={**params, "key": self._key},
            headers={"Accept": "application/json"},
            auth_hint=f"check {KEY_ENV}: {HINT}",
            explain=self._explain,
        )
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise FeedError('YouTube answered with something that is not a list: it has no "items"')
        return body

    def _explain(self, response: HttpResponse, body: Any) -> FeedError | None:
        """Google's error body (``error.errors[0].reason``) as a FeedError a person can act on."""
        error = as_dict(as_dict(body).get("error"))
        if not error:
            return None
        first = as_dict(as_list(error.get("errors"))[0]) if as_list(error.get("errors")) else {}
        reason = as_str(first.get("reason")) or as_str(error.get("status"))
        message = excerpt(as_str(error.get("message")), 300)
        if reason in ("quotaExceeded", "dailyLimitExceeded"):
            day = self._clock().astimezone(PACIFIC)
            wait = usage.seconds_to_midnight(day)
            return FeedError(
                f"YouTube's daily quota is spent ({reason}); the feed is paused until midnight Pacific Time, in "
                f"{wait / 3600:.1f} h (lower videos or max_units_per_day, or ask Google for more quota)",
                retry_after=wait,
            )
        if reason in ("rateLimitExceeded", "userRateLimitExceeded") or response.status == 429:
            return FeedError(f"YouTube rate limit reached ({reason}); retrying in 60 s", retry_after=60.0)
        if reason in ("keyInvalid", "keyExpired", "accessNotConfigured", "forbidden", "ipRefererBlocked"):
            return FeedError(f"YouTube refused the API key ({reason}: {message}): check {KEY_ENV}: {HINT}")
        return FeedError(f"YouTube answered HTTP {response.status} ({reason}: {message})")


def _video_ids(body: dict[str, Any]) -> list[str]:
    out = []
    for raw in as_list(body.get("items")):
        raw = as_dict(raw)
        video_id = as_str(as_dict(raw.get("contentDetails")).get("videoId")) or as_str(
            as_dict(as_dict(raw.get("snippet")).get("resourceId")).get("videoId")
        )
        if video_id:
            out.append(video_id)
    return out


def _epoch(value: object) -> int | None:
    when = parse_time(value)
    return int(when.timestamp()) if when is not None else None


def _thread_item(raw: Any) -> tuple[Conversation, int] | None:
    """A comment thread's top-level comment as a Conversation with its publication time."""
    thread = as_dict(as_dict(raw).get("snippet"))
    top = as_dict(thread.get("topLevelComment"))
    snippet = as_dict(top.get("snippet"))
    comment_id = as_str(top.get("id")) or as_str(as_dict(raw).get("id"))
    video_id = as_str(snippet.get("videoId")) or as_str(thread.get("videoId"))
    created = _epoch(snippet.get("publishedAt"))
    if not comment_id or not video_id or created is None:
        return None
    text = as_str(snippet.get("textOriginal")) or as_str(snippet.get("textDisplay"))
    author = as_str(snippet.get("authorDisplayName")) or None
    conversation = Conversation(
        source=YouTubeSource.kind,
        external_id=comment_id,
        url=f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}",
        title=excerpt(text.split("\n", 1)[0], TITLE_CHARS) or f"A comment by {author or 'someone'} on YouTube",
        text=text,
        author=author,
        created_at=datetime.fromtimestamp(created, UTC),
        thread_size=as_int(thread.get("totalReplyCount")),
        points=as_int(snippet.get("likeCount")),
        link=f"https://www.youtube.com/watch?v={video_id}",
        community=video_id,
        kind="comment",
        state="locked" if thread.get("canReply") is False else None,
        untitled=True,  # a comment has no title: the title is its first line
    )
    return conversation, created


def _video(raw: Any) -> tuple[Conversation, int] | None:
    """A search result (a video) as a Conversation with its publication time."""
    raw = as_dict(raw)
    video_id = as_str(as_dict(raw.get("id")).get("videoId"))
    snippet = as_dict(raw.get("snippet"))
    created = _epoch(snippet.get("publishedAt"))
    if not video_id or created is None:
        return None
    conversation = Conversation(
        source=YouTubeSource.kind,
        external_id=f"video:{video_id}",
        url=f"https://www.youtube.com/watch?v={video_id}",
        title=as_str(snippet.get("title")) or f"YouTube video {video_id}",
        text=as_str(snippet.get("description")),
        author=as_str(snippet.get("channelTitle")) or None,
        created_at=datetime.fromtimestamp(created, UTC),
        community=as_str(snippet.get("channelId")) or None,
        kind="post",
    )
    return conversation, created


def _as_reply(raw: dict[str, Any]) -> Reply | None:
    snippet = as_dict(raw.get("snippet"))
    reply_id = as_str(raw.get("id"))
    if not reply_id:
        return None
    video_id = as_str(snippet.get("videoId"))
    return Reply(
        external_id=reply_id,
        author=as_str(snippet.get("authorDisplayName")) or None,
        text=as_str(snippet.get("textOriginal")) or as_str(snippet.get("textDisplay")),
        created_at=parse_time(snippet.get("publishedAt")),
        points=as_int(snippet.get("likeCount")),
        url=f"https://www.youtube.com/watch?v={video_id}&lc={reply_id}" if video_id else None,
        parent_id=as_str(snippet.get("parentId")) or None,
    )


def _whole(feed: Feed, name: str, default: int, low: int, high: int) -> int:
    value = feed.options.get(name, default)
    if isinstance(value, str) and value.strip().isdigit():  # `feeds add --option name=5` gives text
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"feed {feed.name!r}: {name} must be a whole number from {low} to {high}, like {default}")
    return value


def _settings(feed: Feed) -> tuple[str, str | None, int, bool, int]:
    unknown = sorted(set(feed.options) - set(OPTIONS))
    example = 'options = { channel = "UC_x5XG1OV2P6uZZ5FSM9Ttw" }'
    if unknown:
        raise ConfigError(
            f"feed {feed.name!r}: unknown YouTube option(s) {', '.join(unknown)}; use channel, videos, "
            f"search_videos and max_units_per_day, like {example}"
        )
    channel = as_str(feed.options.get("channel")) or None
    if channel is not None and (not channel.startswith("UC") or len(channel) != 24):
        raise ConfigError(
            f"feed {feed.name!r}: channel {channel!r} is not a channel id (24 characters starting UC, shown in the "
            f"channel's About page, Share channel > Copy channel ID), like {example}"
        )
    try:
        search = option_flag(feed.options.get("search_videos", False), "search_videos")
    except ValueError as e:
        raise ConfigError(f"feed {feed.name!r}: {e}") from None
    if search and not (feed.query or "").strip():
        raise ConfigError(f'feed {feed.name!r}: search_videos needs a query, like query = "acme widgets"')
    if channel is None and not search:
        raise ConfigError(
            f"feed {feed.name!r}: a youtube feed needs a channel, or search_videos with a query ({example})"
        )
    api = (feed.url or DEFAULT_API_URL).strip().rstrip("/")
    try:
        check_url(api)
    except ValueError as e:
        raise ConfigError(f"feed {feed.name!r}: YouTube API url {feed.url!r} {e}; leave it out") from None
    videos = _whole(feed, "videos", 5, 1, 20)
    cap = _whole(feed, "max_units_per_day", 2000, 1, 1_000_000)
    return api, channel, videos, search, cap
