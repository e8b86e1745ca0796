"""Polling through the Poller on the real store: seed, alert what is new, back off, tell the channel, share the work."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from earshot.adapters.meaning import default_embedder
from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.actions.topics_and_feeds import TopicsAndFeeds
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Alert, Conversation, DeliveryState, Feed, FeedState, FetchResult, Notice, Topic
from earshot.bot.errors import ConfigError, DeliveryError, FeedError
from earshot.bot.finding.meaning import Meaning
from earshot.bot.finding.polling import Poller, PollPolicy, PollReport
from earshot.bot.finding.scoring import ScoringPolicy
from earshot.bot.timing import feed_backoff
from tests.fakes.clock import T0, Clock

EVERY = timedelta(minutes=5)
POLICY = PollPolicy(jitter=0.1, notify_after=3)


Step = FetchResult | BaseException | Callable[[], Awaitable[FetchResult]]


class ScriptedSource:
    """A source whose fetches answer, per feed, the next scripted result or raise the next scripted error."""

    kind = "fake"

    def __init__(self) -> None:
        self.script: dict[str, list[Step]] = defaultdict(list)
        self.calls: list[tuple[str, dict[str, Any], bool]] = []

    def then(self, feed: str, *steps: Step) -> None:
        """Queue what the next fetches of ``feed`` do."""
        self.script[feed].extend(steps)

    def check(self, feed: Feed) -> None:
        if feed.url is None:
            raise ConfigError(f"feeds.{feed.name}.url: a fake feed needs a url")

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        self.calls.append((feed.name, dict(cursor), seeding))
        await asyncio.sleep(0.005)  # let other pollers run meanwhile, as a network fetch would
        step = self.script[feed.name].pop(0)
        if isinstance(step, BaseException):
            raise step
        return await step() if callable(step) else step


class NoticeBoard:
    """A chat that keeps the notices it is given."""

    def __init__(self) -> None:
        self.notices: list[Notice] = []

    async def send_alert(self, alert: Alert) -> str:
        raise AssertionError("the poller posts notices, never alerts")

    async def send_notice(self, notice: Notice) -> None:
        self.notices.append(notice)


def item(n: int, title: str, *, url: str | None = None) -> Conversation:
    """Item ``n`` of the fake source."""
    return Conversation(
        source="fake", external_id=str(n), url=url or f"https://forum.example.com/t/{n}", title=title, text=""
    )


def result(*items: Conversation, cursor: int = 0) -> FetchResult:
    return FetchResult(items=list(items), cursor={"seen": cursor})


def make_poller(
    store: MemoryStore,
    source: ScriptedSource,
    clock: Clock,
    *,
    owner: str = "worker-1",
    notices: NoticeBoard | None = None,
    policy: PollPolicy = POLICY,
) -> Poller:
    # rand=0.5 puts the jitter at zero, so a successful poll's next poll is exactly ``every`` later.
    return Poller(store, {"fake": source}, clock, owner, policy=policy, notices=notices, rand=lambda: 0.5)


async def setup(
    store: MemoryStore, clock: Clock, source: ScriptedSource, feeds: list[str], topics: list[Topic]
) -> None:
    catalog = TopicsAndFeeds(store, {"fake": source}, clock)
    for topic in topics:
        await catalog.add_topic(topic, "ana")
    for name in feeds:
        await catalog.add_feed(Feed(name, "fake", EVERY, url=f"https://forum.example.com/{name}.json"), "ana")


async def feed_state(store: MemoryStore, name: str) -> FeedState:
    async with store.unit() as unit:
        state = await unit.get_feed(name)
    assert state is not None
    return state


async def stored_alerts(store: MemoryStore) -> list[Alert]:
    """Every alert, oldest first."""
    async with store.unit() as unit:
        ids = sorted(alert.id for alert in await unit.list_alerts(limit=1000))
        found = [await unit.get_alert(alert_id) for alert_id in ids]
    return [alert for alert in found if alert is not None]


async def seeded(poller: Poller, source: ScriptedSource, *feeds: str) -> None:
    """Give each feed its silent first poll, with nothing in it."""
    for name in feeds:
        source.then(name, result())
    reports = await poller.poll(due_only=False)
    assert all(report.ok and report.seeded for report in reports)


DATABASES = Topic("databases", "postgres OR sqlite", channel="db-talk")


async def test_the_first_poll_seeds_silently_and_the_next_alerts_only_new_items(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [DATABASES])
    old = item(1, "Postgres tuning notes")
    new = item(2, "SQLite in production")
    source.then("forum", result(old, cursor=1), result(old, new, cursor=2))
    poller = make_poller(store, source, clock)

    assert await poller.poll() == [
        PollReport("forum", ok=True, fetched=1, new=1, alerts=0, seeded=True, next_poll_at=T0 + EVERY)
    ]
    assert await stored_alerts(store) == []

    clock.advance(EVERY)
    [report] = await poller.poll()
    assert (report.ok, report.seeded, report.fetched, report.new, report.alerts) == (True, False, 2, 1, 1)
    assert [alert.conversation.url for alert in await stored_alerts(store)] == [new.url]
    # The first fetch is told it is seeding and starts from nothing; the next resumes from the seed's cursor.
    assert source.calls == [("forum", {}, True), ("forum", {"seen": 1}, False)]
    state = await feed_state(store, "forum")
    assert (state.seeded, state.cursor, state.last_success_at) == (True, {"seen": 2}, clock.now)


async def test_each_matching_topic_gets_one_alert_carrying_its_channel(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    topics = [DATABASES, Topic("postgres", "postgres"), Topic("rust", "rust")]
    await setup(store, clock, source, ["forum"], topics)
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "forum")

    clock.advance(EVERY)
    source.then("forum", result(item(1, "Moving from Postgres to SQLite")))
    [report] = await poller.poll()

    assert report.alerts == 2
    alerts = await stored_alerts(store)
    got = sorted((a.topic, a.channel, a.matched, a.created_at) for a in alerts)
    assert got == [
        ("databases", "db-talk", ("postgres", "sqlite"), clock.now),
        ("postgres", None, ("postgres",), clock.now),
    ]
    assert {alert.conversation.title for alert in alerts} == {"Moving from Postgres to SQLite"}


async def test_an_alert_carries_its_joinability_and_top_reasons(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [DATABASES])
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "forum")

    clock.advance(EVERY)
    asking = replace(
        item(1, "Which database should I use, Postgres or SQLite?"),
        created_at=clock.now - timedelta(minutes=40),
        thread_size=3,
    )
    source.then("forum", result(asking))
    await poller.poll()

    [alert] = await stored_alerts(store)
    assert (alert.score, alert.state) == (90, DeliveryState.PENDING)
    assert alert.reasons == ("asks for a recommendation", "40 min old", "3 replies")
    [stored] = [row.reasons for row in store.database.tables.alerts.values()]  # the twin's table, as the column
    assert stored[0] == {"label": "asks for a recommendation", "weight": 25, "kind": "intent"}


async def test_an_alert_under_the_topics_min_score_is_kept_but_not_delivered(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [DATABASES, Topic("everything", "postgres", min_score=0)])
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "forum")

    clock.advance(EVERY)
    source.then("forum", result(item(1, "Moving from Postgres to SQLite")))  # no ask in it: scores 13 to 15
    [report] = await poller.poll()

    assert report.alerts == 2
    held = {a.topic: a for a in await stored_alerts(store)}
    assert (held["databases"].state, held["databases"].score) == (DeliveryState.BELOW_MIN, 15)
    assert held["databases"].reasons == ("no question or request", "postgres, sqlite in the title")
    assert held["everything"].state is DeliveryState.PENDING
    chat = Recorder()
    await Deliverer(store, chat, clock, "sender").deliver()
    assert [a.topic for a in chat.alerts] == ["everything"]
    async with store.unit() as unit:
        assert await unit.count_undelivered() == 0


async def test_the_teams_own_posts_score_zero(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [DATABASES])
    team = ScoringPolicy(team_accounts=frozenset({"Ana"}))
    poller = Poller(store, {"fake": source}, clock, "worker-1", POLICY, rand=lambda: 0.5, scoring=team)
    await seeded(poller, source, "forum")

    clock.advance(EVERY)
    source.then("forum", result(replace(item(1, "Which database should I use, Postgres?"), author="ana")))
    await poller.poll()

    [alert] = await stored_alerts(store)
    assert (alert.score, alert.state, alert.reasons) == (0, DeliveryState.BELOW_MIN, ("posted by your team",))


class Recorder:
    """A chat that keeps the alerts it is given."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    async def send_alert(self, alert: Alert) -> str:
        self.alerts.append(alert)
        return f"m{alert.id}"

    async def send_notice(self, notice: Notice) -> None:
        pass


