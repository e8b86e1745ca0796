"""Topics and feeds through the TopicsAndFeeds service on the real store: checked, refused with reasons, audited."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.actions.topics_and_feeds import TopicsAndFeeds
from earshot.bot.domain import Feed, FetchResult, Topic
from earshot.bot.errors import AlreadyExists, ConfigError, InvalidQuery, NotAllowed, NotFound
from earshot.bot.ports import SyncReport
from tests.fakes.clock import T0, Clock

EVERY = timedelta(minutes=5)


class CheckingSource:
    """A source that needs a URL, and remembers every feed it was asked to check."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.checked: list[Feed] = []

    def check(self, feed: Feed) -> None:
        self.checked.append(feed)
        if not feed.url:
            raise ConfigError(f"feeds.{feed.name}.url: a {self.kind} feed needs the feed's address")

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        raise AssertionError("the catalog never fetches")


@pytest.fixture
def rss() -> CheckingSource:
    return CheckingSource("rss")


@pytest.fixture
def catalog(store: MemoryStore, rss: CheckingSource) -> TopicsAndFeeds:
    return TopicsAndFeeds(store, {"rss": rss, "hackernews": CheckingSource("hackernews")}, Clock())


async def audit(store: MemoryStore) -> list[tuple[Any, ...]]:
    """The audit log, oldest first: (at, actor, action, subject, detail)."""
    return list(store.database.tables.audit)  # the port only writes the log: read the twin's table


def blog(name: str = "blog", **fields: Any) -> Feed:
    fields.setdefault("url", "https://blog.example.com/feed.xml")
    fields.setdefault("every", EVERY)
    return Feed(name, "rss", **fields)


async def test_add_topic_stores_it_and_audits_who_did(store: MemoryStore, catalog: TopicsAndFeeds) -> None:
    topic = Topic("databases", 'postgres OR "vector database"', channel="db-talk")

    assert await catalog.add_topic(topic, "ana") == topic

    assert await catalog.topics() == [topic]
    assert await audit(store) == [
        (
            T0,
            "ana",
            "topic.add",
            "databases",
            {"query": 'postgres OR "vector database"', "channel": "db-talk", "min_score": 50},
        )
    ]


@pytest.mark.parametrize("name", ["", "has space", "-leading-dash", "émoji", "x" * 65, "semi;colon"])
async def test_add_topic_refuses_a_bad_name(store: MemoryStore, catalog: TopicsAndFeeds, name: str) -> None:
    with pytest.raises(ConfigError, match=f"topic name {name!r} is not valid: use 1 to 64 letters"):
        await catalog.add_topic(Topic(name, "postgres"), "ana")

    assert await catalog.topics() == []
    assert await audit(store) == []


@pytest.mark.parametrize(
    ("query", "position", "reason"),
    [
        ("postgres (sqlite", 9, "this '(' is never closed"),
        ('postgres "vector db', 9, 'this phrase has no closing quote (")'),
        ("postgres OR", 11, "the query ends where a word, phrase or '(' was expected"),
        ("", 0, "the query is empty; give at least one word or phrase"),
        ("-job", 0, "the query only excludes words; say what to look for, e.g. 'postgres -job'"),
    ],
)
async def test_add_topic_refuses_a_bad_query_saying_where_and_why(
    store: MemoryStore, catalog: TopicsAndFeeds, query: str, position: int, reason: str
) -> None:
    with pytest.raises(InvalidQuery) as refused:
        await catalog.add_topic(Topic("databases", query), "ana")

    assert (refused.value.query, refused.value.position, refused.value.reason) == (query, position, reason)
    assert str(refused.value) == f"bad query at position {position + 1}: {reason}"
    assert await catalog.topics() == []
    assert await audit(store) == []


async def test_add_topic_refuses_a_taken_name(store: MemoryStore, catalog: TopicsAndFeeds) -> None:
    await catalog.add_topic(Topic("databases", "postgres"), "ana")

    with pytest.raises(AlreadyExists, match="topic 'databases' exists already"):
        await catalog.add_topic(Topic("databases", "sqlite"), "bo")

    assert [topic.query for topic in await catalog.topics()] == ["postgres"]
    assert [row[1] for row in await audit(store)] == ["ana"]  # the refused attempt left no entry


