"""The LLM judge's OpenAI-compatible client: what it reads as a verdict, and where its own client may connect."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from earshot.adapters.http import FetchError, FetchPolicy, SafeHttp
from earshot.adapters.judge import OpenAiJudge, judge_http
from earshot.adapters.judge.openai import parse_verdict
from earshot.bot.errors import ConfigError, JudgeUnavailable
from earshot.bot.ports import JudgeAsk, Verdict
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.llm import FakeLlm, completion

ASK = JudgeAsk(
    topic="observability",
    query="logs OR tracing",
    about="We build an open-source tracing tool.",
    accept="",
    title="Best way to store logs?",
    opening="Our cabin has a pile of logs from the old oak.",
    source="reddit r/woodworking",
    url="https://www.reddit.com/r/woodworking/comments/abc/",
)
POLICY = FetchPolicy(timeout=5.0, deadline=5.0)


def answer(content: str) -> bytes:
    return json.dumps(completion(content)).encode()


@pytest.mark.parametrize(
    ("content", "verdict"),
    [
        ('{"verdict": "join", "reason": "Asks for tracing advice."}', Verdict(True, "Asks for tracing advice.")),
        ('```json\n{"verdict": "skip", "reason": "Wood logs."}\n```', Verdict(False, "Wood logs.")),
        (
            'Sure! Here is my answer: {"verdict": "SKIP", "reason": "Firewood."} Hope it helps.',
            Verdict(False, "Firewood."),
        ),
        ('{"verdict": "yes"}', Verdict(True, "")),
        ('{"verdict": "no", "reason": 42}', Verdict(False, "")),
    ],
)
def test_a_verdict_is_read_from_json_fenced_or_in_prose(content: str, verdict: Verdict) -> None:
    assert parse_verdict(answer(content)) == verdict


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (answer("join"), "not a verdict"),
        (answer('{"reason": "no verdict here"}'), "not a verdict"),
        (answer('["join"]'), "not a verdict"),
        (answer("   "), "empty message"),
        (json.dumps({"choices": []}).encode(), "without a message (IndexError)"),
        (b"<html>502 Bad Gateway</html>", "without a message"),
    ],
)
def test_anything_else_is_unavailable(body: bytes, message: str) -> None:
    with pytest.raises(JudgeUnavailable, match=re.escape(message)):
        parse_verdict(body)


@pytest.fixture
def server() -> Iterator[FakeHttpServer]:
    with FakeHttpServer() as fake:
        yield fake


async def test_the_judges_client_reaches_the_named_local_host_which_feeds_may_not(server: FakeHttpServer) -> None:
    llm = FakeLlm(server, content='{"verdict": "join", "reason": "Asks about tracing."}')
    async with judge_http(llm.base_url, POLICY) as http:
        assert await OpenAiJudge(http, llm.base_url, "m").judge(ASK) == Verdict(True, "Asks about tracing.")
        assert "authorization" not in llm.requests[0].headers  # no key configured, none sent
        # Only the host the config names: another loopback address is refused before any connection.
        with pytest.raises(FetchError, match="refused"):
            await http.post(f"http://127.0.0.2:{server.port}/v1/chat/completions", content=b"{}")
    async with SafeHttp(POLICY) as feeds:  # the client feeds use refuses it
        with pytest.raises(FetchError, match="refused"):
            await feeds.post(llm.base_url + "/chat/completions", content=b"{}")


async def test_the_judge_follows_no_redirect(server: FakeHttpServer) -> None:
    server.route("POST", "/v1/chat/completions", lambda _: Reply(307, b"", {"Location": "http://127.0.0.1:9/x"}))
    async with judge_http(server.url("/v1"), POLICY) as http:
        with pytest.raises(JudgeUnavailable, match="the judge endpoint failed: too many redirects"):
            await OpenAiJudge(http, server.url("/v1"), "m").judge(ASK)


def test_a_bad_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\[judge\] url 'ftp://x.org/v1' must start with http"):
        judge_http("ftp://x.org/v1", POLICY)
