"""The OpenAI-compatible summariser: the request it sends, the answers it accepts, the URLs it refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.llm import LlmSummariser, parse_answer
from earshot.bot.domain import Conversation, Reply, Summary
from earshot.bot.errors import ConfigError, SummaryError
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.llm import FakeLlm, completion

ITEM = Conversation("rss", "1", "https://blog.example/1", "Postgres or SQLite?", text="For a side project.")
DRAFT = Summary("Postgres or SQLite?")


@pytest.fixture
def server() -> Iterator[FakeHttpServer]:
    with FakeHttpServer() as fake:
        yield fake


def answer(content: object) -> bytes:
    return json.dumps(completion(content)).encode()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            answer('{"question": "Postgres or SQLite?", "said": ["SQLite is enough."]}'),
            Summary("Postgres or SQLite?", ("SQLite is enough.",), "llm"),
        ),
        (answer('```json\n{"question": "Q?", "said": []}\n```'), Summary("Q?", (), "llm")),
        (
            answer("Which DB to pick?\n- SQLite is simpler.\n- Postgres scales."),
            Summary("Which DB to pick?", ("SQLite is simpler.", "Postgres scales."), "llm"),
        ),
        (
            answer('{"question": "Q\\u001b[2J?", "said": ["a", "b", "c", "d", 5]}'),
            Summary("Q?", ("a", "b", "c"), "llm"),
        ),
    ],
    ids=["json", "fenced", "plain-lines", "cleaned-and-capped"],
)
def test_answers_become_summaries(body: bytes, expected: Summary) -> None:
    assert parse_answer(body) == expected


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<html>", "without a message"),
        (b'{"choices": []}', "without a message"),
        (answer(""), "empty message"),
        (answer(None), "empty message"),
        (answer('{"question": "", "said": ["x"]}'), "no question"),
    ],
)
def test_unusable_answers_are_summary_errors(body: bytes, why: str) -> None:
    with pytest.raises(SummaryError, match=why):
        parse_answer(body)


async def test_the_request_is_a_chat_completion_with_the_key_in_the_header_only(server: FakeHttpServer) -> None:
    llm = FakeLlm(server)
    async with SafeHttp(FetchPolicy(allow_private=("127.0.0.1",))) as http:
        summary = await LlmSummariser(http, llm.base_url, "m1", "sk-KEY").summarise(
            ITEM, [Reply("r", "a", "SQLite is plenty.")], DRAFT
        )
    assert summary == Summary("Which pooler?", ("PgBouncer is common.",), "llm")
    [request] = llm.requests
    body = json.loads(request.body)
    assert body["model"] == "m1" and [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "SQLite is plenty." in body["messages"][1]["content"]
    assert request.headers["authorization"] == "Bearer sk-KEY"
    assert b"sk-KEY" not in request.body


async def test_a_private_endpoint_needs_the_fetch_allowlist(server: FakeHttpServer) -> None:
    llm = FakeLlm(server)
    async with SafeHttp(FetchPolicy()) as http:
        with pytest.raises(SummaryError, match="refused") as raised:
            await LlmSummariser(http, llm.base_url, "m1", "sk-KEY").summarise(ITEM, [], DRAFT)
    assert llm.requests == []
    assert "sk-KEY" not in str(raised.value)


async def test_a_bad_endpoint_url_is_a_config_error() -> None:
    async with SafeHttp() as http:
        with pytest.raises(ConfigError, match="llm_base_url"):
            LlmSummariser(http, "ftp://llm.example", "m1")
        assert "KEY" not in repr(LlmSummariser(http, "https://llm.example/v1", "m", "sk-KEY"))