async def test_source_in_a_topic_matches_the_feed_name_or_kind(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    topics = [Topic("from-blog", "postgres source:blog"), Topic("from-fakes", "postgres source:fake")]
    await setup(store, clock, source, ["blog", "planet"], topics)
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "blog", "planet")

    clock.advance(EVERY)
    source.then("blog", result(item(1, "Postgres on the blog")))
    source.then("planet", result(item(2, "Postgres on the planet")))
    await poller.poll()

    got = sorted((a.topic, a.conversation.title) for a in await stored_alerts(store))
    assert got == [
        ("from-blog", "Postgres on the blog"),
        ("from-fakes", "Postgres on the blog"),
        ("from-fakes", "Postgres on the planet"),
    ]


async def test_a_topic_added_between_rounds_matches_in_the_next_round(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [DATABASES])
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "forum")
    await TopicsAndFeeds(store, {"fake": source}, clock).add_topic(Topic("rust", "rust*"), "ana")

    clock.advance(EVERY)
    source.then("forum", result(item(1, "Rustaceans on SQLite")))
    await poller.poll()

    assert sorted(a.topic for a in await stored_alerts(store)) == ["databases", "rust"]


async def test_a_disabled_topic_gets_no_alert(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [Topic("databases", "postgres", enabled=False)])
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "forum")

    clock.advance(EVERY)
    source.then("forum", result(item(1, "Postgres tuning notes")))
    [report] = await poller.poll()

    assert (report.ok, report.new, report.alerts) == (True, 1, 0)
    assert await stored_alerts(store) == []


