"""The context step before delivery: threads read through any ThreadSource, the extractive summary, the optional
language model bounded by a timeout and a shared daily budget, and delivery that never waits on any of it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.llm import LlmSummariser
from earshot.adapters.sources.hackernews.source import HackerNewsSource
from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.delivering.context import ContextPolicy, Contextualiser
from earshot.bot.delivering.outbox import Deliverer
from earshot.bot.domain import Alert, Conversation, Notice, Reply, Summary, Thread
from earshot.bot.errors import FeedError
from earshot.bot.ports import NewAlert, Source
from tests.fakes.algolia import FakeAlgoliaItems, algolia_item, comment_item, firebase_item
from tests.fakes.clock import T0, Clock
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.llm import FakeLlm

ASK = firebase_item("ask_on_call")
KEY = "sk-test-7f3a9c0d1e2b"  # must never appear in a log line
ITEM = Conversation(
    "hackernews",
    str(ASK["id"]),
    f"https://news.ycombinator.com/item?id={ASK['id']}",
    str(ASK["title"]),
    text="What keeps the signal/noise ratio of your alerts high? Does a weekly rotation still work as the team grows?",
    points=3,
    thread_size=0,
)
REPLIES = [
    comment_item(38130102, "Rotation works because the team deletes noisy alerts and the pager only wakes for users."),
    comment_item(38130233, "Thanks!"),
    comment_item(38130519, "Signal stays high while every alert has an owner and a runbook, not a dashboard."),
]


@pytest.fixture
def server() -> Iterator[FakeHttpServer]:
    with FakeHttpServer() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[SafeHttp]:
    async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",), timeout=5.0, deadline=10.0)) as client:
        yield client


@pytest.fixture
def items(server: FakeHttpServer) -> FakeAlgoliaItems:
    fake = FakeAlgoliaItems(server)
    fake.add(algolia_item(ASK, REPLIES))
    return fake


@pytest.fixture
def llm(server: FakeHttpServer) -> Iterator[FakeLlm]:
    fake = FakeLlm(server)
    yield fake
    fake.release()


@pytest.fixture
def sources(http: SafeHttp, server: FakeHttpServer) -> dict[str, Source]:
    return {"hackernews": HackerNewsSource(http, thread_base_url=server.url("/api/v1"))}


async def add_alert(store: MemoryStore, item: Conversation = ITEM) -> Alert:
    async with store.unit() as unit:
        [(cid, _)] = await unit.insert_conversations([item], "hn", T0)
        await unit.insert_alerts([NewAlert(cid, "community", None, ("hn",), 70)], T0)
        leased = await unit.lease_alerts(T0, "test", timedelta(minutes=1), 100)
    [alert] = [a for a in leased if a.conversation.key == item.key]
    return alert


async def stored(store: MemoryStore, alert_id: int) -> Alert:
    async with store.unit() as unit:
        alert = await unit.get_alert(alert_id)
    assert alert is not None
    return alert


def context(
    store: MemoryStore,
    sources: dict[str, Source],
    *,
    llm: LlmSummariser | None = None,
    budget: int = 10,
    llm_timeout: timedelta = timedelta(seconds=5),
) -> Contextualiser:
    policy = ContextPolicy(llm_timeout=llm_timeout, daily_budget=budget)
    return Contextualiser(store, sources, Clock(), policy, llm=llm)


async def test_the_summary_comes_from_the_thread_and_is_stored_with_fresh_numbers(
    store: MemoryStore, sources: dict[str, Source], items: FakeAlgoliaItems
) -> None:
    alert = await add_alert(store)

    done = await context(store, sources).contextualise(alert)

    assert done.summary is not None and done.summary.method == "extractive"
    assert done.summary.question.startswith("What keeps the signal/noise ratio of your alerts high?")
    assert done.summary.said == (
        "Rotation works because the team deletes noisy alerts and the pager only wakes for users.",
        "Signal stays high while every alert has an owner and a runbook, not a dashboard.",
    )
    again = await stored(store, alert.id)
    assert again.summary == done.summary
    assert (again.conversation.thread_size, again.conversation.points) == (3, 57)


async def test_an_alert_with_a_summary_is_left_alone(
    store: MemoryStore, sources: dict[str, Source], items: FakeAlgoliaItems
) -> None:
    alert = replace(await add_alert(store), summary=Summary("Known."))

    assert await context(store, sources).contextualise(alert) is alert
    assert items.requests(38130044) == []


async def test_a_thread_that_cannot_be_read_gives_a_summary_of_the_item_alone(
    store: MemoryStore, sources: dict[str, Source], items: FakeAlgoliaItems
) -> None:
    items.missing(38130044)
    alert = await add_alert(store)

    done = await context(store, sources).contextualise(alert)

    assert done.summary is not None and done.summary.said == ()
    assert done.summary.question.startswith("What keeps the signal/noise ratio")
    assert (await stored(store, alert.id)).conversation.points == 3  # nothing fresh was read


class ThreadlessSource:
    """A source without threads (as RSS is): the summary is made from the item alone, no call made."""

    kind = "rss"

    def check(self, feed: object) -> None:
        pass


class BrokenThreads:
    """A thread source whose threads fail in every way a source might."""

    kind = "forum"

    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        raise self.error


class ForumThreads:
    """Another kind's thread source (Reddit, Discourse, ...): nothing in the core depends on the kind."""

    kind = "forum"

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        replies = (Reply("r1", "bo", "Vacuum settings matter more than the Postgres version you run."),)
        return Thread(replace(conversation, points=9), replies, reply_count=12)


