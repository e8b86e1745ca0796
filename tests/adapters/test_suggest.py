"""LLM suggestions on a draft (``[judge] suggest``), against a local server speaking chat completions: shown with
the checklist, never a reply, none where the community bans generated text, within budget and timeout."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from earshot.adapters.http import FetchPolicy
from earshot.adapters.judge import judge_http
from earshot.adapters.judge.suggest import OpenAiAdvisor
from earshot.adapters.storage import SqlStore
from earshot.bot.domain import Conversation
from earshot.bot.guest.checker import GuestPolicy, ReplyChecker
from earshot.bot.guest.ours import Ours
from earshot.bot.guest.text import checklist_text
from earshot.bot.ports import NewAlert
from tests.fakes.clock import T0, Clock
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.llm import FakeLlm

POLICY = FetchPolicy(timeout=1.0, deadline=1.0)
KEY = "sk-test-suggest-0123456789"
DRAFT = "We built Tidewater for exactly this. Our queue is great and our team answers fast."
SUGGESTIONS = {
    "suggestions": [
        "Start with how to make the workers skip rows another worker holds, which is what was asked.",
        "Say what happens to a job whose worker dies, in their setup.",
    ]
}


async def stored_alert(store: SqlStore, source: str, community: str) -> int:
    question = Conversation(
        source,
        "q1",
        "https://www.reddit.com/r/PostgreSQL/comments/q1/",
        "Job queue in Postgres with SKIP LOCKED?",
        "How should the query look, and how do I handle a worker dying mid-job?",
        community=community,
    )
    async with store.unit() as unit:
        [(conversation_id, _)] = await unit.insert_conversations([question], "feed", T0)
        await unit.insert_alerts([NewAlert(conversation_id, "queues", None, ("postgres",), 60)], T0)
        [alert] = await unit.list_alerts()
    return alert.id


@pytest.fixture
def server() -> Iterator[FakeHttpServer]:
    with FakeHttpServer() as fake:
        yield fake


def checker(store: SqlStore, llm: FakeLlm, http: object, per_hour: int = 30) -> ReplyChecker:
    advisor = OpenAiAdvisor(
        http,  # type: ignore[arg-type]
        llm.base_url,
        "fake-model",
        store,
        Clock(T0),
        api_key=KEY,
        per_hour=per_hour,
        max_chars=200,
    )
    return ReplyChecker(store, GuestPolicy(ours=Ours(("Tidewater",))), advisor=advisor)


async def test_suggestions_come_with_the_checklist_and_the_model_is_asked_for_no_reply(
    server: FakeHttpServer, store: SqlStore
) -> None:
    llm = FakeLlm(server, content=json.dumps(SUGGESTIONS))
    alert_id = await stored_alert(store, "reddit", "r/PostgreSQL")
    async with judge_http(llm.base_url, POLICY) as http:
        checked = await checker(store, llm, http).check(alert_id, DRAFT)
    assert checked.suggestions == tuple(SUGGESTIONS["suggestions"])
    text = checklist_text(checked)
    assert "Suggestions:" in text and "skip rows another worker holds" in text
    (request,) = llm.requests
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = json.loads(request.body)
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert "Never write the reply" in system
    assert "<draft>\n" + DRAFT in user and "What a check found:" in user and "worker dying mid-job" in user


async def test_no_request_where_the_community_bans_generated_text(server: FakeHttpServer, store: SqlStore) -> None:
    llm = FakeLlm(server, content=json.dumps(SUGGESTIONS))
    alert_id = await stored_alert(store, "hackernews", "Ask HN")
    async with judge_http(llm.base_url, POLICY) as http:
        checked = await checker(store, llm, http).check(alert_id, DRAFT)
    assert checked.suggestions == () and llm.requests == []
    assert "no LLM suggestions here: this community bans generated text" in checked.notes


@pytest.mark.parametrize(
    ("content", "status", "delay", "note"),
    [
        (json.dumps(SUGGESTIONS), 500, 0.0, "the endpoint answered HTTP 500"),
        (json.dumps(SUGGESTIONS), 200, 3.0, "did not answer in time"),
        (json.dumps({"suggestions": ["Here is a better reply: " + "Use SKIP LOCKED. " * 30]}), 200, 0.0, "not a list"),
        ("Sure! Just write: use SKIP LOCKED.", 200, 0.0, "not a list"),
    ],
    ids=["server error", "slow", "a rewrite", "prose"],
)
async def test_a_failed_slow_or_unusable_answer_is_a_note_not_an_error(
    server: FakeHttpServer, store: SqlStore, content: str, status: int, delay: float, note: str
) -> None:
    llm = FakeLlm(server, content=content, status=status, delay=delay)
    alert_id = await stored_alert(store, "reddit", "r/PostgreSQL")
    try:
        async with judge_http(llm.base_url, POLICY) as http:
            checked = await checker(store, llm, http).check(alert_id, DRAFT)
    finally:
        llm.release()
    assert checked.suggestions == ()
    assert any(note in n for n in checked.notes), checked.notes
    assert checked.checklist.flags  # the checklist itself stands


async def test_the_hourly_budget_is_kept(server: FakeHttpServer, store: SqlStore) -> None:
    llm = FakeLlm(server, content=json.dumps(SUGGESTIONS))
    alert_id = await stored_alert(store, "reddit", "r/PostgreSQL")
    async with judge_http(llm.base_url, POLICY) as http:
        check = checker(store, llm, http, per_hour=1)
        first = await check.check(alert_id, DRAFT)
        second = await check.check(alert_id, DRAFT)
    assert first.suggestions and not second.suggestions and len(llm.requests) == 1
    assert "no LLM suggestions: this hour's 1 are used up" in second.notes
