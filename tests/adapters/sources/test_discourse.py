"""The Discourse source against a fake forum on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from earshot.adapters.cli.feedadd import parse_options
from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.discourse.posts import CURSOR_KEY, MAX_POST_PAGES
from earshot.adapters.sources.discourse.source import BODY_FETCHES, MAX_PAGES, DiscourseSource
from earshot.bot.domain import Feed
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.ports import ThreadSource
from tests.fakes.discourse import JSON, PER_PAGE, POSTS_PER_PAGE, FakeDiscourse, latest_post, post, topic
from tests.fakes.http_server import FakeHttpServer, Reply

NOW = 1_700_000_000
CREDENTIALS = {"DISCOURSE_API_KEY": "key-123", "DISCOURSE_API_USERNAME": "earshot"}


class Clock:
    def __init__(self) -> None:
        self.now = datetime.fromtimestamp(NOW, UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def forum(server: FakeHttpServer) -> FakeDiscourse:
    return FakeDiscourse(server)


@pytest.fixture
def source(http: SafeHttp) -> DiscourseSource:
    return DiscourseSource(http, {}, clock=Clock())


def d_feed(url: str, **options: Any) -> Feed:
    return Feed(name="forum", kind="discourse", every=timedelta(minutes=10), url=url, options=options)


def with_posts(forum: FakeDiscourse, topic_id: int, created: int, first: str, replies: int = 0) -> None:
    forum.posts[topic_id] = [post(topic_id * 100, 1, created, first, username="asker")] + [
        post(topic_id * 100 + n, n + 1, created + 60 * n, f"<p>reply {n}</p>") for n in range(1, replies + 1)
    ]


async def test_maps_listed_topics_with_their_first_post(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.add(
        topic(
            11, NOW - 300, template=0, excerpt="Welcome! &hellip;", fancy_title="Caf&eacute; &amp; &ldquo;tea&rdquo;"
        ),
        topic(12, NOW - 200, template=2, fancy_title="Как настроить SSO?"),
    )
    with_posts(forum, 12, NOW - 200, "<p>Мы используем <b>SAML</b>.</p><p>Помогите!</p>")
    result = await source.fetch(d_feed(forum.url), {}, seeding=False)

    russian, cafe = result.items
    assert cafe.source == "discourse"
    assert cafe.external_id == f"{forum.url}/t/11"
    assert cafe.url == f"{forum.url}/t/topic-11/11"
    assert cafe.title == "Café & “tea”"
    assert cafe.text == "Welcome! …"  # its page has no posts: the listing's excerpt stays
    assert cafe.author == "rosa_admin"
    assert cafe.points == 14
    assert cafe.thread_size == 2  # the listing counts three posts: the first and two replies
    assert cafe.community == "127.0.0.1"
    assert cafe.created_at == datetime.fromtimestamp(NOW - 300, UTC)
    assert russian.title == "Как настроить SSO?"
    assert russian.text == "Мы используем SAML.\n\nПомогите!"  # noqa: RUF001
    assert forum.listing_requests()[0].param("order") == "created"


async def test_bumped_topics_are_not_new(source: DiscourseSource, forum: FakeDiscourse) -> None:
    old = topic(1, NOW - 5000)
    forum.add(old, topic(2, NOW - 100))
    first = await source.fetch(d_feed(forum.url), {}, seeding=True)
    assert first.cursor["newest"] == NOW - 100

    # A reply bumps the old topic to the top of /latest; new topics arrive, one at the same second.
    old["bumped_at"], old["posts_count"] = "2030-01-01T00:00:00.000Z", 5
    forum.add(topic(3, NOW - 100), topic(4, NOW + 50))
    second = await source.fetch(d_feed(forum.url), first.cursor, seeding=False)
    assert sorted(i.external_id.rsplit("/", 1)[1] for i in second.items) == ["3", "4"]
    third = await source.fetch(d_feed(forum.url), second.cursor, seeding=False)
    assert third.items == []


async def test_pinned_topics_do_not_end_the_walk(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.add(topic(1, NOW - 90_000, pinned=True), topic(2, NOW - 50_000))
    first = await source.fetch(d_feed(forum.url), {}, seeding=True)
    forum.add(*(topic(100 + i, NOW - i) for i in range(PER_PAGE + 5)))
    result = await source.fetch(d_feed(forum.url), first.cursor, seeding=False)
    assert len(result.items) == PER_PAGE + 5
    assert [r.param("page") for r in forum.listing_requests()[1:]] == ["0", "1"]


async def test_page_cap(source: DiscourseSource, forum: FakeDiscourse, caplog: pytest.LogCaptureFixture) -> None:
    forum.add(topic(1, NOW - 90_000))
    first = await source.fetch(d_feed(forum.url), {}, seeding=True)
    forum.add(*(topic(100 + i, NOW - i) for i in range(PER_PAGE * MAX_PAGES + 1)))
    result = await source.fetch(d_feed(forum.url), first.cursor, seeding=False)
    assert len(result.items) == PER_PAGE * MAX_PAGES
    assert "the oldest were skipped" in caplog.text
    # Only the newest few get their first post read: one request each.
    assert sum(1 for r in forum.server.requests if r.path.startswith("/forum/t/")) == BODY_FETCHES


async def test_category(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.category("dev/7", 7)
    forum.add(topic(1, NOW - 10, category_id=7), topic(2, NOW - 5, category_id=1))
    result = await source.fetch(d_feed(forum.url, category="dev/7"), {}, seeding=False)
    assert [i.external_id for i in result.items] == [f"{forum.url}/t/1"]
    assert result.items[0].community == "127.0.0.1/dev/7"


async def test_credentials_go_only_to_feeds_that_ask(http: SafeHttp, forum: FakeDiscourse) -> None:
    source = DiscourseSource(http, CREDENTIALS, clock=Clock())
    forum.add(topic(1, NOW - 10))
    await source.fetch(d_feed(forum.url), {}, seeding=True)
    assert "api-key" not in forum.listing_requests()[-1].headers
    await source.fetch(d_feed(forum.url, auth=True), {}, seeding=True)
    headers = forum.listing_requests()[-1].headers
    assert (headers["api-key"], headers["api-username"]) == ("key-123", "earshot")


async def test_threads_of_a_checked_auth_feed_carry_the_key(http: SafeHttp, forum: FakeDiscourse) -> None:
    source = DiscourseSource(http, CREDENTIALS, clock=Clock())
    forum.add(topic(4, NOW - 10))
    item = (await DiscourseSource(http, {}, clock=Clock()).fetch(d_feed(forum.url), {}, seeding=True)).items[0]
    await source.thread(item)
    assert "api-key" not in forum.server.hits("/forum/t/4.json")[-1].headers
    source.check(d_feed(forum.url, auth=True))  # as at start, before any poll
    await source.thread(item)
    assert forum.server.hits("/forum/t/4.json")[-1].headers["api-key"] == "key-123"


async def test_403_says_which_variables(http: SafeHttp, server: FakeHttpServer) -> None:
    body = json.dumps(
        {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"}
    )
    server.route("GET", "/forum/latest.json", lambda r: Reply(403, body, JSON))
    anonymous = DiscourseSource(http, {}, clock=Clock())
    with pytest.raises(FeedError, match=r"403.*DISCOURSE_API_KEY and DISCOURSE_API_USERNAME and add auth = true"):
        await anonymous.fetch(d_feed(server.url("/forum")), {}, seeding=False)
    authed = DiscourseSource(http, CREDENTIALS, clock=Clock())
    with pytest.raises(FeedError, match=r"403.*check DISCOURSE_API_KEY") as caught:
        await authed.fetch(d_feed(server.url("/forum"), auth=True), {}, seeding=False)
    assert "key-123" not in str(caught.value)


async def test_429_with_retry_after(source: DiscourseSource, server: FakeHttpServer) -> None:
    body = json.dumps({"errors": ["You've performed this action too many times."], "extras": {"wait_seconds": 33}})
    server.route("GET", "/forum/latest.json", lambda r: Reply(429, body, {**JSON, "Retry-After": "33"}))
    with pytest.raises(FeedError, match="rate limit") as caught:
        await source.fetch(d_feed(server.url("/forum")), {}, seeding=False)
    assert caught.value.retry_after == 33


async def test_malformed_bodies(source: DiscourseSource, server: FakeHttpServer) -> None:
    server.route("GET", "/forum/latest.json", lambda r: Reply(200, "<html>login</html>", {"Content-Type": "text/html"}))
    with pytest.raises(FeedError, match="not JSON"):
        await source.fetch(d_feed(server.url("/forum")), {}, seeding=False)
    server.route("GET", "/forum/latest.json", lambda r: Reply(200, '{"users": []}', JSON))
    with pytest.raises(FeedError, match="not a topic list"):
        await source.fetch(d_feed(server.url("/forum")), {}, seeding=False)


async def test_thread_skips_deleted_and_small_action_posts(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.add(topic(5, NOW - 1000))
    with_posts(forum, 5, NOW - 1000, "<p>How do we shard?</p>", replies=25)
    forum.posts[5][2].update({"deleted_at": "2023-11-14T00:00:00.000Z", "cooked": "<p>(post deleted by author)</p>"})
    forum.posts[5][3].update({"post_type": 3, "action_code": "closed.enabled", "cooked": ""})
    forum.posts[5][4].update({"reply_to_post_number": 2})
    assert isinstance(source, ThreadSource)
    conversation = (await source.fetch(d_feed(forum.url), {}, seeding=False)).items[0]

    thread = await source.thread(conversation, limit=30)
    texts = [r.text for r in thread.replies]
    assert texts[:2] == ["reply 1", "reply 4"]
    assert len(texts) == 23  # 25 replies, less a deleted one and a "closed" notice; 5 of them from posts.json
    assert thread.reply_count == 25
    assert thread.replies[1].parent_id == "2"
    assert thread.replies[1].depth == 1
    assert thread.replies[0].url == f"{forum.url}/t/topic-5/5/2"
    assert thread.conversation.text == "How do we shard?"
    assert forum.server.hits("/forum/t/5/posts.json")

    short = await source.thread(conversation, limit=3)
    assert len(short.replies) == 3


async def test_thread_of_a_deleted_topic(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.add(topic(6, NOW - 100))
    result = await source.fetch(d_feed(forum.url), {}, seeding=False)
    forum.delete(6)
    with pytest.raises(FeedError, match=r"topic 6 is gone \(deleted, or made private\) \(HTTP 404\)"):
        await source.thread(result.items[0])


@pytest.mark.parametrize(
    ("url", "options", "query", "message"),
    [
        (None, {}, None, "needs the forum's address"),
        ("ftp://forum.example", {}, None, "http"),
        ("https://forum.example", {"category": "dev 7"}, None, "not a category path"),
        ("https://forum.example", {"tag": "x"}, None, "unknown Discourse option"),
        ("https://forum.example", {}, "sso", "leave query out"),
        ("https://forum.example", {"auth": True}, None, "needs DISCOURSE_API_KEY and DISCOURSE_API_USERNAME"),
    ],
)
def test_check_refuses_bad_settings(
    source: DiscourseSource, url: str | None, options: dict[str, Any], query: str | None, message: str
) -> None:
    feed = Feed(name="f", kind="discourse", every=timedelta(minutes=10), url=url, query=query, options=options)
    with pytest.raises(ConfigError, match=message):
        source.check(feed)


def test_check_accepts_good_settings(http: SafeHttp) -> None:
    source = DiscourseSource(http, CREDENTIALS)
    source.check(d_feed("https://meta.discourse.org", category="dev/7", auth="true"))
    source.check(d_feed("https://meta.discourse.org/", category=7))


def both(url: str, **options: Any) -> Feed:
    return d_feed(url, include=["topics", "posts"], **options)


async def test_reply_posts_become_comment_items(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.latest_posts = [latest_post(1, 1, 5, NOW - 900, "<p>old</p>")]
    seeded = await source.fetch(both(forum.url), {}, seeding=True)
    assert seeded.items == [] and seeded.cursor[CURSOR_KEY] == 1
    forum.latest_posts += [
        latest_post(2, 1, 6, NOW - 500, "<p>a new topic's first post</p>"),
        latest_post(3, 2, 5, NOW - 400, "<p>Try <code>sso_overrides</code> &amp; restart.</p>", username="kim"),
        latest_post(4, 3, 5, NOW - 300, "<p>gone</p>", deleted_at="2023-11-14T22:00:00.000Z"),
        latest_post(5, 4, 5, NOW - 200, "<p>flagged</p>", hidden=True),
        latest_post(6, 5, 5, NOW - 100, "", post_type=3),  # "closed this topic"
        latest_post(7, 6, 5, NOW - 50, "<p>whisper</p>", post_type=4),
    ]
    result = await source.fetch(both(forum.url), seeded.cursor, seeding=False)

    (item,) = result.items
    assert item.kind == "comment"
    assert item.external_id == f"{forum.url}/p/3"
    assert item.url == f"{forum.url}/t/topic-5/5/2"
    assert item.title == "Topic 5"
    assert item.text == "Try sso_overrides & restart."
    assert item.author == "kim"
    assert item.community == "127.0.0.1"
    assert item.created_at == datetime.fromtimestamp(NOW - 400, UTC)
    assert result.cursor[CURSOR_KEY] == 7


async def test_posts_are_off_by_default(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.latest_posts = [latest_post(3, 2, 5, NOW - 400, "<p>hi</p>")]
    result = await source.fetch(d_feed(forum.url), {CURSOR_KEY: 1}, seeding=False)
    assert result.items == [] and forum.posts_requests() == []
    listings = len(forum.listing_requests())
    only = await source.fetch(d_feed(forum.url, include="posts"), {CURSOR_KEY: 1}, seeding=False)
    assert [i.external_id for i in only.items] == [f"{forum.url}/p/3"]
    assert len(forum.listing_requests()) == listings  # topics not asked for: not read


async def test_posts_across_a_restart_page_to_the_cursor(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.latest_posts = [latest_post(i, 2, 5, NOW - 1000 + i, f"<p>{i}</p>") for i in range(1, 4)]
    first = await source.fetch(both(forum.url), {}, seeding=True)
    # The cursor goes through JSON, as the store keeps it; a new source object is a restarted bot.
    cursor = json.loads(json.dumps(first.cursor))
    forum.latest_posts += [latest_post(i, 2, 5, NOW - 1000 + i, f"<p>{i}</p>") for i in range(4, 14)]
    restarted = DiscourseSource(source._http, {}, clock=Clock())
    second = await restarted.fetch(both(forum.url), cursor, seeding=False)
    assert [i.external_id.rsplit("/", 1)[1] for i in second.items] == [str(i) for i in range(4, 14)]
    assert len(forum.posts_requests()) == 1 + 3  # 10 new posts at 4 a page, the third page reaches the cursor
    assert forum.posts_requests()[-1].param("before") == "6"
    forum.latest_posts += [latest_post(14, 2, 5, NOW, "<p>14</p>")]
    third = await restarted.fetch(both(forum.url), json.loads(json.dumps(second.cursor)), seeding=False)
    assert [i.external_id for i in third.items] == [f"{forum.url}/p/14"]
    fourth = await restarted.fetch(both(forum.url), third.cursor, seeding=False)
    assert fourth.items == [] and fourth.cursor[CURSOR_KEY] == 14


async def test_posts_page_cap(source: DiscourseSource, forum: FakeDiscourse, caplog: pytest.LogCaptureFixture) -> None:
    forum.latest_posts = [latest_post(1, 2, 5, NOW - 5000, "<p>1</p>")]
    first = await source.fetch(both(forum.url), {}, seeding=True)
    many = POSTS_PER_PAGE * (MAX_POST_PAGES + 2)
    forum.latest_posts += [latest_post(i, 2, 5, NOW - 5000 + i, f"<p>{i}</p>") for i in range(2, 2 + many)]
    result = await source.fetch(both(forum.url), first.cursor, seeding=False)
    assert len(result.items) == POSTS_PER_PAGE * MAX_POST_PAGES
    assert result.items[-1].external_id == f"{forum.url}/p/{1 + many}"
    assert result.cursor[CURSOR_KEY] == 1 + many
    assert "more than 5 pages of new posts" in caplog.text


async def test_posts_of_a_category_feed(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.category("dev/7", 7)
    forum.latest_posts = [
        latest_post(3, 2, 5, NOW - 400, "<p>in dev</p>", category_id=7),
        latest_post(4, 2, 6, NOW - 300, "<p>elsewhere</p>", category_id=1),
    ]
    result = await source.fetch(both(forum.url, category="dev/7"), {CURSOR_KEY: 1}, seeding=False)
    assert [i.text for i in result.items] == ["in dev"]


async def test_a_comment_thread_is_the_replies_to_it(source: DiscourseSource, forum: FakeDiscourse) -> None:
    forum.add(topic(5, NOW - 1000))
    with_posts(forum, 5, NOW - 1000, "<p>question</p>", replies=3)
    forum.posts[5][3]["reply_to_post_number"] = 2  # post 4 answers post 2
    forum.latest_posts = [latest_post(501, 2, 5, NOW - 940, "<p>reply 1</p>")]
    (item,) = (await source.fetch(both(forum.url), {CURSOR_KEY: 500}, seeding=False)).items[-1:]
    assert isinstance(source, ThreadSource)
    thread = await source.thread(item)
    assert thread.conversation == item
    assert [r.text for r in thread.replies] == ["reply 3"]
    forum.posts[5][3]["reply_to_post_number"] = None  # nobody answers it directly: the posts after it
    assert [r.text for r in (await source.thread(item)).replies] == ["reply 2", "reply 3"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"include": ["topics", "replies"]}, 'include must list "topics" and/or "posts"'),
        ({"include": []}, 'like include = ["topics", "posts"]'),
        ({"include": "posts", "category": "dev"}, 'category = "dev/7"'),
    ],
)
def test_include_is_checked(source: DiscourseSource, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        source.check(d_feed("https://forum.example.org", **options))
    source.check(d_feed("https://forum.example.org", include=["topics", "posts"], category="dev/7"))
    # what `earshot feeds add ... --option include=topics,posts` gives
    source.check(d_feed("https://forum.example.org", **parse_options(["include=topics,posts"])))
    source.check(d_feed("https://forum.example.org", **parse_options(["include=posts"])))