async def test_any_thread_source_works_and_a_source_without_threads_is_fine(store: MemoryStore) -> None:
    forum = Conversation("forum", "t1", "https://forum.example/t/1", "Postgres vacuum tuning?")
    blog = Conversation("rss", "p1", "https://blog.example/p/1", "Postgres 17 released", text="It is out.")
    sources: dict[str, object] = {"forum": ForumThreads(), "rss": ThreadlessSource()}
    ctx = Contextualiser(store, sources, Clock())  # type: ignore[arg-type]

    from_forum = await ctx.contextualise(await add_alert(store, forum))
    from_blog = await ctx.contextualise(await add_alert(store, blog))

    assert from_forum.summary == Summary(
        "Postgres vacuum tuning?", ("Vacuum settings matter more than the Postgres version you run.",)
    )
    assert (from_forum.conversation.thread_size, from_forum.conversation.points) == (12, 9)
    assert from_blog.summary == Summary("Postgres 17 released.")  # "It is out." says nothing more


@pytest.mark.parametrize("error", [FeedError("rate limited"), RuntimeError("bug"), TimeoutError()])
async def test_a_failing_thread_source_never_fails_the_summary(store: MemoryStore, error: BaseException) -> None:
    forum = Conversation("forum", "t1", "https://forum.example/t/1", "Postgres vacuum tuning?")
    ctx = Contextualiser(store, {"forum": BrokenThreads(error)}, Clock())  # type: ignore[dict-item]

    done = await ctx.contextualise(await add_alert(store, forum))

    assert done.summary == Summary("Postgres vacuum tuning?")


class MeteredThreads:
    """A metered API's threads (as X's and YouTube's): each read says what it spent, a failed one too."""

    kind = "paid"

    def __init__(self) -> None:
        self.fail = False

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        if self.fail:
            raise FeedError("rate limited", usage={"requests": 2, "posts": 1})
        return Thread(conversation, (Reply("r1", "bo", "Use the API."),), usage={"requests": 2, "posts": 4})


async def test_what_a_metered_thread_read_spent_is_counted_for_its_kind_and_day(store: MemoryStore) -> None:
    paid = MeteredThreads()
    clock = Clock()
    ctx = Contextualiser(store, {"paid": paid}, clock)  # type: ignore[dict-item]
    first = Conversation("paid", "1", "https://paid.example/1", "Which API client?")
    second = Conversation("paid", "2", "https://paid.example/2", "Which API client now?")

    await ctx.contextualise(await add_alert(store, first))
    paid.fail = True  # a read that fails midway still spent what it says
    failed = await ctx.contextualise(await add_alert(store, second))

    assert failed.summary == Summary("Which API client now?")
    async with store.unit() as unit:
        [day] = await unit.usage_since(T0.date())
    assert (day.kind, day.day, dict(day.counts)) == ("paid", T0.date(), {"posts": 5, "requests": 4})


