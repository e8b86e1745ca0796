"""Reddit, Mastodon and Bluesky feeds through the real Poller and store: seed silently, alert once, never twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources import BlueskySource, RedditSource, build_sources
from earshot.adapters.storage import SqlStore, tables
from earshot.bot.domain import Feed, Topic
from earshot.bot.finding.polling import Poller
from earshot.bot.ports import Source
from tests.fakes.bluesky import APP_PASSWORD, HANDLE, FakeBluesky, post
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.mastodon import FakeMastodon, status
from tests.fakes.reddit import CLIENT_ID, SECRET, FakeReddit
from tests.fakes.reddit_shapes import comment_stream, new_posts


async def alerts(store: SqlStore) -> list[str]:
    async with store.engine.connect() as connection:
        query = select(tables.conversations.c.external_id).join(
            tables.alerts, tables.alerts.c.conversation_id == tables.conversations.c.id
        )
        return sorted((await connection.execute(query)).scalars().all())


async def count_items(store: SqlStore) -> int:
    async with store.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(tables.conversations))).scalar_one())


async def three_polls(
    store: SqlStore, sources: dict[str, Source], feed: Feed, add_new: Callable[[], list[str]]
) -> None:
    """Seed, add items, poll twice: the new ones alert exactly once, the seeded ones never."""
    clock = Clock()
    async with store.unit() as unit:
        await unit.add_topic(Topic("databases", "postgres", min_score=0))
        await unit.add_feed(feed, clock())
    poller = Poller(store, sources, clock, "worker", rand=lambda: 0.5)
    (seed,) = await poller.poll(due_only=False)
    assert seed.ok and seed.seeded and seed.new > 0, seed
    assert await alerts(store) == []
    seeded = await count_items(store)

    expected = sorted(add_new())
    (second,) = await poller.poll(due_only=False)
    assert second.ok and second.new == len(expected), second
    assert await alerts(store) == expected
    (third,) = await poller.poll(due_only=False)
    assert third.ok and third.new == 0 and third.alerts == 0, third
    assert await count_items(store) == seeded + len(expected)


async def test_reddit_through_the_poller(store: SqlStore, server: FakeHttpServer, http: SafeHttp) -> None:
    reddit = FakeReddit(server)
    posts, comments = new_posts(), comment_stream()
    reddit.posts, reddit.comments = posts[3:], comments[2:]
    env = {"REDDIT_CLIENT_ID": CLIENT_ID, "REDDIT_CLIENT_SECRET": SECRET}
    sources = {**build_sources(http), "reddit": RedditSource(http, env, api_url=reddit.url, auth_url=reddit.url)}
    feed = Feed("ask", "reddit", timedelta(minutes=5), options={"subreddit": "AskReddit"})

    def add() -> list[str]:
        for n, item in enumerate(posts[:3]):
            item["data"]["title"] = f"postgres question {n}"
        for item in comments[:2]:
            item["data"]["body_html"] = '<div class="md"><p>Try <code>postgres</code> first.</p></div>'
        reddit.posts, reddit.comments = posts, comments
        return [p["data"]["name"] for p in posts[:3] + comments[:2]]

    await three_polls(store, sources, feed, add)


async def test_mastodon_through_the_poller(store: SqlStore, server: FakeHttpServer, http: SafeHttp) -> None:
    instance = FakeMastodon(server)
    instance.statuses = [status(n, instance.url) for n in range(5)]
    postgres = '<p>Is <a href="https://x.example">postgres</a> fast enough?</p>'
    feed = Feed("toots", "mastodon", timedelta(minutes=5), url=instance.url + "/tags/rust")

    def add() -> list[str]:
        fresh = [status(n, instance.url, content=postgres) for n in range(5, 8)]
        instance.statuses += fresh
        return [s["uri"] for s in fresh]

    await three_polls(store, build_sources(http), feed, add)


async def test_bluesky_through_the_poller(store: SqlStore, server: FakeHttpServer, http: SafeHttp) -> None:
    clock = Clock()
    bsky = FakeBluesky(server, clock)
    bsky.posts = [post(n, clock() - timedelta(minutes=30 - n), text=f"postgres {n}") for n in range(5)]
    login = {"BLUESKY_HANDLE": HANDLE, "BLUESKY_APP_PASSWORD": APP_PASSWORD}
    sources = {**build_sources(http), "bluesky": BlueskySource(http, login, service_url=bsky.url, clock=clock)}
    feed = Feed("sky", "bluesky", timedelta(minutes=5), query="postgres")

    def add() -> list[str]:
        fresh = [post(n, clock() - timedelta(minutes=20 - n), text=f"postgres {n}") for n in range(10, 13)]
        bsky.posts += fresh
        return [p["uri"] for p in fresh]

    await three_polls(store, sources, feed, add)
    assert bsky.logins == 1
