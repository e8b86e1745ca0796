"""Dev.to and Product Hunt through the Poller on the real store: a silent first poll, new items alerted once,
nothing repeated after a restart (new source and poller, the cursor read back from the store), and a rate limit
postponing the feed to the time the service named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources.devto.source import DevtoSource
from earshot.adapters.sources.producthunt.source import ProductHuntSource
from earshot.adapters.storage import SqlStore
from earshot.bot.actions.topics_and_feeds import TopicsAndFeeds
from earshot.bot.domain import Feed
from earshot.bot.finding.polling import Poller, PollPolicy
from earshot.bot.ports import Source
from tests.adapters.sources.test_polling_new_kinds import EVERY, TOPIC, alert_titles
from tests.fakes.clock import Clock
from tests.fakes.forem import FakeForem, article
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.producthunt import FakeProductHunt, post


@dataclass
class Kind:
    """How to run one kind against its fake: build the source, the feed, add an item, make the service refuse."""

    make_source: Callable[[SafeHttp, Clock], Source]
    feed: Feed
    add: Callable[[int, int, str], None]
    limit: Callable[[int], None]  # from now on, refuse with a rate limit reset this many seconds away


def devto(server: FakeHttpServer) -> Kind:
    fake = FakeForem(server)

    def limit(seconds: int) -> None:
        fake.limited = seconds

    return Kind(
        lambda http, clock: DevtoSource(http, clock=clock, base_url=fake.url),
        Feed("devto", "devto", EVERY, url=fake.url, options={"tags": ["postgres"]}),
        lambda n, at, title: fake.add(article(n, at, title=title, tags=["postgres"], base=fake.url)),
        limit,
    )


def producthunt(server: FakeHttpServer) -> Kind:
    fake = FakeProductHunt(server, token="tok")

    def limit(seconds: int) -> None:
        fake.remaining, fake.reset_in = 0, seconds

    return Kind(
        lambda http, clock: ProductHuntSource(
            http, env={"PRODUCTHUNT_TOKEN": "tok", "PRODUCTHUNT_API_URL": fake.url}, clock=clock
        ),
        Feed("ph", "producthunt", EVERY, url=fake.url),
        lambda n, at, title: fake.add(post(n, at, name=title, tagline="")),
        limit,
    )


KINDS: dict[str, Callable[[FakeHttpServer], Kind]] = {"devto": devto, "producthunt": producthunt}


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
    [report] = await poller().poll()
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
    kind.limit(3600)
    [limited] = await poller().poll()
    assert not limited.ok and "rate limit" in (limited.error or "")
    assert limited.next_poll_at == clock() + timedelta(seconds=3600 if name == "devto" else 900)
    # The error is what `status` shows: the wait, and for Product Hunt where the complexity budget stands.
    assert "retrying in" in (limited.error or "")
    if name == "producthunt":
        assert "0 of 6250 complexity points left" in (limited.error or "")
