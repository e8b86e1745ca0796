"""GitHub issues and pull requests matching a search (REST), and discussions (GraphQL, with a token)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from earshot.adapters.http import HttpResponse, SafeHttp, check_url
from earshot.adapters.sources.api import (
    as_dict,
    as_int,
    as_list,
    as_str,
    get_json,
    option_flag,
    parse_time,
    quota_wait,
)
from earshot.adapters.sources.cursor import Page, start, stop_if_paused, walk
from earshot.adapters.sources.github import graphql
from earshot.adapters.sources.github.kind import DECLARATION
from earshot.adapters.sources.items import read_items, read_one
from earshot.bot.domain import Conversation, Feed, FetchResult, Reply, Thread
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import Clock

log = logging.getLogger(__name__)

SERVICE = "GitHub"
DEFAULT_API_URL = "https://api.github.com"
TOKEN_ENV = "GITHUB_TOKEN"  # noqa: S105 (the variable's name, not a secret)
API_URL_ENV = "GITHUB_API_URL"
OPTIONS = DECLARATION.option_names
# Search results appear some time after an issue is opened; each poll looks this far behind the newest seen.
OVERLAP_SECONDS = 600
FIRST_POLL_LOOKBACK_SECONDS = 3600
PER_PAGE = 100
MAX_PAGES = 5  # with anonymous search at 10 requests a minute, one poll must not spend them all
MAX_BODY_CHARS = 20_000
_TYPE = re.compile(r"(?:^|\s)-?(?:is|type):(?:issue|issues|pr|pull-request|pull_request|pullrequest)\b", re.I)
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
ACCEPT = "application/vnd.github.text+json"  # adds body_text: the body rendered as plain text


def _utcnow() -> datetime:
    return datetime.now(UTC)


class GitHubSource:
    """Polls ``/search/issues`` sorted by creation, newest first, following Link pagination."""

    kind: str = "github"

    def __init__(self, http: SafeHttp, env: Mapping[str, str] | None = None, *, clock: Clock = _utcnow) -> None:
        env = env or {}
        self._http = http
        self._token = env.get(TOKEN_ENV, "").strip() or None
        # Where threads are read (a feed's url overrides it for its own searches); Actions sets GITHUB_API_URL.
        self._api = (env.get(API_URL_ENV, "").strip() or DEFAULT_API_URL).rstrip("/")
        self._clock = clock
        self._warned: set[str] = set()

    def check(self, feed: Feed) -> None:
        """Require search words, and refuse unknown options or a bad API URL, with an example."""
        _settings(feed)

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Issues (and discussions, when asked and a token is set) created since the cursor, newest first."""
        try:
            api, query, discussions = _settings(feed)
        except ConfigError as e:
            raise FeedError(str(e)) from e
        now = self._clock()
        window, since = start(
            cursor, now, service=SERVICE, overlap=OVERLAP_SECONDS, lookback=FIRST_POLL_LOOKBACK_SECONDS
        )
        created = f"created:>={datetime.fromtimestamp(since, UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        typed = query if _TYPE.search(query) else f"{query} is:issue"
        pause: dict[str, Any] = {}
        next_url: list[str] = []

        async def page(number: int) -> Page:
            if number == 1:
                url = f"{api}/search/issues"
                params: dict[str, str | int] | None = {
                    "q": f"{typed} {created}",
                    "sort": "created",
                    "order": "desc",
                    "per_page": PER_PAGE,
                }
            else:
                url, params = next_url.pop(), None
            response, body = await self._get(url, params)
            self._note_quota(feed.name, response, now, pause)
            if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                raise FeedError(f'{SERVICE} answered with something that is not a search result: no "items" list')
            if body.get("incomplete_results") is True:
                log.info("GitHub feed %r: the search timed out on GitHub's side; results may be partial", feed.name)
            link = _next_link(response)
            result = Page(has_more=link is not None)
            if link is not None:
                next_url.append(link)
            result.items += read_items(body["items"], lambda raw: _issue(as_dict(raw)), source=SERVICE)
            stop_if_paused(result, pause, now, f"{SERVICE} quota spent with more results still to read")
            return result

        items, times, capped = await walk(page, window, max_pages=MAX_PAGES, seeding=seeding)
        if discussions:
            if self._token is None:
                if feed.name not in self._warned:
                    self._warned.add(feed.name)
                    log.warning(
                        "GitHub feed %r: discussions are searched only with a token (GitHub's GraphQL API needs one); "
                        "set %s to include them. Reading issues only.",
                        feed.name,
                        TOKEN_ENV,
                    )
            else:
                more, more_times, more_capped = await graphql.search_discussions(
                    self._http,
                    _graphql_url(api),
                    self._token,
                    f"{_TYPE.sub(' ', query).strip()} {created}",
                    window,
                    now=now,
                    seeding=seeding,
                    max_pages=MAX_PAGES,
                )
                items += [i for i in more if i.external_id not in times]
                times.update(more_times)
                capped = capped or more_capped
        if capped:
            log.warning(
                "GitHub feed %r: more than %d pages of new results; the oldest were skipped", feed.name, MAX_PAGES
            )
        return FetchResult(items, window.next(times, fallback=since + OVERLAP_SECONDS, extra=pause))

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """The issue (or discussion) now, and its comments, oldest first."""
        repo, _, number = conversation.external_id.rpartition("#")
        if repo.count("/") != 1 or not number.isdigit():
            raise FeedError(f"{conversation.external_id!r} is not a GitHub issue id (owner/repo#number)")
        if "/discussions/" in conversation.url:
            if self._token is None:
                raise FeedError(f"reading a GitHub discussion needs a token; set {TOKEN_ENV}")
            return await graphql.discussion_thread(
                self._http, _graphql_url(self._api), self._token, conversation, repo, int(number), limit, self._clock()
            )
        gone = f"GitHub issue {repo}#{number} is gone (deleted, transferred, or its repository made private)"
        _, issue = await self._get(f"{self._api}/repos/{repo}/issues/{number}", None, gone=gone)
        refreshed = read_one(lambda raw: _issue(as_dict(raw)), issue, source=SERVICE, what="issue")
        _, comments = await self._get(
            f"{self._api}/repos/{repo}/issues/{number}/comments", {"per_page": max(1, min(limit, PER_PAGE))}
        )
        read = read_items(as_list(comments), lambda c: _comment(as_dict(c), repo), source=SERVICE, what="comment")
        replies = tuple(read)[:limit]
        return Thread(refreshed[0] if refreshed else conversation, replies, as_int(as_dict(issue).get("comments")))

    async def _get(
        self, url: str, params: dict[str, str | int] | None, *, gone: str | None = None
    ) -> tuple[HttpResponse, Any]:
        return await get_json(
            self._http,
            url,
            service=SERVICE,
            now=self._clock(),
            params=params,
            headers=_headers(self._token),
            auth_hint=_auth_hint(self._token),
            explain=_explain,
            gone=gone,
        )

    def _note_quota(self, feed: str, response: HttpResponse, now: datetime, pause: dict[str, Any]) -> None:
        wait = quota_wait(response.headers, now)
        if wait is not None:
            log.warning("GitHub feed %r: the search quota is spent; the next request waits %.0f s", feed, wait)
            pause["not_before"] = int(now.timestamp() + wait)