async def test_remove_topic_removes_a_run_time_topic_and_audits_it(store: MemoryStore, catalog: TopicsAndFeeds) -> None:
    await catalog.add_topic(Topic("databases", "postgres"), "ana")

    await catalog.remove_topic("databases", "bo")

    assert await catalog.topics() == []
    assert (await audit(store))[-1] == (T0, "bo", "topic.remove", "databases", {"query": "postgres"})


async def test_remove_topic_refuses_a_topic_from_the_config_file(store: MemoryStore, catalog: TopicsAndFeeds) -> None:
    await catalog.sync([Topic("databases", "postgres")], [])

    with pytest.raises(NotAllowed, match="topic 'databases' is defined in the config file; remove it there"):
        await catalog.remove_topic("databases", "ana")

    assert [topic.name for topic in await catalog.topics()] == ["databases"]


async def test_remove_topic_refuses_an_unknown_name(catalog: TopicsAndFeeds) -> None:
    with pytest.raises(NotFound, match="there is no topic 'nope'; `earshot topics list` shows them"):
        await catalog.remove_topic("nope", "ana")


async def test_add_feed_checks_it_with_its_source_stores_it_due_now_and_audits_it(
    store: MemoryStore, catalog: TopicsAndFeeds, rss: CheckingSource
) -> None:
    feed = blog()

    assert await catalog.add_feed(feed, "ana") == feed

    assert rss.checked == [feed]
    [state] = await catalog.feeds()
    assert (state.feed, state.seeded, state.next_poll_at, state.consecutive_failures) == (feed, False, T0, 0)
    detail = {"kind": "rss", "url": feed.url, "query": None, "every": 300.0}
    assert await audit(store) == [(T0, "ana", "feed.add", "blog", detail)]


async def test_add_feed_refuses_an_unknown_kind_listing_the_known_ones(
    store: MemoryStore, catalog: TopicsAndFeeds
) -> None:
    with pytest.raises(
        ConfigError, match=re.escape("feed kind 'mastodon' is not known; use one of: hackernews, rss") + "$"
    ):
        await catalog.add_feed(Feed("toots", "mastodon", EVERY), "ana")

    assert await catalog.feeds() == []
    assert await audit(store) == []


async def test_add_feed_refuses_what_its_source_check_refuses(
    store: MemoryStore, catalog: TopicsAndFeeds, rss: CheckingSource
) -> None:
    with pytest.raises(ConfigError, match=re.escape("feeds.blog.url: a rss feed needs the feed's address")):
        await catalog.add_feed(blog(url=None), "ana")

    assert len(rss.checked) == 1
    assert await catalog.feeds() == []
    assert await audit(store) == []


async def test_add_feed_refuses_a_bad_name_before_asking_the_source(
    catalog: TopicsAndFeeds, rss: CheckingSource
) -> None:
    with pytest.raises(ConfigError, match="feed name 'my blog' is not valid"):
        await catalog.add_feed(blog("my blog"), "ana")

    assert rss.checked == []


async def test_remove_feed_refuses_config_feeds_and_unknown_names(catalog: TopicsAndFeeds) -> None:
    await catalog.sync([], [blog("from-file")])
    await catalog.add_feed(blog("added"), "ana")

    with pytest.raises(NotAllowed, match="feed 'from-file' is defined in the config file; remove it there"):
        await catalog.remove_feed("from-file", "ana")
    with pytest.raises(NotFound, match="there is no feed 'nope'"):
        await catalog.remove_feed("nope", "ana")
    await catalog.remove_feed("added", "ana")

    assert [state.feed.name for state in await catalog.feeds()] == ["from-file"]


async def test_sync_reports_what_it_added_updated_and_removed(store: MemoryStore, catalog: TopicsAndFeeds) -> None:
    await catalog.add_topic(Topic("mine", "rust"), "ana")
    first = await catalog.sync(
        [Topic("databases", "postgres"), Topic("search", "elasticsearch")], [blog("blog"), blog("news")]
    )
    assert first == SyncReport(added=("topic:databases", "topic:search", "feed:blog", "feed:news"))

    second = await catalog.sync(
        [Topic("databases", "postgres OR sqlite"), Topic("queues", "kafka")],
        [blog("blog", every=timedelta(minutes=15))],
    )

    assert second == SyncReport(
        added=("topic:queues",), updated=("topic:databases", "feed:blog"), removed=("topic:search", "feed:news")
    )
    topics = {topic.name: topic for topic in await catalog.topics()}
    assert sorted(topics) == ["databases", "mine", "queues"]  # the run-time topic stays
    assert (topics["databases"].query, topics["databases"].origin, topics["mine"].origin) == (
        "postgres OR sqlite",
        "config",
        "cli",
    )
    assert [state.feed.name for state in await catalog.feeds()] == ["blog"]


