"""The optional LLM judge in the poll, asked through the real OpenAI-compatible client of a local server speaking
the chat-completions API: a join shows its reason, a skip holds the alert, and a slow, failing, confused or
over-budget model leaves the alert decided without it."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.judge import OpenAiJudge, judge_http
from earshot.adapters.storage.memory import MemoryStore
from earshot.bot.domain import Conversation, DeliveryState, Topic
from earshot.bot.finding.judge import JUDGE_BUDGET, Candidate, JudgePolicy, Judging, reason_text
from earshot.bot.finding.polling import Poller
from tests.bot.finding.test_polling import (
    EVERY,
    POLICY,
    ScriptedSource,
    item,
    result,
    seeded,
    setup,
    stored_alerts,
)
from tests.fakes.clock import Clock
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.llm import FakeLlm

KEY = "sk-test-7f3a9c0d1e2b4a5b"  # must never appear in a log line
JOIN = '{"verdict": "join", "reason": "Asks which database fits a small team, which the team knows well."}'
SKIP = '{"verdict": "skip", "reason": "A database of pet names, not the software."}'
TOPIC = Topic(
    "databases",
    "postgres OR sqlite",
    channel="db-talk",
    about="We run Postgres and SQLite in production and help teams choose and tune them.",
    accept="Only posts where someone asks for help with a database; not announcements.",
)


@pytest.fixture
def server() -> Iterator[FakeHttpServer]:
    with FakeHttpServer() as fake:
        yield fake


@pytest.fixture
def llm(server: FakeHttpServer) -> Iterator[FakeLlm]:
    fake = FakeLlm(server, content=JOIN)
    yield fake
    fake.release()


@pytest.fixture
async def http(llm: FakeLlm) -> AsyncIterator[SafeHttp]:
    # No allow_private: the judge's own client may reach the host the config names, here 127.0.0.1.
    async with judge_http(llm.base_url, FetchPolicy(timeout=5.0, deadline=5.0)) as client:
        yield client


def judging(store: MemoryStore, http: SafeHttp, llm: FakeLlm, clock: Clock, **policy: Any) -> Judging:
    judge = OpenAiJudge(http, llm.base_url, "judge-model", KEY)
    return Judging(judge, store, clock, JudgePolicy(**policy))


async def polled(
    store: MemoryStore, judge: Judging, clock: Clock, *items: Conversation, topics: tuple[Topic, ...] = (TOPIC,)
) -> ScriptedSource:
    """Seed a feed, then poll it once with ``items`` new in it (aged 40 minutes, 3 replies: they score high)."""
    source = ScriptedSource()
    await setup(store, clock, source, ["forum"], list(topics))
    poller = Poller(store, {"fake": source}, clock, "worker-1", policy=POLICY, rand=lambda: 0.5, judging=judge)
    await seeded(poller, source, "forum")
    clock.advance(EVERY)
    aged = [replace(i, created_at=clock.now - timedelta(minutes=40), thread_size=3) for i in items]
    source.then("forum", result(*aged))
    [report] = await poller.poll()
    assert report.ok, report.error
    return source


ASKING = item(1, "Which database should I use, Postgres or SQLite?")


async def test_a_join_verdict_posts_the_alert_with_the_models_reason_first(
    store: MemoryStore, http: SafeHttp, llm: FakeLlm
) -> None:
    clock = Clock()
    asking = replace(ASKING, text="We are four people. " + "Details. " * 400, author="dana")
    await polled(store, judging(store, http, llm, clock, max_chars=200), clock, asking)

    [alert] = await stored_alerts(store)
    assert alert.state is DeliveryState.PENDING
    assert alert.reasons[0] == "LLM: Asks which database fits a small team, which the team knows well."
    assert alert.reasons[1:] == ("asks for a recommendation", "40 min old", "3 replies")
    [request] = llm.requests
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = json.loads(request.body)
    assert (body["model"], body["temperature"]) == ("judge-model", 0)
    system, user = body["messages"]
    assert (system["role"], user["role"]) == ("system", "user")
    assert '"verdict": "join" or "skip"' in system["content"]
    for said in (TOPIC.name, TOPIC.query, TOPIC.about, TOPIC.accept, ASKING.title, ASKING.url, "from fake"):
        assert said in user["content"]
    # The opening is cut to max_chars; the author is not sent.
    opening = user["content"].split("Text: ", 1)[1].split("\n", 1)[0]
    assert opening.startswith("We are four people.") and len(opening) <= 200
    assert "dana" not in user["content"]


async def test_a_skip_verdict_holds_the_alert_with_the_models_reason(
    store: MemoryStore, http: SafeHttp, llm: FakeLlm
) -> None:
    clock = Clock()
    llm.content = SKIP
    await polled(store, judging(store, http, llm, clock), clock, ASKING)

    [alert] = await stored_alerts(store)
    assert (alert.state, alert.score) == (DeliveryState.BELOW_MIN, 90)  # the score stays the pre-score
    assert alert.reasons[0] == "LLM says skip: A database of pet names, not the software."


async def test_a_slow_model_leaves_the_alert_decided_without_it(
    store: MemoryStore, http: SafeHttp, llm: FakeLlm, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    llm.delay = 10.0
    with caplog.at_level(logging.INFO):
        await polled(store, judging(store, http, llm, clock, timeout=timedelta(seconds=0.3)), clock, ASKING)

    [alert] = await stored_alerts(store)
    assert alert.state is DeliveryState.PENDING
    assert alert.reasons == ("asks for a recommendation", "40 min old", "3 replies")
    assert "no verdict on https://forum.example.com/t/1 for topic databases within 0.3 s" in caplog.text


async def test_a_poll_waits_on_a_slow_model_at_most_two_timeouts_however_many_items_it_brought(
    store: MemoryStore, http: SafeHttp, llm: FakeLlm, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    llm.delay = 10.0
    judge = judging(store, http, llm, clock, timeout=timedelta(seconds=0.3), concurrency=1)
    asks = [item(n, f"Which database should I use for project {n}, Postgres or SQLite?") for n in range(1, 9)]
    with caplog.at_level(logging.INFO):
        await polled(store, judge, clock, *asks)

    alerts = await stored_alerts(store)
    assert [a.state for a in alerts] == [DeliveryState.PENDING] * 8
    assert not any(r.startswith("LLM") for a in alerts for r in a.reasons)
    assert len(llm.requests) <= 3  # one at a time, for 0.6 s: the rest were never sent
    assert "asks left after 2 timeouts; decided without it" in caplog.text


@pytest.mark.parametrize(
    ("status", "content", "logged"),
    [
        (500, JOIN, "answered HTTP 500: The server had an error"),
        (200, "I think the team should join this one.", "the judge's answer is not a verdict"),
        (200, '{"verdict": "maybe", "reason": "hard to say"}', "the judge's answer is not a verdict"),
        (200, '{"verdict": "join"', "the judge's answer is not a verdict"),
    ],
)
async def test_a_failing_or_confused_model_leaves_the_alert_decided_without_it(
    store: MemoryStore,
    http: SafeHttp,
    llm: FakeLlm,
    caplog: pytest.LogCaptureFixture,
    status: int,
    content: str,
    logged: str,
) -> None:
    clock = Clock()
    llm.status, llm.content = status, content
    with caplog.at_level(logging.INFO):
        await polled(store, judging(store, http, llm, clock), clock, ASKING)

    [alert] = await stored_alerts(store)
    assert alert.state is DeliveryState.PENDING
    assert alert.reasons == ("asks for a recommendation", "40 min old", "3 replies")
    assert logged in caplog.text
    assert "decided without it" in caplog.text


async def test_past_the_hourly_budget_the_judge_is_not_called_until_the_next_hour(
    store: MemoryStore, http: SafeHttp, llm: FakeLlm, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    judge = judging(store, http, llm, clock, per_hour=1)
    llm.content = SKIP
    second = item(2, "Postgres or SQLite for a side project, which would you recommend?")
    with caplog.at_level(logging.INFO):
        await polled(store, judge, clock, ASKING, second)

    assert len(llm.requests) == 1  # the budget allowed one call
    states = sorted(alert.state.value for alert in await stored_alerts(store))
    assert states == ["below_min", "pending"]  # one skipped by the judge, one decided without it
    assert "the budget of 1 calls for 2025-03-01 12:00 UTC is spent" in caplog.text

    clock.advance(timedelta(hours=1))  # a new hour, a new budget
    verdict = await judge.verdict(replace(ASKING, external_id="3", url="https://forum.example.com/t/3"), TOPIC)
    assert verdict is not None and not verdict.join
    assert len(llm.requests) == 2
    assert store.database.tables.budgets == {
        (f"{JUDGE_BUDGET} 12h", clock.now.date()): 1,
        (f"{JUDGE_BUDGET} 13h", clock.now.date()): 1,
    }


async def test_a_verdict_is_cached_per_item_and_topic_meaning(store: MemoryStore, http: SafeHttp, llm: FakeLlm) -> None:
    clock = Clock()
    judge = judging(store, http, llm, clock)

    first = await judge.verdict(ASKING, TOPIC)
    again = await judge.verdicts([Candidate(ASKING, TOPIC), Candidate(ASKING, TOPIC)])
    assert len(llm.requests) == 1
    assert again == {(ASKING.key, TOPIC.name): first}

    await judge.verdict(ASKING, replace(TOPIC, accept="Only questions about replication."))  # a new meaning
    await judge.verdict(ASKING, replace(TOPIC, name="sqlite"))
    assert len(llm.requests) == 3


async def test_only_new_items_that_would_be_posted_above_the_judges_pre_score_are_asked_about(
    store: MemoryStore, http: SafeHttp, llm: FakeLlm
) -> None:
    clock = Clock()
    strict = Topic("strict", "postgres", min_score=95)  # scores 90: held whatever the judge says
    plain = item(2, "Moving from Postgres to SQLite")  # no ask in it: scores under the judge's 60
    await polled(store, judging(store, http, llm, clock), clock, ASKING, plain, topics=(TOPIC, strict))

    [request] = llm.requests
    assert "Topic: databases" in json.loads(request.body)["messages"][1]["content"]
    got = {(a.topic, a.conversation.external_id): (a.state.value, a.reasons[0]) for a in await stored_alerts(store)}
    assert got[("databases", "1")][0] == "pending" and got[("databases", "1")][1].startswith("LLM: ")
    assert got[("databases", "2")][0] == "below_min" and not got[("databases", "2")][1].startswith("LLM")
    assert got[("strict", "1")][0] == "below_min" and not got[("strict", "1")][1].startswith("LLM")

    # An item stored already is never asked about again, by this process or another.
    fresh = judging(store, http, llm, clock)
    assert await fresh.verdicts([Candidate(ASKING, TOPIC)]) == {}
    assert len(llm.requests) == 1


async def test_a_first_poll_asks_nothing(store: MemoryStore, http: SafeHttp, llm: FakeLlm) -> None:
    clock, source = Clock(), ScriptedSource()
    await setup(store, clock, source, ["forum"], [TOPIC])
    poller = Poller(
        store, {"fake": source}, clock, "w", policy=POLICY, rand=lambda: 0.5, judging=judging(store, http, llm, clock)
    )
    source.then("forum", result(replace(ASKING, created_at=clock.now)))
    [report] = await poller.poll()
    assert report.seeded and llm.requests == []


async def test_the_key_never_reaches_a_log_line_nor_a_repr(
    store: MemoryStore, http: SafeHttp, llm: FakeLlm, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    judge = judging(store, http, llm, clock)
    llm.status = 401
    # What the real API says to a wrong key: part of it, quoted back.
    llm.error_message = f"Incorrect API key provided: {KEY[:8]}*********{KEY[-4:]}. You can find your API key at ..."
    with caplog.at_level(logging.DEBUG):
        assert await judge.verdict(ASKING, TOPIC) is None
        llm.status = 200
        llm.error_message = KEY
        assert await judge.verdict(ASKING, TOPIC) is not None
    assert "answered HTTP 401: Incorrect API key provided: ***" in caplog.text
    assert KEY not in caplog.text and KEY[-4:] not in caplog.text
    assert KEY not in repr(judge.judge)


def test_the_models_reason_keeps_no_link_and_no_control_and_fits_one_line() -> None:
    raw = "Join: see \x1b[31mhttps://evil.example/x?a=1\x1b[0m and www.evil.example now\u202e.\n" + "word " * 60
    text = reason_text(raw)
    assert "evil" not in text and "\x1b" not in text and "\u202e" not in text and "\n" not in text
    assert text.startswith("Join: see (link) and (link) now.") and len(text) <= 120
