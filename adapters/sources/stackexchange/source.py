"""Stack Exchange questions by tag or search on any site, through the API (2.3), with answers as the thread."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from earshot.adapters.http import HttpResponse, SafeHttp, check_url
from earshot.adapters.sources.api import (
    as_dict,
    as_int,
    as_list,
    as_str,
    get_json,
    option_list,
)
from earshot.adapters.sources.cursor import Page, start, stop_if_paused, walk
from earshot.adapters.sources.items import read_items, read_one
from earshot.adapters.sources.stackexchange.kind import DECLARATION
from earshot.adapters.sources.text import html_to_text
from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

SERVICE = "Stack Exchange"
DEFAULT_API_URL = "https://api.stackexchange.com/2.3"
DEFAULT_SITE = "stackoverflow"
KEY_ENV = "STACKEXCHANGE_KEY"
OPTIONS = DECLARATION.option_names
# Questions appear in the API a little after they are posted; each poll looks this far behind the newest seen.
OVERLAP_SECONDS = 300
FIRST_POLL_LOOKBACK_SECONDS = 3600
PAGE_SIZE = 100
MAX_PAGES = 5
QUOTA_WARN_BELOW = 500
MAX_BACKOFF_SECONDS = 86_400
_SITE = re.compile(r"[a-z0-9][a-z0-9.\-]{0,99}")
_TAG = re.compile(r"[^\s;]{1,35}")
_SECONDS = re.compile(r"(\d+) seconds?")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StackExchangeSource:
    """Polls ``/questions`` (by tag) or ``/search/advanced`` (by words) sorted by creation, newest first."""

    kind: str = "stackexchange"

    def __init__(
        self,
        http: SafeHttp,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = _utcnow,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        self._http = http
        self._api = api_url.rstrip("/")  # where threads are read; a feed's url overrides it for its own polls
        self._key = (env or {}).get(KEY_ENV, "").strip() or None
        self._clock = clock

    def check(self, feed: Feed) -> None:
        """Refuse an unknown option, a bad site name, bad tags or a bad API URL, with an example."""
        _settings(feed)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Questions created since the cursor, all pages up to MAX_PAGES (one page on a first poll)."""
        try:
            api, site, tagged = _settings(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        now = self._clock()
        window, since = start(
            cursor, now, service=SERVICE, overlap=OVERLAP_SECONDS, lookback=FIRST_POLL_LOOKBACK_SECONDS
        )
        path = "/search/advanced" if feed.query else "/questions"
        params: dict[str, str | int] = {
            "site": site,
            "sort": "creation",
            "order": "desc",
            "filter": "withbody",
            "pagesize": PAGE_SIZE,
            "fromdate": since,
        }
        if tagged:
            params["tagged"] = ";".join(tagged)
        if feed.query:
            params["q"] = feed.query
        pause: dict[str, Any] = {}

        async def page(number: int) -> Page:
            body = await self._get(f"{api}{path}", {**params, "page": number})
            _note_quota(feed.name, body, now, pause)
            result = Page(has_more=body.get("has_more") is True)
            result.items += read_items(
                as_list(body.get("items")), lambda raw: _question(as_dict(raw), site), source=SERVICE
            )
            stop_if_paused(
                result, pause, now, f"{SERVICE} asked Earshot to slow down with more questions still to read"
            )
            return result

        items, times, capped = await walk(page, window, max_pages=MAX_PAGES, seeding=seeding)
        if capped:
            log.warning(
                "Stack Exchange feed %r: more than %d pages of new questions; the oldest were skipped",
                feed.name,
                MAX_PAGES,
            )
        return FetchResult(items, window.next(times, fallback=since + OVERLAP_SECONDS, extra=pause))

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """The question now and its answers, highest voted first."""
        site, _, question_id = conversation.external_id.rpartition(":")
        if not site or not question_id.isdigit():
            raise FeedError(f"{conversation.external_id!r} is not a Stack Exchange question id (site:number)")
        api = self._api
        common: dict[str, str | int] = {"site": site, "filter": "withbody"}
        body = await self._get(f"{api}/questions/{question_id}", common)
        found = [q for q in (as_dict(raw) for raw in as_list(body.get("items"))) if q]
        if not found:
            raise FeedError(f"Stack Exchange question {question_id} on {site} is gone (deleted, or merged away)")
        refreshed = read_one(lambda raw: _question(raw, site), found[0], source=SERVICE, what="question")
        answers = await self._get(
            f"{api}/questions/{question_id}/answers",
            {**common, "sort": "votes", "order": "desc", "pagesize": max(1, min(limit, PAGE_SIZE))},
        )
        read = read_items(
            as_list(answers.get("items")), lambda raw: _answer(as_dict(raw), site), source=SERVICE, what="answer"
        )
        kept = tuple(read)[:limit]
        question = refreshed[0] if refreshed else conversation
        return Thread(question, kept, as_int(found[0].get("answer_count")))

    async def _get(self, url: str, params: dict[str, str | int]) -> dict[str, Any]:
        if self._key:
            params = {**params, "key": self._key}
        _, body = await get_json(
            self._http,
            url,
            service=SERVICE,
            now=self._clock(),
            params=params,
            headers={"Accept": "application/json"},
            auth_hint=f"check {KEY_ENV} (an app key from https://stackapps.com/apps/oauth/register), or unset it",
            explain=_explain,
        )
        if not isinstance(body, dict) or "error_id" in body:
            raise _explain_body(body) or FeedError(f"{SERVICE} answered with something that is not a result list")
        if not isinstance(body.get("items"), list):
            raise FeedError(f'{SERVICE} answered with something that is not a result list: it has no "items"')
        return body


def _explain(response: HttpResponse, body: Any) -> FeedError | None:
    if response.status in (401, 403) and isinstance(body, dict) and as_str(body.get("error_name")) == "key_invalid":
        return FeedError(f"{SERVICE} rejected {KEY_ENV} (key_invalid): check the key, or unset it to read anonymously")
    return _explain_body(body)


def _explain_body(body: Any) -> FeedError | None:
    """Stack Exchange's error wrapper (error_id, error_name, error_message) as a FeedError."""
    if not isinstance(body, dict) or "error_id" not in body:
        return None
    name = as_str(body.get("error_name")) or "error"
    message = " ".join(as_str(body.get("error_message")).split())[:300]
    error_id = as_int(body.get("error_id"))
    if name == "throttle_violation" or error_id == 502:
        found = _SECONDS.search(message)
        wait = float(found.group(1)) if found else 60.0
        return FeedError(f"{SERVICE} is throttling this address ({message}); retrying in {wait:g} s", retry_after=wait)
    if name == "bad_parameter" or error_id == 400:
        return FeedError(f"{SERVICE} refused a setting ({message}); check the feed's site, tagged and query")
    if name in ("access_token_required", "key_invalid", "access_denied") or error_id in (401, 402, 403, 405):
        return FeedError(f"{SERVICE} refused the request ({name}: {message}); check {KEY_ENV}")
    return FeedError(f"{SERVICE} answered with error {error_id} {name}: {message}")


def _note_quota(feed: str, body: dict[str, Any], now: datetime, pause: dict[str, Any]) -> None:
    """Honour ``backoff`` (no request to this method for that long) and a spent daily quota."""
    backoff = as_int(body.get("backoff"))
    if backoff is not None and backoff > 0:
        backoff = min(backoff, MAX_BACKOFF_SECONDS)  # the API asks for seconds; a larger number is not a backoff
        log.info("Stack Exchange feed %r: the API asked for a %d s backoff", feed, backoff)
        pause["not_before"] = max(pause.get("not_before", 0), int(now.timestamp()) + backoff)
    remaining = as_int(body.get("quota_remaining"))
    if remaining is None:
        return
    if remaining <= 0:
        # The daily quota resets at midnight UTC.
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        log.warning("Stack Exchange feed %r: the daily quota is spent; polling resumes at %s", feed, midnight)
        pause["not_before"] = max(pause.get("not_before", 0), int(midnight.timestamp()))
    elif remaining < min(QUOTA_WARN_BELOW, (as_int(body.get("quota_max")) or 0) // 10):
        log.warning(
            "Stack Exchange feed %r: %d requests left in today's quota (set %s for 10,000 a day)",
            feed,
            remaining,
            KEY_ENV,
        )


def _question(raw: dict[str, Any], site: str) -> tuple[Conversation, int] | None:
    """One question as a Conversation with its creation time, or None without an id, a time or a link."""
    question_id = as_int(raw.get("question_id"))
    created = as_int(raw.get("creation_date"))
    link = as_str(raw.get("link"))
    if question_id is None or created is None or not link.startswith(("https://", "http://")):
        return None
    tags = [t for t in as_list(raw.get("tags")) if isinstance(t, str)]
    owner = as_dict(raw.get("owner"))
    # Titles and display names come HTML-encoded ("&#39;", "&amp;"); bodies are HTML.
    title = html_to_text(as_str(raw.get("title"))) or f"Stack Exchange question {question_id}"
    conversation = Conversation(
        source=StackExchangeSource.kind,
        external_id=f"{site}:{question_id}",
        url=link,
        title=title,
        text=html_to_text(as_str(raw.get("body"))),
        author=_author(owner),
        created_at=datetime.fromtimestamp(created, UTC),
        thread_size=as_int(raw.get("answer_count")),
        points=as_int(raw.get("score")),
        community=f"{site}/{tags[0]}" if tags else site,
        kind="post",
        state=_state(raw),
    )
    return conversation, created


def _state(raw: dict[str, Any]) -> str | None:
    """The question's state from its own fields: locked (``locked_date``), closed (``closed_date`` or
    ``closed_reason``), solved (``accepted_answer_id``), answered (``is_answered``: an accepted or an upvoted
    answer), else open (None)."""
    if raw.get("locked_date"):
        return "locked"
    if raw.get("closed_date") or raw.get("closed_reason"):
        return "closed"
    if raw.get("accepted_answer_id"):
        return "solved"
    return "answered" if raw.get("is_answered") is True else None


def _answer(raw: dict[str, Any], site: str) -> Reply | None:
    answer_id = as_int(raw.get("answer_id"))
    if answer_id is None:
        return None
    created = as_int(raw.get("creation_date"))
    return Reply(
        external_id=f"{site}:{answer_id}",
        author=_author(as_dict(raw.get("owner"))),
        text=html_to_text(as_str(raw.get("body"))),
        created_at=datetime.fromtimestamp(created, UTC) if created is not None else None,
        points=as_int(raw.get("score")),
        url=as_str(raw.get("link")) or None,
        parent_id=f"{site}:{as_int(raw.get('question_id'))}" if as_int(raw.get("question_id")) else None,
    )


def _author(owner: dict[str, Any]) -> str | None:
    # A deleted account is user_type "does_not_exist", with a display name kept at most.
    return html_to_text(as_str(owner.get("display_name"))) or None


def _settings(feed: Feed) -> tuple[str, str, list[str]]:
    unknown = sorted(set(feed.options) - set(OPTIONS))
    example = 'options = { site = "serverfault", tagged = ["nginx", "tls"] }'
    if unknown:
        raise ConfigError(
            f"feed {feed.name!r}: unknown Stack Exchange option(s) {', '.join(unknown)}; use site and tagged, like "
            f"{example}"
        )
    api = (feed.url or DEFAULT_API_URL).strip().rstrip("/")
    try:
        check_url(api)
    except ValueError as e:
        raise ConfigError(f"feed {feed.name!r}: Stack Exchange API url {feed.url!r} {e}; leave it out") from None
    site = feed.options.get("site", DEFAULT_SITE)
    if not isinstance(site, str) or not _SITE.fullmatch(site.strip().lower()):
        raise ConfigError(
            f"feed {feed.name!r}: site {site!r} is not a Stack Exchange site name; use its API name, like "
            f'"stackoverflow", "serverfault", "superuser" or "unix" ({example})'
        )
    try:
        tagged = option_list(feed.options.get("tagged", []), "tagged", '["nginx", "tls"]')
        tagged += option_list(feed.options.get("tags", []), "tags", '["nginx", "tls"]')
        tagged = list(dict.fromkeys(tagged))
    except ValueError as e:
        raise ConfigError(f"feed {feed.name!r}: {e}") from None
    bad = [t for t in tagged if not _TAG.fullmatch(t)]
    if bad or len(tagged) > 5:
        raise ConfigError(
            f"feed {feed.name!r}: tagged takes up to 5 tags without spaces, like {example}; got {tagged!r}"
        )
    return api, site.strip().lower(), tagged
