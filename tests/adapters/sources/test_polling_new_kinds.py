"""Stack Exchange, GitHub, Discourse and Lobsters through the Poller on the real store: a silent first poll, new
items alerted once, nothing repeated after a restart (new source and poller, the cursor read back from the store),
and a rate limit postponing the feed to the time the service named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.discourse.source import DiscourseSource
from earshot.adapters.sources.github.source import GitHubSource
from earshot.adapters.sources.lobsters.source import LobstersSource
from earshot.adapters.sources.stackexchange.source import StackExchangeSource
from earshot.adapters.storage import SqlStore, tables
from earshot.bot.actions.topics_and_feeds import TopicsAndFeeds
from earshot.bot.domain import Feed, Topic
from earshot.bot.finding.polling import Poller, PollPolicy
from earshot.bot.ports import Source
from tests.fakes.clock import Clock
from tests.fakes.discourse import FakeDiscourse, topic
from tests.fakes.github import FakeGitHub, issue, modern_issue
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.lobsters import FakeLobsters, story
from tests.fakes.stackexchange import FakeStackExchange, question

EVERY = timedelta(minutes=10)
TOPIC = Topic("databases", "postgres OR sqlite", min_score=0)


@dataclass
class Kind:
    """How to run one kind against its fake: build the source, the feed, add an item titled so, a path to fail."""

    make_source: Callable[[SafeHttp, Clock], Source]
    feed: Feed
    add: Callable[[int, int, str], None]
    listing: str


def stackexchange(server: FakeHttpServer) -> Kind:
    fake = FakeStackExchange(server)
    return Kind(
        lambda http, clock: StackExchangeSource(http, {}, clock=clock, api_url=fake.api_url),
        Feed("so", "stackexchange", EVERY, url=fake.api_url),
        lambda n, at, title: fake.add(question(n, at, title=title)),
        "/2.3/questions",
    )


def github(server: FakeHttpServer) -> Kind:
    fake = FakeGitHub(server, remaining=1000)
    base = modern_issue()
    return Kind(
        lambda http, clock: GitHubSource(http, {"GITHUB_API_URL": fake.api_url}, clock=clock),
        Feed("gh", "github", EVERY, url=fake.api_url.rstrip("/"), query="repo:octo/widgets"),
        lambda n, at, title: fake.add(issue(base, n, at, title=title)),
        "/search/issues",
    )


def discourse(server: FakeHttpServer) -> Kind:
    fake = FakeDiscourse(server)
    return Kind(
        lambda http, clock: DiscourseSource(http, {}, clock=clock),
        Feed("forum", "discourse", EVERY, url=fake.url),
        lambda n, at, title: fake.add(topic(n, at, fancy_title=title)),
        "/forum/latest.json",
    )


def lobsters(server: FakeHttpServer) -> Kind:
    fake = FakeLobsters(server)
    return Kind(
        lambda http, clock: LobstersSource(http, clock=clock, base_url=fake.url),
        Feed("lobsters", "lobsters", EVERY, url=fake.url),
        lambda n, at, title: fake.add(story(f"s{n:05d}", at, title=title)),
        "/newest.json",
    )


KINDS: dict[str, Callable[[FakeHttpServer], Kind]] = {
    "stackexchange": stackexchange,
    "github": github,
    "discourse": discourse,
    "lobsters": lobsters,
}


async def alert_titles(store: SqlStore) -> list[str]:
    query = select(tables.conversations.c.title).join(
        tables.alerts, tables.alerts.c.conversation_id == tables.conversations.c.id
    )
    async with store.engine.connect() as connection:
        return sorted((await connection.execute(query)).scalars().all())


@pytest.mark.parametrize("name", sorted(KINDS))
async def test_poll_alert_restart_and_rate_limit(
    name: str, store: SqlStore, server: FakeHttpServer, http: SafeHttp
) -> None:
    clock = Clock()
    now = int(clock().timestamp())
    kind = KINDS[name](server)
    kind.add(1, now - 120, "An old Postgres question")

    def poller() -> Poller:
        source = kind.make_source(http, clock)
        return Poller(store, {source.kind: source}, clock, "worker-1", PollPolicy(jitter=0.1), rand=lambda: 0.5)

    catalog = TopicsAndFeeds(store, {kind.feed.kind: kind.make_source(http, clock)}, clock)
    await catalog.add_topic(TOPIC, "ana")
    await catalog.add_feed(kind.feed, "ana")

    [seed] = await poller().poll()
    assert seed.ok and seed.seeded, seed.error
    assert await alert_titles(store) == []

    clock.advance(EVERY)
    kind.add(2, now + 60, "SQLite or Postgres for a small app?")
    kind.add(3, now + 70, "Rust borrow checker puzzle")
    first = poller()
    [report] = await first.poll()
    assert report.ok, report.error
    assert report.alerts == 1
    assert await alert_titles(store) == ["SQLite or Postgres for a small app?"]

    # A restart: new source and poller; only the cursor in the store carries over.
    clock.advance(EVERY)
    kind.add(4, now + 60, "Postgres vacuum questions, posted the same second as the newest seen")
    [again] = await poller().poll()
    assert again.ok, again.error
    assert await alert_titles(store) == [
        "Postgres vacuum questions, posted the same second as the newest seen",
        "SQLite or Postgres for a small app?",
    ]

    clock.advance(EVERY)
    server.route("GET", kind.listing, lambda r: Reply(429, "slow down", {"Retry-After": "3600"}))
    [limited] = await poller().poll()
    assert not limited.ok and "rate limit" in (limited.error or "")
    assert limited.next_poll_at == clock() + timedelta(seconds=3600)
