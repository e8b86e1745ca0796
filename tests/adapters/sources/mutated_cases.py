"""The pages the mutated-payload properties break: every JSON source's listing, and every thread it reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources import (
    BlueskySource,
    DiscourseSource,
    GitHubSource,
    HackerNewsSource,
    LobstersSource,
    MastodonSource,
    RedditSource,
    StackExchangeSource,
)
from earshot.bot.domain import Conversation, Feed, FetchResult
from tests.adapters.sources import payloads as p
from tests.adapters.sources import payloads_more as q
from tests.adapters.sources.mutated import NOW, Case, Read
from tests.fakes.http_server import FakeHttpServer

EVERY = timedelta(minutes=5)
LIMIT = 1000  # replies read per thread: all of them, so the page's others are never cut by the limit
REDDIT_ENV = {"REDDIT_CLIENT_ID": "app", "REDDIT_CLIENT_SECRET": "secret"}  # a test value
TOKEN = {"access_token": "t0k3n", "token_type": "bearer", "expires_in": 86400, "scope": "*"}
REDDIT_FIXED: dict[str, Any] = {"POST /api/v1/access_token": TOKEN}


def clock() -> Any:
    return NOW


def feed(kind: str, url: str | None = None, query: str | None = None, **options: Any) -> Feed:
    return Feed(name=f"{kind}-feed", kind=kind, every=EVERY, url=url, query=query, options=options)


def post(source: str, external_id: str, url: str, kind: str = "post") -> Conversation:
    return Conversation(source=source, external_id=external_id, url=url, title="x", kind=kind)


def hackernews(http: SafeHttp, server: FakeHttpServer) -> HackerNewsSource:
    return HackerNewsSource(http, clock=clock, thread_base_url=server.url("/api/v1"))


def stackexchange(http: SafeHttp, server: FakeHttpServer) -> StackExchangeSource:
    return StackExchangeSource(http, {}, clock=clock, api_url=server.url("/2.3"))


def github(http: SafeHttp, server: FakeHttpServer) -> GitHubSource:
    return GitHubSource(http, {"GITHUB_API_URL": server.url(""), "GITHUB_TOKEN": "ghp_test"}, clock=clock)


def reddit(http: SafeHttp, server: FakeHttpServer) -> RedditSource:
    base = server.url("")
    return RedditSource(http, REDDIT_ENV, clock=clock, api_url=base, auth_url=base, rss_url=base)


def discourse(http: SafeHttp, server: FakeHttpServer) -> DiscourseSource:
    return DiscourseSource(http, {}, clock=clock)


def lobsters(http: SafeHttp, server: FakeHttpServer) -> LobstersSource:
    return LobstersSource(http, clock=clock, base_url=server.url(""))


def bluesky(http: SafeHttp, server: FakeHttpServer) -> BlueskySource:
    return BlueskySource(http, {}, clock=clock, public_url=server.url(""))


def poll(make_feed: Callable[[FakeHttpServer], Feed], cursor: dict[str, Any], seeding: bool) -> Read:
    """A read that polls the feed ``make_feed`` gives, from ``cursor`` (or the one passed: the next poll's)."""

    async def read(source: Any, server: FakeHttpServer, next_cursor: dict[str, Any] | None = None) -> FetchResult:
        return await source.fetch(make_feed(server), cursor if next_cursor is None else next_cursor, seeding=seeding)

    return read


def cases() -> list[Case]:
    """Every case, listings first."""
    return listings() + threads()


def listings() -> list[Case]:
    """One case per kind of listing each source polls (and per kind of item in it)."""
    se = p.se_page([p.se_question(1), p.se_question(2), p.se_question(3)])
    issues = {"total_count": 3, "incomplete_results": False, "items": [p.gh_issue(n) for n in (1, 2, 3)]}
    nodes = [p.gh_discussion(n) for n in (1, 2, 3)]
    discussions = {"data": {"search": {"pageInfo": {"hasNextPage": False, "endCursor": "Y3Vy"}, "nodes": nodes}}}
    latest_posts = {"latest_posts": [p.discourse_post(4, 4), p.discourse_post(3, 3), p.discourse_post(2, 2)]}
    return [
        Case(
            "hackernews story",
            hackernews,
            "/api/v1/search_by_date",
            p.hn_page(p.hn_hit(1)),
            ("hits", 0),
            poll(lambda srv: feed("hackernews", srv.url("/api/v1")), {}, seeding=False),
        ),
        Case(
            "hackernews comment",
            hackernews,
            "/api/v1/search_by_date",
            p.hn_page(p.hn_hit(1, comment=True)),
            ("hits", 0),
            poll(lambda srv: feed("hackernews", srv.url("/api/v1")), {}, seeding=False),
        ),
        Case(
            "stackexchange question",
            stackexchange,
            "/2.3/questions",
            se,
            ("items", 0),
            poll(lambda srv: feed("stackexchange", srv.url("/2.3"), tagged="kubernetes"), {}, seeding=False),
        ),
        Case(
            "github issue",
            github,
            "/search/issues",
            issues,
            ("items", 0),
            poll(lambda srv: feed("github", srv.url(""), "repo:octo/widgets"), {}, seeding=False),
        ),
        Case(
            "github discussion",
            github,
            "/graphql",
            discussions,
            ("data", "search", "nodes", 0),
            poll(lambda srv: feed("github", srv.url(""), "repo:octo/widgets", discussions=True), {}, seeding=False),
            fixed={"/search/issues": {"total_count": 1, "incomplete_results": False, "items": [p.gh_issue(5)]}},
            method="POST",
        ),
        Case(
            "discourse topic",
            discourse,
            "/latest.json",
            p.discourse_page([p.discourse_topic(1), p.discourse_topic(2), p.discourse_topic(3)]),
            ("topic_list", "topics", 0),
            poll(lambda srv: feed("discourse", srv.url("")), {}, seeding=True),
        ),
        Case(
            "discourse post",
            discourse,
            "/posts.json",
            latest_posts,
            ("latest_posts", 0),
            poll(lambda srv: feed("discourse", srv.url(""), include=["posts"]), {"posts_after": 9001}, seeding=False),
        ),
        Case(
            "lobsters story",
            lobsters,
            "/newest.json",
            [q.lobsters_story(1), q.lobsters_story(2), q.lobsters_story(3)],
            (0,),
            poll(lambda srv: feed("lobsters", srv.url("")), {}, seeding=False),
        ),
        Case(
            "lobsters comment",
            lobsters,
            "/comments.json",
            [q.lobsters_comment(1), q.lobsters_comment(2), q.lobsters_comment(3)],
            (0,),
            poll(
                lambda srv: feed("lobsters", srv.url(""), include=["comments"]),
                {"comments": {"newest": p.T - 3600, "recent_ids": []}},
                seeding=False,
            ),
            fixed={"/comments/page/2.json": []},
        ),
        Case(
            "reddit post",
            reddit,
            "/r/rust/new",
            q.reddit_listing([q.reddit_post(1), q.reddit_post(2), q.reddit_post(3)]),
            ("data", "children", 0),
            poll(lambda srv: feed("reddit", subreddit="rust", include=["posts"]), {}, seeding=False),
            fixed=REDDIT_FIXED,
        ),
        Case(
            "reddit comment",
            reddit,
            "/r/rust/comments",
            q.reddit_listing([q.reddit_comment(1), q.reddit_comment(2), q.reddit_comment(3)]),
            ("data", "children", 0),
            poll(lambda srv: feed("reddit", subreddit="rust", include=["comments"]), {}, seeding=False),
            fixed=REDDIT_FIXED,
        ),
        Case(
            "mastodon status",
            lambda http, srv: MastodonSource(http, {}, clock=clock),
            "/api/v1/timelines/tag/rust",
            [q.mastodon_status(1), q.mastodon_status(2), q.mastodon_status(3)],
            (0,),
            poll(lambda srv: feed("mastodon", srv.url(""), hashtag="rust"), {}, seeding=False),
        ),
        Case(
            "bluesky post",
            bluesky,
            "/xrpc/app.bsky.feed.searchPosts",
            {"posts": [q.bluesky_post(1), q.bluesky_post(2), q.bluesky_post(3)]},
            ("posts", 0),
            poll(lambda srv: feed("bluesky", query="rust"), {}, seeding=False),
        ),
    ]


def threads() -> list[Case]:
    """One case per thread each source reads: a reply mutated (its siblings must stay)."""
    reddit_thread = [
        q.reddit_listing([q.reddit_post(1)]),
        q.reddit_listing(
            [q.reddit_comment(1, q.reddit_listing([q.reddit_comment(11)])), q.reddit_comment(2), q.reddit_comment(3)]
        ),
    ]
    context = {
        "ancestors": [],
        "descendants": [q.mastodon_status(n, reply_to=str(111_000_000_000_000_001)) for n in (2, 3, 4)],
    }
    bsky = {
        "thread": q.bluesky_thread_node(
            1,
            [q.bluesky_thread_node(2, [q.bluesky_thread_node(5)]), q.bluesky_thread_node(3), q.bluesky_thread_node(4)],
        )
    }
    lobsters_story = {
        **q.lobsters_story(1),
        "comments": [q.lobsters_comment(1), q.lobsters_comment(2, 1), q.lobsters_comment(3)],
    }
    mastodon_id = "111000000000000001"
    return [
        Case(
            "hackernews thread",
            hackernews,
            "/api/v1/items/100",
            p.hn_thread(),
            ("children", 0),
            lambda s, srv: s.thread(post("hackernews", "100", "https://news.ycombinator.com/item?id=100"), limit=LIMIT),
        ),
        Case(
            "stackexchange answers",
            stackexchange,
            "/2.3/questions/77635501/answers",
            p.se_page([p.se_answer(1), p.se_answer(2), p.se_answer(3)]),
            ("items", 0),
            lambda s, srv: s.thread(
                post("stackexchange", "stackoverflow:77635501", "https://stackoverflow.com/q/1"), limit=LIMIT
            ),
            fixed={"/2.3/questions/77635501": p.se_page([p.se_question(1)])},
        ),
        Case(
            "stackexchange question refreshed",
            stackexchange,
            "/2.3/questions/77635501",
            p.se_page([p.se_question(1)]),
            ("items", 0),
            lambda s, srv: s.thread(
                post("stackexchange", "stackoverflow:77635501", "https://stackoverflow.com/q/1"), limit=LIMIT
            ),
            fixed={"/2.3/questions/77635501/answers": p.se_page([p.se_answer(1), p.se_answer(2)])},
        ),
        Case(
            "github comments",
            github,
            "/repos/octo/widgets/issues/1/comments",
            [p.gh_comment(1), p.gh_comment(2), p.gh_comment(3)],
            (0,),
            lambda s, srv: s.thread(
                post("github", "octo/widgets#1", "https://github.com/octo/widgets/issues/1"), limit=LIMIT
            ),
            fixed={"/repos/octo/widgets/issues/1": p.gh_issue(1)},
        ),
        Case(
            "discourse thread",
            discourse,
            "/t/301.json",
            p.discourse_thread(),
            ("post_stream", "posts", 1),
            lambda s, srv: s.thread(
                post("discourse", f"{srv.url('')}/t/301", f"{srv.url('')}/t/how-to-run-1/301"), limit=LIMIT
            ),
            # A post whose id is broken is missing from the loaded ones: its id in the stream is asked for again.
            fixed={"/t/301/posts.json": {"post_stream": {"posts": []}}},
        ),
        Case(
            "lobsters thread",
            lobsters,
            "/s/abc001.json",
            lobsters_story,
            ("comments", 0),
            lambda s, srv: s.thread(post("lobsters", "abc001", "https://lobste.rs/s/abc001/story_1"), limit=LIMIT),
        ),
        Case(
            "reddit thread",
            reddit,
            "/comments/1abc01",
            reddit_thread,
            (1, "data", "children", 0),
            lambda s, srv: s.thread(
                post("reddit", "t3_1abc01", "https://www.reddit.com/r/rust/comments/1abc01/post_1/"), limit=LIMIT
            ),
            fixed=REDDIT_FIXED,
        ),
        Case(
            "mastodon thread",
            lambda http, srv: MastodonSource(http, {}, clock=clock),
            f"/api/v1/statuses/{mastodon_id}/context",
            context,
            ("descendants", 0),
            lambda s, srv: s.thread(post("mastodon", "x", f"{srv.url('')}/@user1/{mastodon_id}"), limit=LIMIT),
            fixed={f"/api/v1/statuses/{mastodon_id}": q.mastodon_status(1)},
        ),
        Case(
            "bluesky thread",
            bluesky,
            "/xrpc/app.bsky.feed.getPostThread",
            bsky,
            ("thread", "replies", 0),
            lambda s, srv: s.thread(
                post("bluesky", q.bluesky_post(1)["uri"], "https://bsky.app/profile/u/post/1"), limit=LIMIT
            ),
        ),
    ]