async def test_sync_audits_changes_and_a_sync_that_changes_nothing_reports_nothing(
    store: MemoryStore, catalog: TopicsAndFeeds
) -> None:
    topics, feeds = [Topic("databases", "postgres")], [blog()]
    await catalog.sync(topics, feeds)

    assert await catalog.sync(topics, feeds) == SyncReport()

    detail = {"added": ["topic:databases", "feed:blog"], "updated": [], "removed": []}
    assert await audit(store) == [(T0, "config", "config.sync", "earshot.toml", detail)]


async def test_sync_checks_everything_before_changing_anything(store: MemoryStore, catalog: TopicsAndFeeds) -> None:
    with pytest.raises(InvalidQuery):
        await catalog.sync([Topic("databases", "postgres"), Topic("broken", "postgres (")], [blog()])
    with pytest.raises(ConfigError, match="feed kind 'mastodon' is not known"):
        await catalog.sync([Topic("databases", "postgres")], [Feed("toots", "mastodon", EVERY)])

    assert await catalog.topics() == []
    assert await catalog.feeds() == []
    assert await audit(store) == []


@pytest.mark.parametrize("min_score", [-1, 101])
async def test_a_topic_min_score_outside_0_to_100_is_refused(catalog: TopicsAndFeeds, min_score: int) -> None:
    with pytest.raises(ConfigError, match="min_score"):
        await catalog.add_topic(Topic("databases", "postgres", min_score=min_score), "ana")
    assert await catalog.topics() == []


async def test_a_topics_meaning_is_checked_stored_and_audited(store: MemoryStore, catalog: TopicsAndFeeds) -> None:
    from dataclasses import replace

    topic = Topic(
        "vdb",
        "pgvector",
        about="Vector search for teams storing embeddings",
        examples=("Which vector DB?",),
        without_keyword=True,
    )
    await catalog.add_topic(topic, "ana")
    assert (await audit(store))[-1][4] == {
        "query": "pgvector",
        "channel": None,
        "min_score": 50,
        "about": "Vector search for teams storing embeddings",
        "examples": ["Which vector DB?"],
        "without_keyword": True,
    }

    edited = await catalog.edit_topic(
        "vdb", lambda t: replace(t, examples=("Qdrant or pgvector?",), name="other"), "bo"
    )
    assert edited == replace(topic, examples=("Qdrant or pgvector?",))  # the name and origin cannot change
    assert await catalog.topic("vdb") == edited
    assert (await audit(store))[-1][:4] == (T0, "bo", "topic.edit", "vdb")

    for bad, problem in (
        (replace(topic, about=""), "without_keyword: needs about"),
        (replace(topic, examples=("",)), "examples: one is empty"),
        (replace(topic, examples=("x" * 501,)), "keep each to 500"),
        (replace(topic, counter_examples=tuple(f"post {n}" for n in range(21))), "at most 20"),
        (replace(topic, about="x" * 1001), "say it in at most 1000"),
        (replace(topic, accept="x" * 501), "accept: too long"),
    ):
        with pytest.raises(ConfigError, match=re.escape(problem)):
            await catalog.edit_topic("vdb", lambda t, bad=bad: bad, "bo")
        with pytest.raises(ConfigError, match=re.escape(problem)):
            await catalog.add_topic(replace(bad, name="new"), "bo")
    assert await catalog.topic("vdb") == edited


async def test_edit_topic_refuses_a_topic_from_the_config_file_and_an_unknown_name(catalog: TopicsAndFeeds) -> None:
    await catalog.sync([Topic("databases", "postgres")], [])
    with pytest.raises(NotAllowed, match="topic 'databases' is defined in the config file; change it there"):
        await catalog.edit_topic("databases", lambda t: t, "ana")
    with pytest.raises(NotFound, match="there is no topic 'nope'"):
        await catalog.edit_topic("nope", lambda t: t, "ana")
    with pytest.raises(NotFound, match="there is no topic 'nope'"):
        await catalog.topic("nope")