async def test_the_language_model_writes_the_summary_when_on(
    store: MemoryStore,
    sources: dict[str, Source],
    items: FakeAlgoliaItems,
    llm: FakeLlm,
    http: SafeHttp,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    llm.content = (
        '```json\n{"question": "Does HN\'s model scale?", "said": ["Flags and ranking keep noise down."]}\n```'
    )
    alert = await add_alert(store)

    done = await context(store, sources, llm=LlmSummariser(http, llm.base_url, "fake-model", KEY)).contextualise(alert)

    assert done.summary == Summary("Does HN's model scale?", ("Flags and ranking keep noise down.",), "llm")
    assert (await stored(store, alert.id)).summary == done.summary
    [request] = llm.requests
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert b'"model": "fake-model"' in request.body and b"signal/noise" in request.body
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    ("setup", "logged"),
    [
        (lambda fake: setattr(fake, "delay", 30.0), "took over"),
        (lambda fake: setattr(fake, "status", 500), "HTTP 500"),
        (lambda fake: setattr(fake, "content", "   "), "empty message"),
    ],
    ids=["slow", "error-500", "empty"],
)
async def test_a_slow_or_failing_model_gives_the_extractive_summary(
    store: MemoryStore,
    sources: dict[str, Source],
    items: FakeAlgoliaItems,
    llm: FakeLlm,
    http: SafeHttp,
    caplog: pytest.LogCaptureFixture,
    setup: Callable[[FakeLlm], None],
    logged: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    setup(llm)
    alert = await add_alert(store)
    summariser = LlmSummariser(http, llm.base_url, "fake-model", KEY)

    done = await context(store, sources, llm=summariser, llm_timeout=timedelta(seconds=0.3)).contextualise(alert)
    llm.release()

    assert done.summary is not None and done.summary.method == "extractive"
    assert done.summary.said  # the thread was still read
    assert logged in caplog.text and "extractive summary used" in caplog.text
    assert KEY not in caplog.text


async def test_past_the_daily_budget_no_call_is_made(
    make_store: Callable[[], MemoryStore],
    sources: dict[str, Source],
    items: FakeAlgoliaItems,
    llm: FakeLlm,
    http: SafeHttp,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    # Two replicas, each with its own store (its own connections), share one budget of 2 calls a day.
    first, second = make_store(), make_store()
    summariser = LlmSummariser(http, llm.base_url, "fake-model", KEY)
    replicas = [context(first, sources, llm=summariser, budget=2), context(second, sources, llm=summariser, budget=2)]
    alerts = [await add_alert(first, replace(ITEM, external_id=str(n), url=f"https://x.example/{n}")) for n in range(3)]

    done = [await replicas[n % 2].contextualise(alert) for n, alert in enumerate(alerts)]

    assert [d.summary.method for d in done if d.summary] == ["llm", "llm", "extractive"]
    assert len(llm.requests) == 2
    assert "budget of 2 calls for 2025-03-01 is spent" in caplog.text


async def test_a_budget_of_zero_never_calls(
    store: MemoryStore, sources: dict[str, Source], items: FakeAlgoliaItems, llm: FakeLlm, http: SafeHttp
) -> None:
    summariser = LlmSummariser(http, llm.base_url, "fake-model", KEY)
    done = await context(store, sources, llm=summariser, budget=0).contextualise(await add_alert(store))
    assert done.summary is not None and done.summary.method == "extractive"
    assert llm.requests == []


class Recorder:
    """A chat that keeps the alerts it was given."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    async def send_alert(self, alert: Alert) -> str:
        self.alerts.append(alert)
        return f"m{alert.id}"

    async def send_notice(self, notice: Notice) -> None:
        pass


class ExplodingContext(Contextualiser):
    """A context step with a bug: delivery goes on without a summary."""

    async def contextualise(self, alert: Alert) -> Alert:
        raise RuntimeError("summary bug")


async def test_delivery_sends_each_alert_with_its_summary_and_never_waits_on_a_broken_one(
    store: MemoryStore, sources: dict[str, Source], items: FakeAlgoliaItems
) -> None:
    alert = await add_alert(store)
    async with store.unit() as unit:
        await unit.release_alerts([alert.id], "test", next_attempt_at=T0)
    chat = Recorder()

    report = await Deliverer(store, chat, Clock(), "sender", context=context(store, sources)).deliver()

    assert report.delivered == 1
    [sent] = chat.alerts
    assert sent.summary is not None and len(sent.summary.said) == 2

    other = await add_alert(store, replace(ITEM, external_id="9", url="https://x.example/9"))
    async with store.unit() as unit:
        await unit.release_alerts([other.id], "test", next_attempt_at=T0)
    broken = ExplodingContext(store, sources, Clock())
    report = await Deliverer(store, chat, Clock(), "sender", context=broken).deliver()
    assert report.delivered == 1 and chat.alerts[-1].id == other.id and chat.alerts[-1].summary is None