async def test_the_same_conversation_from_two_feeds_is_alerted_once(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["blog", "planet"], [DATABASES])
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "blog", "planet")

    clock.advance(EVERY)
    url = "https://blog.example.com/choosing-postgres"
    source.then("blog", result(item(10, "Choosing Postgres", url=url)))
    source.then("planet", result(item(77, "Choosing Postgres", url=url)))  # an aggregator, under its own id
    reports = await poller.poll()

    assert sum(report.alerts for report in reports) == 1
    assert sum(report.new for report in reports) == 1
    assert [alert.conversation.url for alert in await stored_alerts(store)] == [url]


async def test_a_feed_error_counts_failures_and_backs_off(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [])
    source.then("forum", FeedError("HTTP 503 from the forum"), FeedError("HTTP 503 from the forum"))
    poller = make_poller(store, source, clock)

    [first] = await poller.poll()
    assert first == PollReport(
        "forum",
        ok=False,
        error="HTTP 503 from the forum",
        failures=1,
        next_poll_at=T0 + feed_backoff(EVERY, 1, POLICY.max_backoff),
    )
    assert first.next_poll_at == T0 + timedelta(seconds=60)

    clock.now = first.next_poll_at
    [second] = await poller.poll()
    assert (second.ok, second.failures) == (False, 2)
    assert second.next_poll_at == clock.now + feed_backoff(EVERY, 2, POLICY.max_backoff)
    assert second.next_poll_at == clock.now + timedelta(seconds=120)

    state = await feed_state(store, "forum")
    assert (state.consecutive_failures, state.last_error) == (2, "HTTP 503 from the forum")
    assert (state.next_poll_at, state.last_polled_at, state.seeded) == (second.next_poll_at, clock.now, False)


async def test_a_failing_feed_is_not_polled_before_its_backoff_ends(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [])
    source.then("forum", FeedError("down"), result())
    poller = make_poller(store, source, clock)
    [failed] = await poller.poll()
    assert failed.next_poll_at is not None

    clock.now = failed.next_poll_at - timedelta(microseconds=1)
    assert await poller.poll() == []
    clock.now = failed.next_poll_at
    assert [report.ok for report in await poller.poll()] == [True]


async def test_a_source_retry_after_is_honoured(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [])
    source.then("forum", FeedError("HTTP 429 Too Many Requests", retry_after=900))
    [report] = await make_poller(store, source, clock).poll()

    assert report.next_poll_at == T0 + timedelta(seconds=900)
    assert (await feed_state(store, "forum")).next_poll_at == T0 + timedelta(seconds=900)


