"""The Reddit source against a fake Reddit on 127.0.0.1: OAuth token, listings, cursors, limits, threads, RSS."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.reddit.parse import parse_rss
from earshot.adapters.sources.reddit.source import RSS_NOTE, RedditSource
from earshot.bot.domain import Conversation, Feed
from earshot.bot.errors import ConfigError, FeedError
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.reddit import CLIENT_ID, JSON, SECRET, FakeReddit, listing
from tests.fakes.reddit_shapes import (
    b36,
    comment_stream,
    nested_thread,
    new_posts,
    search_results,
    selfpost_thread,
    thread_atom,
    thread_body,
)
from tests.fixtures import shared_path

ENV = {"REDDIT_CLIENT_ID": CLIENT_ID, "REDDIT_CLIENT_SECRET": SECRET, "REDDIT_USERNAME": "earshot_tester"}
POSTS = new_posts(100)  # newest first
COMMENTS = comment_stream(100)  # newest first


@pytest.fixture
def reddit(server: FakeHttpServer) -> FakeReddit:
    return FakeReddit(server)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_source(http: SafeHttp, reddit: FakeReddit, clock: Clock, env: dict[str, str] | None = None) -> RedditSource:
    base = reddit.url
    return RedditSource(http, ENV if env is None else env, clock=clock, api_url=base, auth_url=base, rss_url=base)


def reddit_feed(**options: Any) -> Feed:
    query = options.pop("query", None)
    options.setdefault("subreddit", "AskReddit")
    if options["subreddit"] is None:
        del options["subreddit"]
    return Feed(name="ask", kind="reddit", every=timedelta(minutes=5), query=query, options=options)


def numbered(count: int, start: int) -> list[dict[str, Any]]:
    """``count`` posts cloned from POSTS under fresh, growing ids, newest (highest id) first."""
    out = []
    for i in reversed(range(count)):
        post = copy.deepcopy(POSTS[i % len(POSTS)])
        number = start + i
        id36 = b36(number)
        post["data"].update(id=id36, name=f"t3_{id36}", permalink=f"/r/AskReddit/comments/{id36}/x/")
        out.append(post)
    return out


async def test_maps_posts_and_comments(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    reddit.posts, reddit.comments = POSTS[:3], COMMENTS[:2]
    result = await make_source(http, reddit, clock).fetch(reddit_feed(), {}, seeding=False)

    post, _, _, comment, _ = result.items
    assert post.source == "reddit"
    assert post.external_id == "t3_1qa002s"
    assert post.kind == "post"
    assert (
        post.url
        == "https://www.reddit.com/r/AskReddit/comments/1qa002s/what_hobby_did_you_pick_up_this_year_that_stuck/"
    )
    assert post.title == "What hobby did you pick up this year that stuck?"
    assert post.author == "quiet_maple"
    assert post.community == "r/AskReddit"
    assert (post.thread_size, post.points, post.link) == (0, 1, None)
    assert post.created_at == datetime.fromtimestamp(1_700_000_000, UTC)

    assert comment.external_id == "t1_nzk002s"
    assert comment.kind == "comment"
    assert comment.title == "Re: What hobby did you pick up this year that stuck?"
    assert comment.text.startswith("Honestly, just walking every evening.")
    assert comment.url.endswith("/comments/1qa002s/what_hobby_did_you_pick_up_this_year_that_stuck/nzk002s/")
    assert result.cursor == {"t3": "t3_1qa002s", "t1": "t1_nzk002s"}
    assert result.notes == ()

    new, comments = reddit.server.hits("/r/AskReddit/new"), reddit.server.hits("/r/AskReddit/comments")
    assert new[0].headers["authorization"] == "bearer token-1"
    assert new[0].headers["user-agent"].startswith("python:earshot:")
    assert new[0].headers["user-agent"].endswith("(by /u/earshot_tester)")
    assert (new[0].param("limit"), new[0].param("raw_json")) == ("100", "1")
    assert len(comments) == 1


async def test_two_polls_across_a_restart_neither_skip_nor_repeat(
    http: SafeHttp, reddit: FakeReddit, clock: Clock
) -> None:
    reddit.posts = POSTS[40:]
    reddit.comments = COMMENTS[10:]
    first = await make_source(http, reddit, clock).fetch(reddit_feed(), {}, seeding=True)
    assert first.cursor == {"t3": POSTS[40]["data"]["name"], "t1": COMMENTS[10]["data"]["name"]}

    reddit.posts, reddit.comments = POSTS, COMMENTS  # 40 posts and 10 comments arrived on top
    restarted = make_source(http, reddit, clock)  # a new process: only the stored cursor carries over
    second = await restarted.fetch(reddit_feed(), first.cursor, seeding=False)
    ids = [i.external_id for i in second.items]
    assert ids == [p["data"]["name"] for p in POSTS[:40]] + [c["data"]["name"] for c in COMMENTS[:10]]
    assert second.cursor == {"t3": POSTS[0]["data"]["name"], "t1": COMMENTS[0]["data"]["name"]}

    third = await restarted.fetch(reddit_feed(), second.cursor, seeding=False)
    assert third.items == []
    assert third.cursor == second.cursor


async def test_walks_pages_back_to_the_cursor(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    everything = numbered(250, start=36**5)
    reddit.posts = everything[230:]  # the 20 oldest
    source = make_source(http, reddit, clock)
    first = await source.fetch(reddit_feed(include=["posts"]), {}, seeding=True)
    reddit.posts = everything
    second = await source.fetch(reddit_feed(include=["posts"]), first.cursor, seeding=False)

    assert len(second.items) == 230
    assert len({i.external_id for i in second.items}) == 230
    afters = [r.param("after") for r in reddit.server.hits("/r/AskReddit/new")[1:]]
    assert afters == [None, everything[99]["data"]["name"], everything[199]["data"]["name"]]
    assert second.cursor["t3"] == everything[0]["data"]["name"]


async def test_a_deleted_cursor_item_does_not_stall_the_feed(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    # Reddit answers before=<a deleted item> with an empty listing; comparing ids needs no such anchor.
    reddit.posts = POSTS[5:]
    source = make_source(http, reddit, clock)
    first = await source.fetch(reddit_feed(include="posts"), {}, seeding=True)
    reddit.posts = POSTS[:5] + POSTS[6:]  # the cursor's post is gone
    second = await source.fetch(reddit_feed(include="posts"), first.cursor, seeding=False)
    assert [i.external_id for i in second.items] == [p["data"]["name"] for p in POSTS[:5]]


async def test_deleted_and_removed_items_are_skipped_but_passed(
    http: SafeHttp, reddit: FakeReddit, clock: Clock
) -> None:
    posts, comments = copy.deepcopy(POSTS[:3]), copy.deepcopy(COMMENTS[:3])
    posts[0]["data"].update(author="[deleted]", selftext="[deleted]", removed_by_category="deleted")
    posts[1]["data"].update(selftext="[removed]", selftext_html=None, removed_by_category="moderator")
    comments[0]["data"].update(body="[removed]", body_html='<div class="md"><p>[removed]</p>\n</div>')
    comments[1]["data"].update(author="[deleted]", body="[deleted]")
    reddit.posts, reddit.comments = posts, comments
    result = await make_source(http, reddit, clock).fetch(reddit_feed(), {"t3": "t3_1", "t1": "t1_1"}, seeding=False)
    assert [i.external_id for i in result.items] == [posts[2]["data"]["name"], comments[2]["data"]["name"]]
    assert result.cursor == {"t3": posts[0]["data"]["name"], "t1": comments[0]["data"]["name"]}


async def test_html_and_non_english_bodies(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    post = copy.deepcopy(POSTS[0])
    post["data"].update(
        title="Почему &amp; зачем? 日本語",
        selftext="**Привет** мир",
        selftext_html='<!-- SC_OFF --><div class="md"><p><strong>Привет</strong> мир &amp; 日本</p>\n</div>',
        edited=1594430000.0,
    )
    reddit.posts = [post]
    result = await make_source(http, reddit, clock).fetch(reddit_feed(include="posts"), {}, seeding=False)
    (item,) = result.items
    assert item.title == "Почему & зачем? 日本語"
    assert item.text == "Привет мир & 日本"


async def test_search_reads_posts_with_the_query(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    reddit.found = search_results()
    result = await make_source(http, reddit, clock).fetch(reddit_feed(query="praw", subreddit=None), {}, seeding=False)
    assert result.items
    assert all(i.kind == "post" and "praw" in i.title.lower() for i in result.items)
    (request,) = reddit.server.hits("/search")
    assert (request.param("q"), request.param("sort"), request.param("restrict_sr")) == ("praw", "new", None)


async def test_the_token_is_cached_and_renewed_before_it_expires(
    http: SafeHttp, reddit: FakeReddit, clock: Clock
) -> None:
    reddit.posts = POSTS[:2]
    reddit.expires_in = 3600
    source = make_source(http, reddit, clock)
    feed = reddit_feed(include="posts")
    await source.fetch(feed, {}, seeding=False)
    await source.fetch(feed, {}, seeding=False)
    assert reddit.tokens == ["token-1"]

    clock.advance(timedelta(minutes=56))  # within five minutes of the end: renewed first
    await source.fetch(feed, {}, seeding=False)
    assert reddit.tokens == ["token-1", "token-2"]
    assert reddit.server.hits("/r/AskReddit/new")[-1].headers["authorization"] == "bearer token-2"

    reddit.revoked.add("token-2")  # revoked early: one new token, then the request again
    result = await source.fetch(feed, {}, seeding=False)
    assert len(result.items) == 2
    assert reddit.tokens == ["token-1", "token-2", "token-3"]


async def test_wrong_credentials_say_which_variables_to_check(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    env = {**ENV, "REDDIT_CLIENT_SECRET": "wrong"}
    with pytest.raises(FeedError) as info:
        await make_source(http, reddit, clock, env).fetch(reddit_feed(), {}, seeding=False)
    message = str(info.value)
    assert "HTTP 401" in message
    assert "REDDIT_CLIENT_ID" in message and "REDDIT_CLIENT_SECRET" in message
    assert "wrong" not in message


async def test_a_private_subreddit_is_named(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    body = json.dumps({"reason": "private", "message": "Forbidden", "error": 403})
    reddit.server.route("GET", "/r/AskReddit/new", lambda request: Reply(403, body, JSON))
    with pytest.raises(FeedError, match=r"HTTP 403 \(Forbidden.*r/AskReddit may be private"):
        await make_source(http, reddit, clock).fetch(reddit_feed(), {}, seeding=False)


async def test_a_missing_subreddit_is_named(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    reddit.server.route(
        "GET", "/r/nosuchsub/new", lambda request: Reply(302, b"", {"Location": "/subreddits/search?q=nosuchsub"})
    )
    reddit.server.route("GET", "/subreddits/search", lambda request: Reply(200, json.dumps(listing([], None)), JSON))
    with pytest.raises(FeedError, match="Reddit has no subreddit r/nosuchsub"):
        await make_source(http, reddit, clock).fetch(reddit_feed(subreddit="nosuchsub"), {}, seeding=False)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"Retry-After": "30"}, 30), ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "42"}, 42), ({}, 60)],
)
async def test_429_carries_retry_after(
    http: SafeHttp, reddit: FakeReddit, clock: Clock, headers: dict[str, str], wait: float
) -> None:
    reddit.server.route("GET", "/r/AskReddit/new", lambda request: Reply(429, "Too Many Requests", headers))
    with pytest.raises(FeedError, match="HTTP 429") as info:
        await make_source(http, reddit, clock).fetch(reddit_feed(), {}, seeding=False)
    assert info.value.retry_after == wait


async def test_a_used_up_quota_stops_requests_until_it_resets(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    reddit.posts, reddit.comments = POSTS[:2], COMMENTS[:2]
    reddit.remaining, reddit.reset = 0.0, 120
    source = make_source(http, reddit, clock)
    with pytest.raises(FeedError, match="rate limit is used up") as info:
        await source.fetch(reddit_feed(), {}, seeding=False)
    assert info.value.retry_after == 120
    assert reddit.server.hits("/r/AskReddit/comments") == []  # not asked while out of quota

    clock.advance(timedelta(seconds=121))
    reddit.remaining = 500.0
    result = await source.fetch(reddit_feed(), {}, seeding=False)
    assert len(result.items) == 4


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>oops</html>", "not a listing: .*not valid JSON"),
        ('{"kind": "Listing", "data": {}}', 'no "data.children" list'),
        ("[1, 2]", 'no "data.children" list'),
    ],
)
async def test_a_malformed_body_is_a_feed_error(
    http: SafeHttp, reddit: FakeReddit, clock: Clock, body: str, message: str
) -> None:
    reddit.server.route("GET", "/r/AskReddit/new", lambda request: Reply(200, body, JSON))
    with pytest.raises(FeedError, match=message):
        await make_source(http, reddit, clock).fetch(reddit_feed(), {}, seeding=False)


async def test_thread_of_a_post_skips_more_stubs_and_deleted_comments(
    http: SafeHttp, reddit: FakeReddit, clock: Clock
) -> None:
    top, tree = nested_thread()
    post_id = top["data"]["id"]
    body = thread_body(top, tree)
    stub = {
        "kind": "more",
        "data": {
            "count": 40,
            "name": "t1_zzz0001",
            "id": "zzz0001",
            "parent_id": top["data"]["name"],
            "depth": 0,
            "children": ["zzz0001", "zzz0002"],
        },
    }
    body[1]["data"]["children"].append(stub)
    reddit.serve_thread(post_id, body)
    post = top["data"]
    conversation = Conversation(
        source="reddit",
        external_id=post["name"],
        url="https://www.reddit.com" + post["permalink"],
        title="old",
        points=1,
    )
    thread = await make_source(http, reddit, clock).thread(conversation, limit=500)

    assert thread.conversation.points == post["score"]
    assert thread.conversation.title == "old"
    assert thread.reply_count == 168
    assert len(thread.replies) == 113  # 114 comments in the tree, one of them deleted; the stub is not one
    assert {r.depth for r in thread.replies} == {0, 1, 2, 3, 4, 5}
    assert all(r.text not in ("[deleted]", "[removed]") and r.external_id.startswith("t1_") for r in thread.replies)
    first = thread.replies[0]
    assert first.depth == 0 and first.parent_id == post["name"]
    assert thread.replies[1].parent_id == first.external_id and thread.replies[1].depth == 1  # depth first
    (request,) = reddit.server.hits(f"/comments/{post_id}")
    assert (request.param("limit"), request.param("raw_json"), request.param("comment")) == ("500", "1", None)

    short = await make_source(http, reddit, clock).thread(conversation, limit=5)
    assert [r.external_id for r in short.replies] == [r.external_id for r in thread.replies[:5]]


async def test_thread_of_a_comment_reads_its_replies(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    post, comments = selfpost_thread()
    reddit.serve_thread(post["data"]["id"], thread_body(post, comments))
    top = comments[0]["data"]
    conversation = Conversation(
        source="reddit",
        external_id=top["name"],
        url="https://www.reddit.com" + top["permalink"],
        title="Re: x",
        kind="comment",
    )
    replies = await make_source(http, reddit, clock).thread(conversation)
    assert reddit.server.hits(f"/comments/{post['data']['id']}")[0].param("comment") == top["id"]
    assert replies.conversation.title == "Re: x"
    assert all(r.depth >= 0 and r.external_id != top["name"] for r in replies.replies)
    assert "Pass comment=<id> to /comments/<post>." in [r.text for r in replies.replies]


async def test_without_credentials_it_reads_the_public_rss(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    reddit.posts = POSTS[10:]
    source = make_source(http, reddit, clock, env={})
    first = await source.fetch(reddit_feed(), {}, seeding=True)
    assert first.notes == (RSS_NOTE,)
    assert first.cursor == {"t3": POSTS[10]["data"]["name"]}
    assert reddit.server.hits("/r/AskReddit/new") == []
    assert "authorization" not in reddit.server.hits("/r/AskReddit/new/.rss")[0].headers

    reddit.posts = POSTS
    second = await source.fetch(reddit_feed(), first.cursor, seeding=False)
    assert [i.external_id for i in second.items] == [p["data"]["name"] for p in POSTS[:10]]
    item = second.items[0]
    assert (item.kind, item.community, item.author) == ("post", "r/AskReddit", "quiet_maple")
    assert item.url == "https://www.reddit.com" + POSTS[0]["data"]["permalink"]
    assert "submitted by" not in item.text
    third = await source.fetch(reddit_feed(), second.cursor, seeding=False)
    assert third.items == []


@pytest.mark.parametrize(
    "name", ["reddit_r_homelab_new_rss.atom.xml", "reddit_search_rss.atom.xml", "reddit_r_rust_rss.atom.xml"]
)
def test_conformance_recorded_reddit_rss_parses(name: str) -> None:
    items = parse_rss(shared_path("fixtures", "rss", name).read_bytes())
    assert items
    for item, fullname in items:
        assert fullname.startswith("t3_") and item.external_id == fullname
        assert item.url.startswith("https://") and "/comments/" in item.url
        assert item.author and not item.author.startswith("/u/")
        assert "submitted by" not in item.text
        assert item.created_at is not None


async def test_thread_without_credentials_reads_the_thread_rss(
    http: SafeHttp, reddit: FakeReddit, clock: Clock
) -> None:
    post = new_posts(1, subreddit="gravelcycling")[0]
    said = [(f"rider_{n}", f"Nice build, number {n}!") for n in range(33)]
    said[0] = ("Ama_Osei", "Careful, my partner reads this sub too.")
    said[7] = said[20] = (None, "Which tyres are those?")  # accounts deleted since
    reddit.serve_thread_rss(post["data"]["permalink"], thread_atom(post, said))
    conversation = Conversation(
        source="reddit",
        external_id=post["data"]["name"],
        url="https://www.reddit.com" + post["data"]["permalink"],
        title=post["data"]["title"],
    )
    thread = await make_source(http, reddit, clock, env={}).thread(conversation)
    assert len(thread.replies) == 33
    assert thread.replies[0].author == "Ama_Osei"
    assert thread.replies[0].text == "Careful, my partner reads this sub too."
    assert all(r.external_id.startswith("t1_") and r.author != "[deleted]" for r in thread.replies)
    assert sum(1 for r in thread.replies if r.author is None) == 2  # comments by deleted accounts


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        (reddit_feed(subreddit=None), 'needs a subreddit or a query, like options = { subreddit = "rust" }'),
        (reddit_feed(subreddit="r/no spaces"), "is not a subreddit name"),
        (reddit_feed(subreddit=3), "subreddit must be a name"),
        (reddit_feed(sub="rust"), "unknown Reddit option(s) sub"),
        (reddit_feed(query="x", include=["comments"]), "a Reddit search finds posts only"),
        (reddit_feed(include=["votes"]), 'include must list "posts" and/or "comments"'),
        (Feed("ask", "reddit", timedelta(minutes=5), url="ftp://x", options={"subreddit": "rust"}), "http://"),
    ],
)
def test_check_refuses_bad_settings(http: SafeHttp, feed: Feed, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        RedditSource(http, ENV).check(feed)
    assert message in str(info.value)
    assert "'ask'" in str(info.value)


def test_check_accepts_good_settings(http: SafeHttp) -> None:
    source = RedditSource(http, {})
    for feed in (reddit_feed(), reddit_feed(subreddit="r/rust+python"), reddit_feed(subreddit=None, query="pg")):
        source.check(feed)


async def test_feeds_polled_at_once_share_one_token(http: SafeHttp, reddit: FakeReddit, clock: Clock) -> None:
    reddit.posts = POSTS[:2]
    source = make_source(http, reddit, clock)
    feeds = [reddit_feed(include="posts"), reddit_feed(include="comments"), reddit_feed()]
    await asyncio.gather(*(source.fetch(feed, {}, seeding=False) for feed in feeds))
    assert reddit.tokens == ["token-1"]


def test_the_user_agent_is_the_operators_or_names_them(http: SafeHttp) -> None:
    from earshot.adapters.sources.reddit.auth import user_agent

    assert (
        user_agent({"REDDIT_USER_AGENT": "linux:acme-listener:1.0 (by /u/acme)"})
        == "linux:acme-listener:1.0 (by /u/acme)"
    )
    assert user_agent({"REDDIT_USERNAME": "/u/alice"}).endswith(" (by /u/alice)")
    assert "set REDDIT_USERNAME" in user_agent({})


def test_reddit_reads_threads(http: SafeHttp) -> None:
    from earshot.bot.ports import ThreadSource

    assert isinstance(RedditSource(http), ThreadSource)


async def test_a_thread_read_again_brings_its_state_and_the_public_feed_keeps_what_was_known(
    http: SafeHttp, reddit: FakeReddit, clock: Clock
) -> None:
    top, tree = nested_thread()
    top["data"].update(locked=True, link_flair_text="Solved")
    reddit.serve_thread(top["data"]["id"], thread_body(top, tree))
    post = top["data"]
    seen = Conversation("reddit", post["name"], "https://www.reddit.com" + post["permalink"], "old")
    thread = await make_source(http, reddit, clock).thread(seen, limit=5)
    assert thread.conversation.state == "locked"

    public = new_posts(1, subreddit="gravelcycling")[0]
    reddit.serve_thread_rss(public["data"]["permalink"], thread_atom(public, [("rider", "Nice!")]))
    solved = Conversation(
        "reddit", public["data"]["name"], "https://www.reddit.com" + public["data"]["permalink"], "t", state="solved"
    )
    again = await make_source(http, reddit, clock, env={}).thread(solved)
    assert again.conversation.state == "solved"  # the feed has no flair: not evidence that it was unmarked