def _headers(token: str | None) -> dict[str, str]:
    headers = {"Accept": ACCEPT, "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _auth_hint(token: str | None) -> str:
    if token:
        return f"check {TOKEN_ENV} (expired, revoked, or without access to this repository)"
    return f"set {TOKEN_ENV} to a token that can read this repository (anonymous requests see public ones only)"


def _explain(response: HttpResponse, body: Any) -> FeedError | None:
    message = " ".join(as_str(as_dict(body).get("message")).split())[:300]
    secondary = "rate limit" in message.lower() and response.headers.get("retry-after") is None
    if response.status == 403 and secondary and response.headers.get("x-ratelimit-remaining", "").strip() != "0":
        # A secondary limit without Retry-After: GitHub asks to wait at least a minute.
        return FeedError(f"{SERVICE} secondary rate limit: {message}; retrying in 60 s", retry_after=60.0)
    if response.status == 422:
        errors = "; ".join(as_str(as_dict(e).get("message")) for e in as_list(as_dict(body).get("errors")))
        return FeedError(
            f"{SERVICE} refused the search ({message}{': ' + errors if errors else ''}); check the feed's query, "
            'like query = "repo:owner/name label:bug"'
        )
    if response.status == 410:
        return FeedError(f"{SERVICE}: that issue was deleted (HTTP 410)")
    return None


def _next_link(response: HttpResponse) -> str | None:
    found = _NEXT.search(response.headers.get("link", ""))
    return found.group(1) if found else None


def _graphql_url(api: str) -> str:
    # api.github.com/graphql; GitHub Enterprise: https://host/api/v3 -> https://host/api/graphql
    return api[: -len("/v3")] + "/graphql" if api.endswith("/v3") else api + "/graphql"


def _repo(raw: dict[str, Any]) -> str:
    """owner/name, from repository_url, or from the issue's API url (older answers lack repository_url)."""
    for key, tail in (("repository_url", 0), ("url", 2)):
        parts = [p for p in urlsplit(as_str(raw.get(key))).path.split("/") if p]
        if "repos" in parts:
            rest = parts[parts.index("repos") + 1 :]
            if len(rest) == 2 + tail:
                return "/".join(rest[:2])
    return ""


def _issue(raw: dict[str, Any]) -> tuple[Conversation, int] | None:
    """One search result (issue or pull request) with its creation time, or None when it lacks what we need."""
    number = as_int(raw.get("number"))
    created = parse_time(raw.get("created_at"))
    url = as_str(raw.get("html_url"))
    repo = _repo(raw)
    if number is None or created is None or not url.startswith(("https://", "http://")) or not repo:
        return None
    # body_text is the body as GitHub renders it, as text; body is the raw Markdown the author typed.
    text = as_str(raw.get("body_text")) or as_str(raw.get("body"))
    conversation = Conversation(
        source=GitHubSource.kind,
        external_id=f"{repo}#{number}",
        url=url,
        title=as_str(raw.get("title")) or f"{repo}#{number}",
        text=text[:MAX_BODY_CHARS],
        author=as_str(as_dict(raw.get("user")).get("login")) or None,
        created_at=created,
        thread_size=as_int(raw.get("comments")),
        points=as_int(as_dict(raw.get("reactions")).get("total_count")),
        community=repo,
        kind="post",
        state=issue_state(raw),
    )
    return conversation, int(created.timestamp())


def issue_state(raw: dict[str, Any]) -> str | None:
    """An issue's or pull request's state: locked (``locked``: only collaborators may comment), closed (``state``
    "closed"), else open.

    A closed issue is "closed" whatever its ``state_reason``: "completed" (fixed, or answered), "not_planned"
    (declined, a duplicate, stale) or a merged pull request all end the conversation, and GitHub shows each as
    closed; calling the completed ones "solved" would say more than GitHub knows (many are closed by a bot or as
    done elsewhere).
    """
    if raw.get("locked") is True:
        return "locked"
    return "closed" if as_str(raw.get("state")).lower() == "closed" else None


def _comment(raw: dict[str, Any], repo: str) -> Reply | None:
    comment_id = as_int(raw.get("id"))
    if comment_id is None:
        return None
    return Reply(
        external_id=f"{repo}#comment-{comment_id}",
        author=as_str(as_dict(raw.get("user")).get("login")) or None,
        text=(as_str(raw.get("body_text")) or as_str(raw.get("body")))[:MAX_BODY_CHARS],
        created_at=parse_time(raw.get("created_at")),
        points=as_int(as_dict(raw.get("reactions")).get("total_count")),
        url=as_str(raw.get("html_url")) or None,
    )


def _settings(feed: Feed) -> tuple[str, str, bool]:
    example = 'query = "repo:psf/requests label:bug is:issue"'
    unknown = sorted(set(feed.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"feed {feed.name!r}: unknown GitHub option(s) {', '.join(unknown)}; the only one is discussions, like "
            "options = { discussions = true }"
        )
    query = (feed.query or "").strip()
    if not query:
        raise ConfigError(
            f"feed {feed.name!r}: a GitHub feed needs a search query (repo:, org:, label:, words), like {example}"
        )
    if len(query) > 200:
        raise ConfigError(
            f"feed {feed.name!r}: the query is {len(query)} characters; keep it to 200 (GitHub allows 256, and "
            "Earshot adds is:issue and a created: date)"
        )
    api = (feed.url or DEFAULT_API_URL).strip().rstrip("/")
    try:
        check_url(api)
    except ValueError as e:
        raise ConfigError(
            f"feed {feed.name!r}: GitHub API url {feed.url!r} {e}; leave it out for github.com, or give your "
            "GitHub Enterprise API, like https://github.example.com/api/v3"
        ) from None
    try:
        discussions = option_flag(feed.options.get("discussions", False), "discussions")
    except ValueError as e:
        raise ConfigError(f"feed {feed.name!r}: {e}") from None
    return api, query, discussions