async def test_success_resets_the_failure_count(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [])
    source.then("forum", FeedError("down"), result(cursor=5))
    poller = make_poller(store, source, clock)
    [failed] = await poller.poll()
    assert failed.next_poll_at is not None

    clock.now = failed.next_poll_at
    [report] = await poller.poll()

    assert (report.ok, report.seeded, report.next_poll_at) == (True, True, clock.now + EVERY)
    state = await feed_state(store, "forum")
    assert (state.consecutive_failures, state.last_error, state.cursor) == (0, None, {"seen": 5})


async def run_until_polled(poller: Poller, clock: Clock) -> PollReport:
    """Move the clock to the feed's next poll and poll it."""
    [report] = await poller.poll()
    assert report.next_poll_at is not None
    clock.now = report.next_poll_at
    return report


async def test_one_warning_after_notify_after_failures_and_one_recovery_notice(store: MemoryStore) -> None:
    clock, source, board = Clock(), ScriptedSource(), NoticeBoard()
    await setup(store, clock, source, ["forum"], [])
    source.then("forum", *[FeedError("HTTP 502 Bad Gateway") for _ in range(5)], result(), result())
    poller = make_poller(store, source, clock, notices=board)

    for _ in range(2):
        await run_until_polled(poller, clock)
    assert board.notices == []

    third = await run_until_polled(poller, clock)
    assert third.failures == 3
    assert third.next_poll_at is not None
    assert board.notices == [
        Notice(
            "warning",
            "Feed forum has failed 3 times in a row: HTTP 502 Bad Gateway. "
            f"Next try at {third.next_poll_at:%H:%M} UTC.",
            feed="forum",
        )
    ]

    for _ in range(2):  # the 4th and 5th failures say nothing more
        await run_until_polled(poller, clock)
    assert len(board.notices) == 1

    recovered = await run_until_polled(poller, clock)
    assert recovered.ok
    assert board.notices[1:] == [Notice("info", "Feed forum works again.", feed="forum")]

    await run_until_polled(poller, clock)
    assert len(board.notices) == 2


async def test_a_recovery_before_notify_after_failures_says_nothing(store: MemoryStore) -> None:
    clock, source, board = Clock(), ScriptedSource(), NoticeBoard()
    await setup(store, clock, source, ["forum"], [])
    source.then("forum", FeedError("down"), FeedError("down"), result())
    poller = make_poller(store, source, clock, notices=board)

    for _ in range(3):
        await run_until_polled(poller, clock)

    assert board.notices == []


async def test_a_notice_that_cannot_be_posted_does_not_disturb_polling(store: MemoryStore) -> None:
    class BrokenBoard(NoticeBoard):
        async def send_notice(self, notice: Notice) -> None:
            raise DeliveryError("webhook: HTTP 503 Service Unavailable")

    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [])
    source.then("forum", FeedError("down"), result())
    poller = make_poller(store, source, clock, notices=BrokenBoard(), policy=PollPolicy(notify_after=1))

    failed = await run_until_polled(poller, clock)
    recovered = await run_until_polled(poller, clock)

    assert (failed.ok, failed.failures, recovered.ok) == (False, 1, True)
    assert (await feed_state(store, "forum")).consecutive_failures == 0


async def test_an_unexpected_error_in_a_source_is_a_failure_and_the_other_feeds_still_poll(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["broken", "healthy"], [])
    source.then("broken", KeyError("hits"))
    source.then("healthy", result(cursor=1))

    reports = await make_poller(store, source, clock).poll()

    assert [(r.feed, r.ok, r.error) for r in reports] == [
        ("broken", False, "unexpected error: KeyError: 'hits'"),
        ("healthy", True, None),
    ]
    broken = await feed_state(store, "broken")
    assert (broken.consecutive_failures, broken.last_error) == (1, "unexpected error: KeyError: 'hits'")
    assert broken.next_poll_at == T0 + feed_backoff(EVERY, 1, POLICY.max_backoff)
    assert (await feed_state(store, "healthy")).seeded


