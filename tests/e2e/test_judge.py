"""End to end: `earshot run --once` with [judge] on, against a local server speaking the chat-completions API."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.e2e.conftest import Earshot
from tests.e2e.test_run_once import config
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.llm import FakeLlm
from tests.fakes.webhook import WebhookReceiver

# What the judge decides and the webhook carries: the same on any database (the budget's statement is in the
# storage contract, run on both).
pytestmark = pytest.mark.any_database

KEY = "sk-e2e-5d1c0ffee2b4a6b8"


def verdict(body: dict[str, Any]) -> str:
    """Skip the pet, join the rest, as a model told the topic's meaning would."""
    post = body["messages"][1]["content"]
    if "my cat" in post:
        return '{"verdict": "skip", "reason": "About a cat named Postgres, not the database."}'
    return '```json\n{"verdict": "join", "reason": "Asks which database to pick for a side project."}\n```'


def test_the_judge_holds_a_skip_with_its_reason_and_posts_a_join_with_its_reason(
    earshot: Earshot,
    algolia: FakeAlgolia,
    server: FakeHttpServer,
    hook: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUDGE_KEY", KEY)  # the variable [judge] api_key_env names
    llm = FakeLlm(server, answer=verdict)
    judge = f"""
        [judge]
        enabled = true
        url = "{llm.base_url}"
        model = "judge-model"
        api_key_env = "JUDGE_KEY"
        min_score = 40
        """
    earshot.write_config(config(algolia, [], hook, extra=judge, min_score=30))
    earshot.upgrade()
    assert earshot("run", "--once").returncode == 0  # the first poll seeds; the judge is not asked
    assert llm.requests == []

    t = int(time.time())
    algolia.hits += [
        algolia_hit(9301, t - 300, title="Ask HN: Postgres or SQLite for a side project?", points=4, num_comments=2),
        algolia_hit(9302, t - 200, title="Ask HN: How do I stop my cat Postgres from eating cables?", points=3),
    ]
    done = earshot("run", "--once")

    assert done.returncode == 0, done.stderr
    [alert] = [a for a in hook.alerts() if a["topic"] == "databases"]
    assert alert["title"] == "Ask HN: Postgres or SQLite for a side project?"
    assert alert["reasons"][0] == "LLM: Asks which database to pick for a side project."
    assert len(llm.requests) == 2
    for request in llm.requests:
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert json.loads(request.body)["model"] == "judge-model"
    assert KEY not in done.stdout + done.stderr

    held = earshot("explain", "https://news.ycombinator.com/item?id=9302")
    assert held.returncode == 0, held.stderr
    assert "LLM says skip: About a cat named Postgres, not the database." in held.stdout
