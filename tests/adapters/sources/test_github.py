"""The GitHub source against a fake REST and GraphQL API on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.github.source import MAX_PAGES, OVERLAP_SECONDS, PER_PAGE, GitHubSource
from earshot.bot.domain import Feed
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import ThreadSource
from tests.fakes.github import (
    JSON,
    FakeGitHub,
    comment,
    discussion,
    is_pull,
    issue,
    modern_issue,
    search_items,
)
from tests.fakes.http_server import FakeHttpServer, Reply

NOW = 1_700_000_000
ITEMS = search_items()
ISSUE = next(i for i in ITEMS if not is_pull(i))
PULL = next(i for i in ITEMS if is_pull(i))


class Clock:
    def __init__(self) -> None:
        self.now = datetime.fromtimestamp(NOW, UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(server: FakeHttpServer) -> FakeGitHub:
    return FakeGitHub(server, remaining=30, reset=NOW + 60)


def make_source(http: SafeHttp, api: FakeGitHub, clock: Clock, **env: str) -> GitHubSource:
    return GitHubSource(http, {"GITHUB_API_URL": api.api_url, **env}, clock=clock)


@pytest.fixture
def source(http: SafeHttp, api: FakeGitHub, clock: Clock) -> GitHubSource:
    return make_source(http, api, clock)


def gh_feed(url: str, query: str | None = "repo:octo/widgets", **options: Any) -> Feed:
    return Feed(name="gh", kind="github", every=timedelta(minutes=5), url=url, query=query, options=options)


def bulk(count: int, start: int = 1000) -> list[dict[str, Any]]:
    return [issue(ISSUE, start + i, NOW - i) for i in range(count)]


async def test_maps_search_items(source: GitHubSource, api: FakeGitHub) -> None:
    api.add(issue(ISSUE, 5, NOW - 100), issue(modern_issue(), 6, NOW - 50, repo="octo/gadgets"))
    result = await source.fetch(gh_feed(api.api_url, "org:octo"), {}, seeding=False)

    modern, old = result.items
    assert old.source == "github"
    assert old.external_id == "octo/widgets#5"
    assert old.url == "https://github.com/octo/widgets/issues/5"
    assert old.title == ISSUE["title"]
    assert old.text == ISSUE["body"].strip()
    assert old.author == ISSUE["user"]["login"]
    assert old.thread_size == ISSUE["comments"]
    assert old.community == "octo/widgets"
    assert old.created_at == datetime.fromtimestamp(NOW - 100, UTC)
    assert modern.community == "octo/gadgets"
    assert modern.points == 0  # reactions.total_count
    search = api.searches()[0]
    assert search.param("q") == "org:octo is:issue created:>=2023-11-14T21:13:20Z"
    assert search.headers["accept"] == "application/vnd.github.text+json"
    assert "authorization" not in search.headers


async def test_pull_requests_when_the_query_says_so(source: GitHubSource, api: FakeGitHub) -> None:
    api.add(issue(ISSUE, 1, NOW - 10), issue(PULL, 2, NOW - 5))
    result = await source.fetch(gh_feed(api.api_url, "repo:octo/widgets is:pr"), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["octo/widgets#2"]
    assert result.items[0].url == "https://github.com/octo/widgets/pull/2"


async def test_token_is_sent_and_never_shown(http: SafeHttp, api: FakeGitHub, clock: Clock) -> None:
    source = make_source(http, api, clock, GITHUB_TOKEN="ghp_secret")
    api.add(issue(ISSUE, 1, NOW - 10))
    await source.fetch(gh_feed(api.api_url), {}, seeding=False)
    assert api.searches()[0].headers["authorization"] == "Bearer ghp_secret"


async def test_two_polls_neither_skip_nor_repeat(source: GitHubSource, api: FakeGitHub, clock: Clock) -> None:
    api.add(issue(ISSUE, 1, NOW - 100), issue(ISSUE, 2, NOW - 50))
    first = await source.fetch(gh_feed(api.api_url), {}, seeding=True)
    assert first.cursor["newest"] == NOW - 50
    api.add(issue(ISSUE, 3, NOW - 50), issue(ISSUE, 4, NOW - 70), issue(ISSUE, 5, NOW + 30))
    clock.now += timedelta(minutes=5)
    second = await source.fetch(gh_feed(api.api_url), first.cursor, seeding=False)
    assert sorted(i.external_id for i in second.items) == ["octo/widgets#3", "octo/widgets#4", "octo/widgets#5"]
    since = datetime.fromtimestamp(NOW - 50 - OVERLAP_SECONDS, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"created:>={since}" in (api.searches()[-1].param("q") or "")
    third = await source.fetch(gh_feed(api.api_url), second.cursor, seeding=False)
    assert third.items == []


async def test_follows_link_pages(source: GitHubSource, api: FakeGitHub) -> None:
    api.add(issue(ISSUE, 1, NOW - 5000))
    first = await source.fetch(gh_feed(api.api_url), {}, seeding=True)
    api.add(*bulk(PER_PAGE + 10))
    result = await source.fetch(gh_feed(api.api_url), first.cursor, seeding=False)
    assert len(result.items) == PER_PAGE + 10
    assert [r.param("page") for r in api.searches()[1:]] == [None, "2"]


async def test_page_cap(source: GitHubSource, api: FakeGitHub, caplog: pytest.LogCaptureFixture) -> None:
    api.add(issue(ISSUE, 1, NOW - 50_000))
    first = await source.fetch(gh_feed(api.api_url), {}, seeding=True)
    api.add(*bulk(PER_PAGE * MAX_PAGES + 1))
    result = await source.fetch(gh_feed(api.api_url), first.cursor, seeding=False)
    assert len(result.items) == PER_PAGE * MAX_PAGES
    assert "the oldest were skipped" in caplog.text


async def test_rate_limit_reset_is_the_retry_after(source: GitHubSource, api: FakeGitHub) -> None:
    api.remaining = 0
    with pytest.raises(FeedError, match="rate limit") as caught:
        await source.fetch(gh_feed(api.api_url), {}, seeding=False)
    assert caught.value.retry_after == pytest.approx(60)


async def test_last_request_of_the_quota_pauses_the_next_poll(
    source: GitHubSource, api: FakeGitHub, clock: Clock
) -> None:
    api.remaining = 1
    api.add(issue(ISSUE, 1, NOW - 10))
    result = await source.fetch(gh_feed(api.api_url), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["octo/widgets#1"]
    assert result.cursor["not_before"] == NOW + 60
    with pytest.raises(FeedError) as caught:
        await source.fetch(gh_feed(api.api_url), result.cursor, seeding=False)
    assert caught.value.retry_after == pytest.approx(60)
    assert len(api.searches()) == 1


async def test_quota_spent_mid_walk_takes_nothing(source: GitHubSource, api: FakeGitHub) -> None:
    api.add(issue(ISSUE, 1, NOW - 50_000))
    first = await source.fetch(gh_feed(api.api_url), {}, seeding=True)
    api.add(*bulk(PER_PAGE + 1))
    api.remaining = 1
    with pytest.raises(FeedError, match="quota spent") as caught:
        await source.fetch(gh_feed(api.api_url), first.cursor, seeding=False)
    assert caught.value.retry_after == pytest.approx(60)


async def test_secondary_limit_with_retry_after(source: GitHubSource, server: FakeHttpServer) -> None:
    body = json.dumps({"message": "You have exceeded a secondary rate limit. Please wait a few minutes."})
    server.route("GET", "/search/issues", lambda r: Reply(403, body, {**JSON, "Retry-After": "90"}))
    with pytest.raises(FeedError, match="rate limit") as caught:
        await source.fetch(gh_feed(server.url("")), {}, seeding=False)
    assert caught.value.retry_after == 90

    server.route("GET", "/search/issues", lambda r: Reply(403, body, JSON))
    with pytest.raises(FeedError, match="secondary rate limit") as caught:
        await source.fetch(gh_feed(server.url("")), {}, seeding=False)
    assert caught.value.retry_after == 60


async def test_429_with_retry_after(source: GitHubSource, server: FakeHttpServer) -> None:
    server.route("GET", "/search/issues", lambda r: Reply(429, "{}", {**JSON, "Retry-After": "30"}))
    with pytest.raises(FeedError) as caught:
        await source.fetch(gh_feed(server.url("")), {}, seeding=False)
    assert caught.value.retry_after == 30


async def test_bad_credentials_name_the_variable(http: SafeHttp, server: FakeHttpServer, clock: Clock) -> None:
    source = GitHubSource(http, {"GITHUB_TOKEN": "ghp_revoked"}, clock=clock)
    body = json.dumps({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
    server.route("GET", "/search/issues", lambda r: Reply(401, body, JSON))
    with pytest.raises(FeedError, match=r"401.*check GITHUB_TOKEN") as caught:
        await source.fetch(gh_feed(server.url("")), {}, seeding=False)
    assert "ghp_revoked" not in str(caught.value)

    anonymous = GitHubSource(http, {}, clock=clock)
    server.route("GET", "/search/issues", lambda r: Reply(403, json.dumps({"message": "Forbidden"}), JSON))
    with pytest.raises(FeedError, match=r"403.*set GITHUB_TOKEN"):
        await anonymous.fetch(gh_feed(server.url("")), {}, seeding=False)


async def test_a_refused_query_is_explained(source: GitHubSource, server: FakeHttpServer) -> None:
    body = {
        "message": "Validation Failed",
        "errors": [{"message": "The listed users and repositories cannot be searched", "code": "invalid"}],
    }
    server.route("GET", "/search/issues", lambda r: Reply(422, json.dumps(body), JSON))
    with pytest.raises(FeedError, match=r"cannot be searched.*check the feed's query"):
        await source.fetch(gh_feed(server.url("")), {}, seeding=False)


async def test_malformed_bodies(source: GitHubSource, server: FakeHttpServer) -> None:
    server.route("GET", "/search/issues", lambda r: Reply(200, "{", JSON))
    with pytest.raises(FeedError, match="not JSON"):
        await source.fetch(gh_feed(server.url("")), {}, seeding=False)
    server.route("GET", "/search/issues", lambda r: Reply(200, '{"total_count": 1}', JSON))
    with pytest.raises(FeedError, match='no "items"'):
        await source.fetch(gh_feed(server.url("")), {}, seeding=False)
    good = issue(ISSUE, 3, NOW - 5)
    body = json.dumps({"items": [{"number": 1}, "junk", good]})
    server.route("GET", "/search/issues", lambda r: Reply(200, body, JSON))
    result = await source.fetch(gh_feed(server.url("")), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["octo/widgets#3"]


async def test_thread_reads_comments(source: GitHubSource, api: FakeGitHub) -> None:
    item = issue(ISSUE, 9, NOW - 100, comments=2)
    api.add(item)
    path = "/repos/octo/widgets/issues/9"
    api.comments[path] = [
        comment(1, "octo/widgets", 9, NOW - 90, "Same here on **gcc 13**."),
        comment(2, "octo/widgets", 9, NOW - 80, "Fixed by #10.", login="maintainer"),
    ]
    assert isinstance(source, ThreadSource)
    result = await source.fetch(gh_feed(api.api_url), {}, seeding=False)
    thread = await source.thread(result.items[0], limit=1)
    assert [r.text for r in thread.replies] == ["Same here on **gcc 13**."]
    assert thread.replies[0].url == "https://github.com/octo/widgets/issues/9#issuecomment-1"
    assert thread.replies[0].points == 2
    assert thread.reply_count == 2
    assert api.server.hits(f"{path}/comments")[0].param("per_page") == "1"


async def test_thread_of_a_deleted_issue(source: GitHubSource, api: FakeGitHub) -> None:
    item = issue(ISSUE, 9, NOW - 100)
    api.add(item)
    result = await source.fetch(gh_feed(api.api_url), {}, seeding=False)
    api.delete(item)
    with pytest.raises(FeedError, match=r"octo/widgets#9 is gone .* \(HTTP 410\)"):
        await source.thread(result.items[0])


async def test_discussions_need_a_token(
    source: GitHubSource, api: FakeGitHub, caplog: pytest.LogCaptureFixture
) -> None:
    api.discussions.append(discussion(3, NOW - 10, "Roadmap for 2.0"))
    api.add(issue(ISSUE, 1, NOW - 20))
    with caplog.at_level(logging.WARNING):
        result = await source.fetch(gh_feed(api.api_url, discussions=True), {}, seeding=False)
    assert [i.external_id for i in result.items] == ["octo/widgets#1"]
    assert "set GITHUB_TOKEN to include them" in caplog.text


async def test_discussions_with_a_token(http: SafeHttp, api: FakeGitHub, clock: Clock) -> None:
    source = make_source(http, api, clock, GITHUB_TOKEN="ghp_x")
    api.discussions.append(discussion(3, NOW - 10, "Roadmap for 2.0"))
    api.add(issue(ISSUE, 1, NOW - 20))
    result = await source.fetch(gh_feed(api.api_url, discussions="true"), {}, seeding=False)
    found = {i.external_id: i for i in result.items}
    assert set(found) == {"octo/widgets#1", "octo/widgets#3"}
    talk = found["octo/widgets#3"]
    assert talk.url == "https://github.com/octo/widgets/discussions/3"
    assert talk.community == "octo/widgets discussions/Ideas"
    assert talk.points == 4
    thread = await source.thread(talk)
    assert [r.text for r in thread.replies] == ["Sounds good."]
    assert thread.replies[0].author is None  # a deleted account


@pytest.mark.parametrize(
    ("query", "options", "message"),
    [
        (None, {}, "needs a search query"),
        ("repo:a/b", {"labels": "bug"}, "unknown GitHub option"),
        ("repo:a/b", {"discussions": "maybe"}, "true or false"),
        ("x" * 300, {}, "keep it to 200"),
    ],
)
def test_check_refuses_bad_settings(
    source: GitHubSource, query: str | None, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        source.check(gh_feed("https://api.github.com", query, **options))
