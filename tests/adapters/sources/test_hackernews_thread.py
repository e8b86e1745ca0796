"""Hacker News threads through Algolia's ``items/<id>`` against a fake on 127.0.0.1, built from Firebase items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.hackernews.source import HackerNewsSource
from earshot.bot.domain import Conversation, Feed
from earshot.bot.errors import FeedError
from earshot.bot.ports import ThreadSource
from tests.fakes.algolia import FakeAlgoliaItems, algolia_item, comment_item, firebase_item
from tests.fakes.http_server import FakeHttpServer, Reply

PARKS = firebase_item("story_parks")
PARKS_COMMENT = firebase_item("comment_parks")
PARKS_REPLY = firebase_item("comment_parks_reply")
ASK = firebase_item("ask_on_call")
THANKS = firebase_item("comment_thanks")


def story(item: dict[str, object]) -> Conversation:
    """The conversation a feed poll would have stored for a story (numbers as they were then)."""
    return Conversation(
        "hackernews",
        str(item["id"]),
        f"https://news.ycombinator.com/item?id={item['id']}",
        str(item["title"]),
        points=1,
        thread_size=0,
    )


@pytest.fixture
def items(server: FakeHttpServer) -> FakeAlgoliaItems:
    return FakeAlgoliaItems(server)


@pytest.fixture
def source(http: SafeHttp, server: FakeHttpServer) -> HackerNewsSource:
    return HackerNewsSource(http, thread_base_url=server.url("/api/v1"))


def test_the_source_is_a_thread_source(source: HackerNewsSource) -> None:
    assert isinstance(source, ThreadSource)


async def test_nested_children_come_depth_first_with_their_depth_and_parent(
    source: HackerNewsSource, items: FakeAlgoliaItems
) -> None:
    reply = algolia_item(PARKS_REPLY)
    items.add(algolia_item(PARKS, [algolia_item(PARKS_COMMENT, [reply]), comment_item(2, "A second <i>top</i> reply")]))

    thread = await source.thread(story(PARKS))

    assert [(r.external_id, r.depth, r.parent_id) for r in thread.replies] == [
        ("38125690", 0, "38125507"),
        ("38125822", 1, "38125690"),
        ("2", 0, "38125507"),
    ]
    first, second, third = thread.replies
    assert first.author == "oskarv" and first.text.startswith("I find it telling")
    assert second.text.startswith("Slightly off topic, but...")
    assert "<p>" not in second.text and "<i>" not in third.text
    assert first.created_at == datetime.fromtimestamp(1698460233, UTC)
    assert first.url == "https://news.ycombinator.com/item?id=38125690"
    assert (thread.reply_count, thread.conversation.thread_size, thread.conversation.points) == (3, 3, 34)
    assert thread.conversation.title == story(PARKS).title  # the stored item, refreshed, not replaced


async def test_deleted_comments_are_left_out_but_their_replies_stay(
    source: HackerNewsSource, items: FakeAlgoliaItems
) -> None:
    deleted = algolia_item(None, [comment_item(11, "Still here under a deleted parent", parent=10)], item_id=10)
    items.add(algolia_item(ASK, [deleted, comment_item(12, "")]))

    thread = await source.thread(story(ASK))

    assert [(r.external_id, r.depth, r.parent_id) for r in thread.replies] == [("11", 1, "10")]
    assert thread.reply_count == 1


async def test_a_comment_thread_is_its_children(source: HackerNewsSource, items: FakeAlgoliaItems) -> None:
    items.add(
        algolia_item(
            THANKS, [comment_item(38099201, "Please keep writing, the vacuum one was great!", parent=38099120)]
        )
    )
    comment = Conversation(
        "hackernews", "38099120", "https://news.ycombinator.com/item?id=38099120", "Re: x", kind="comment"
    )

    thread = await source.thread(comment)

    assert [r.text for r in thread.replies] == ["Please keep writing, the vacuum one was great!"]
    assert thread.conversation.points is None  # Algolia has no points for comments


async def test_the_limit_caps_the_replies_not_the_count(source: HackerNewsSource, items: FakeAlgoliaItems) -> None:
    items.add(algolia_item(ASK, [comment_item(100 + n, f"Reply number {n}") for n in range(5)]))

    thread = await source.thread(story(ASK), limit=2)

    assert [r.text for r in thread.replies] == ["Reply number 0", "Reply number 1"]
    assert thread.reply_count == 5


async def test_a_very_deep_thread_does_not_overflow(source: HackerNewsSource, items: FakeAlgoliaItems) -> None:
    # A thread 400 replies deep: the walk uses a stack, so depth costs no recursion.
    node = comment_item(5000, "the deepest")
    for n in range(400):
        node = comment_item(4000 + n, f"level {n}", children=[node])
    items.add(algolia_item(ASK, [node]))

    thread = await source.thread(story(ASK), limit=1000)

    assert thread.reply_count == 401
    assert thread.replies[-1].depth == 400


async def test_an_unknown_item_is_a_feed_error(source: HackerNewsSource, items: FakeAlgoliaItems) -> None:
    items.missing(38130044)

    with pytest.raises(FeedError, match="404"):
        await source.thread(story(ASK))


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("<html>busy</html>", "not JSON"),
        ('["a list"]', "not an item"),
        ('{"id": 38130044, "children": "none"}', "not an item"),
        ("\xff\xfe", "not JSON"),
    ],
)
async def test_a_malformed_answer_is_a_feed_error(
    source: HackerNewsSource, items: FakeAlgoliaItems, body: str, why: str
) -> None:
    items.answer(38130044, Reply(200, body.encode("latin-1"), {"Content-Type": "application/json"}))

    with pytest.raises(FeedError, match=why):
        await source.thread(story(ASK))


async def test_malformed_children_are_skipped(source: HackerNewsSource, items: FakeAlgoliaItems) -> None:
    items.add(algolia_item(ASK, [None, "x", {"text": "no id"}, comment_item(7, "Fine")]))  # type: ignore[list-item]

    thread = await source.thread(story(ASK))

    assert [r.text for r in thread.replies] == ["Fine"]


async def test_a_non_numeric_id_is_refused_before_any_request(source: HackerNewsSource, server: FakeHttpServer) -> None:
    with pytest.raises(FeedError, match="not a number"):
        await source.thread(Conversation("hackernews", "../search", "https://news.ycombinator.com/", "x"))
    assert server.requests == []


async def test_threads_are_read_from_the_api_the_feeds_use(http: SafeHttp, server: FakeHttpServer) -> None:
    items = FakeAlgoliaItems(server)
    items.add(algolia_item(ASK, [comment_item(7, "From the feed's API")]))
    source = HackerNewsSource(http)
    source.check(Feed("hn", "hackernews", every=timedelta(minutes=2), url=server.url("/api/v1")))

    thread = await source.thread(story(ASK))

    assert [r.text for r in thread.replies] == ["From the feed's API"]
    assert len(items.requests(38130044)) == 1