async def test_a_feed_of_an_unknown_kind_is_a_clear_failure(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    async with store.unit() as unit:  # a kind this version lacks, e.g. left by a newer one in a shared database
        await unit.add_feed(Feed("toots", "mastodon", EVERY), T0)

    [report] = await make_poller(store, source, clock).poll()

    assert (report.ok, report.failures) == (False, 1)
    assert report.error == "feed kind 'mastodon' is not available in this version"
    assert (await feed_state(store, "toots")).consecutive_failures == 1
    assert source.calls == []


async def test_due_only_skips_feeds_not_yet_due_and_due_only_false_takes_them(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [])
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "forum")  # next poll at T0 + EVERY

    clock.advance(EVERY - timedelta(seconds=1))
    assert await poller.poll() == []
    assert await poller.poll(due_only=True) == []
    assert len(source.calls) == 1

    source.then("forum", result(cursor=2))
    [report] = await poller.poll(due_only=False)
    assert (report.feed, report.ok) == ("forum", True)
    assert len(source.calls) == 2


async def test_names_limit_a_poll_to_those_feeds(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["blog", "forum"], [])
    source.then("forum", result())

    reports = await make_poller(store, source, clock).poll(names=["forum"])

    assert [report.feed for report in reports] == ["forum"]
    assert [name for name, _, _ in source.calls] == ["forum"]


async def test_two_pollers_at_once_never_poll_the_same_feed_nor_write_an_alert_twice(
    make_store: Callable[[], MemoryStore],
) -> None:
    clock, source = Clock(), ScriptedSource()
    first_store, second_store = make_store(), make_store()
    names = [f"feed{n}" for n in range(6)]
    await setup(first_store, clock, source, names, [DATABASES])
    first = make_poller(first_store, source, clock, owner="worker-1")
    second = make_poller(second_store, source, clock, owner="worker-2")
    await seeded(first, source, *names)

    clock.advance(EVERY)
    shared = item(999, "Postgres 18 released", url="https://www.postgresql.org/about/news/18")
    for n, name in enumerate(names):
        # Every feed brings one item of its own and the same big news, so inserts collide across feeds.
        source.then(name, result(item(n, f"Postgres story {n}"), shared))
    calls_before = len(source.calls)

    # Overlapping asks, so both want feed2 and feed3, and each gets feeds of its own that share the big news.
    mine, theirs = await asyncio.gather(first.poll(names=names[:4]), second.poll(names=names[2:]))

    polled = [report.feed for report in [*mine, *theirs]]
    assert sorted(polled) == names  # each feed once, by one of the two
    assert mine and theirs
    assert all(report.ok for report in [*mine, *theirs])
    assert sorted(name for name, _, _ in source.calls[calls_before:]) == names
    alerts = await stored_alerts(first_store)
    assert sum(report.alerts for report in [*mine, *theirs]) == len(alerts) == len(names) + 1
    assert len({alert.conversation.url for alert in alerts}) == len(alerts)


async def test_a_poll_whose_lease_was_taken_over_is_dropped_not_doubled(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [DATABASES])
    policy = PollPolicy(lease=timedelta(minutes=1), notify_after=3)
    slow = make_poller(store, source, clock, owner="slow", policy=policy)
    other = make_poller(store, source, clock, owner="other", policy=policy)
    await seeded(slow, source, "forum")
    clock.advance(EVERY)
    news = item(1, "Postgres tips")
    taken_over: list[PollReport] = []

    async def stall_past_the_lease() -> FetchResult:
        # While "slow" is fetching, its lease runs out and "other" polls the same feed.
        clock.advance(timedelta(minutes=2))
        source.then("forum", result(news, cursor=2))
        taken_over.extend(await other.poll())
        return result(news, cursor=1)

    source.then("forum", stall_past_the_lease)
    [dropped] = await slow.poll()

    assert [(r.feed, r.ok, r.alerts) for r in taken_over] == [("forum", True, 1)]
    assert (dropped.ok, dropped.error) == (False, "lease lost to another process")
    assert len(await stored_alerts(store)) == 1
    state = await feed_state(store, "forum")
    assert (state.cursor, state.consecutive_failures) == ({"seen": 2}, 0)


async def test_an_item_the_store_refuses_fails_its_feed_only(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["broken", "healthy"], [DATABASES])
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "broken", "healthy")
    clock.advance(EVERY)
    # A source bug: a naive timestamp, which the store refuses to guess a zone for.
    naive = Conversation("fake", "1", "https://forum.example.com/t/1", "Postgres", created_at=datetime(2025, 3, 1))
    source.then("broken", result(naive))
    source.then("healthy", result(item(2, "SQLite tips")))

    reports = await poller.poll()

    assert [(r.feed, r.ok) for r in reports] == [("broken", False), ("healthy", True)]
    broken = await feed_state(store, "broken")
    assert broken.consecutive_failures == 1
    assert broken.next_poll_at == clock.now + feed_backoff(EVERY, 1, POLICY.max_backoff)


async def test_an_item_with_a_nul_character_is_stored_and_alerted(store: MemoryStore) -> None:
    # PostgreSQL text cannot hold U+0000; the store drops it rather than failing the feed.
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [DATABASES])
    poller = make_poller(store, source, clock)
    await seeded(poller, source, "forum")
    clock.advance(EVERY)
    source.then("forum", result(item(1, "Postgres\x00 tips")))  # JSON "\u0000" decodes to this

    [report] = await poller.poll()

    assert (report.ok, report.alerts) == (True, 1)


async def test_a_topic_that_opted_in_is_alerted_for_an_item_without_its_keywords(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    topic = Topic(
        "vector-db",
        '"vector database" OR pgvector',
        about="We run vector search in production and help people choose, size and tune a store for embeddings.",
        examples=("Our HNSW recall dropped after upserts, how do you rebuild the index safely?",),
        without_keyword=True,
    )
    await setup(store, clock, source, ["forum"], [topic])
    scoring = ScoringPolicy(meaning=Meaning(default_embedder()))
    poller = Poller(store, {"fake": source}, clock, "worker-1", POLICY, rand=lambda: 0.5, scoring=scoring)
    await seeded(poller, source, "forum")

    clock.advance(EVERY)
    nearby = item(1, "HNSW index recall drops after bulk upserts of embeddings, how do we rebuild it?")
    source.then("forum", result(nearby, item(2, "My sourdough starter smells like nail polish")))
    await poller.poll()

    [alert] = await stored_alerts(store)
    assert (alert.topic, alert.matched) == ("vector-db", ())
    assert "close to what the topic is about (no keyword)" in alert.reasons


class CountingTelemetry:
    """Keeps every count it is given, with its labels."""

    def __init__(self) -> None:
        self.counts: list[tuple[str, int, dict[str, str]]] = []

    def count(self, name: str, n: int = 1, **labels: str) -> None:
        self.counts.append((name, n, labels))

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        pass


async def test_a_metered_poll_failing_midway_keeps_its_day_counts_and_they_are_counted(store: MemoryStore) -> None:
    clock, source, telemetry = Clock(), ScriptedSource(), CountingTelemetry()
    await setup(store, clock, source, ["paid"], [DATABASES])
    poller = Poller(store, {"fake": source}, clock, "worker-1", policy=POLICY, rand=lambda: 0.5, telemetry=telemetry)
    await seeded(poller, source, "paid")
    spent = {"since_id": "0", "usage": {"day": "2026-01-01", "requests": 3}}
    source.then("paid", FeedError("HTTP 503 on page 2", usage={"requests": 2}, cursor=spent))

    [report] = await poller.poll(due_only=False)

    assert not report.ok
    state = await feed_state(store, "paid")
    assert (state.cursor, state.consecutive_failures, state.seeded) == (spent, 1, True)
    assert ("source_usage", 2, {"kind": "fake", "feed": "paid", "what": "requests"}) in telemetry.counts
    # A failure that spent nothing leaves the cursor as it was.
    source.then("paid", FeedError("HTTP 503"))
    await poller.poll(due_only=False)
    assert (await feed_state(store, "paid")).cursor == spent


async def test_an_item_older_than_retention_keeps_conversations_is_not_stored(store: MemoryStore) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["blog"], [DATABASES])
    policy = replace(POLICY, forget_after=timedelta(days=30))
    poller = Poller(store, {"fake": source}, clock, "worker-1", policy=policy, rand=lambda: 0.5)
    await seeded(poller, source, "blog")
    old = replace(item(1, "Postgres or SQLite?"), created_at=clock() - timedelta(days=31))
    recent = replace(item(2, "Postgres or SQLite, again?"), created_at=clock() - timedelta(days=29))
    undated = item(3, "Postgres or SQLite, undated?")
    source.then("blog", result(old, recent, undated, cursor=1))

    [report] = await poller.poll(due_only=False)

    # Retention forgets conversations that old: one could not be told from one forgotten, so none is stored.
    assert (report.fetched, report.new) == (3, 2)
    assert [a.conversation.external_id for a in await stored_alerts(store)] == ["2", "3"]
