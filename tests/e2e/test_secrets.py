"""Secrets never reach the output: every command's stdout and stderr, in text and JSON logs, debug level included.

Configured secrets: the webhook URL (its path and query are tokens), the webhook signing secret, a database
password, a feed URL token, and source credentials in the environment (Reddit, GitHub, an LLM key, which the LLM
judge sends and its endpoint refuses). The session
polls, alerts, fails deliveries and feeds (error messages name URLs), retries, and reports.
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest

from tests.e2e.conftest import DEADLINE, Earshot
from tests.e2e.test_run_once import now
from tests.fakes.algolia import FakeAlgolia, algolia_hit
from tests.fakes.http_server import FakeHttpServer, Reply, Request
from tests.fakes.llm import FakeLlm
from tests.fakes.webhook import WebhookReceiver

# What these check (the CLI's words, parsing, secrets) is the same on any database: CI runs them on SQLite only.
pytestmark = pytest.mark.any_database

HOOK_TOKEN = "hooktok-7f3a9c1e5b"
HOOK_QUERY = "hookq-2d8e4f6a0c"
SIGNING = "signing-secret-5e1b7d3f"
DB_PASSWORD = "dbpass-9a7c5e3b1d"
FEED_TOKEN = "feedtok-4c2a8e6f0b"
ENVIRONMENT = {
    "REDDIT_CLIENT_SECRET": "reddit-secret-1f3e5d7c9b",
    "GITHUB_TOKEN": "ghp_secret0123456789abcdef",
    "OPENAI_API_KEY": "sk-secret-0a1b2c3d4e5f",
    "ANTHROPIC_API_KEY": "sk-ant-secret-6f5e4d3c",
    "BLUESKY_APP_PASSWORD": "bsky-secret-abcd-efgh",
}
SECRETS = [HOOK_TOKEN, HOOK_QUERY, SIGNING, DB_PASSWORD, FEED_TOKEN, *ENVIRONMENT.values()]


def run(earshot: Earshot, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        earshot.command(*args),
        cwd=earshot.workdir,
        env={**earshot.env(), **env},
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )


def config(algolia: FakeAlgolia, server: FakeHttpServer, log_format: str) -> str:
    return f"""
[chat]
platform = "webhook"
channel = "general"
webhook_url = "${{EARSHOT_WEBHOOK_URL}}"

[fetch]
allow_private = ["127.0.0.1"]
timeout = "1s"
deadline = "3s"

[delivery]
max_backoff = "1s"

[judge]
enabled = true
url = "{server.url("/v1")}"
model = "judge-model"
api_key_env = "OPENAI_API_KEY"
min_score = 0

[log]
format = "{log_format}"

[[feeds]]
name = "hn"
kind = "hackernews"
every = "2m"
base_url = "{algolia.base_url}"

[[feeds]]
name = "private-blog"
kind = "rss"
every = "15m"
url = "{server.url("/private.xml")}?token={FEED_TOKEN}"

[[topics]]
name = "databases"
query = "postgres"
min_score = 0
"""


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_secret_appears_in_any_output(
    earshot: Earshot, server: FakeHttpServer, algolia: FakeAlgolia, log_format: str
) -> None:
    hook = WebhookReceiver(server, path=f"/hook/{HOOK_TOKEN}")
    webhook_url = f"{hook.url}?key={HOOK_QUERY}"
    server.route("GET", "/private.xml", lambda r: Reply(500, f"bad token {r.param('token')}", {}))
    env = {"EARSHOT_WEBHOOK_URL": webhook_url, "EARSHOT_WEBHOOK_SECRET": SIGNING, **ENVIRONMENT}
    # The LLM judge refuses the key and quotes part of it back, as the real API does.
    key = ENVIRONMENT["OPENAI_API_KEY"]
    judge = FakeLlm(server, status=401, error_message=f"Incorrect API key provided: {key[:6]}****{key[-4:]}.")
    earshot.write_config(config(algolia, server, log_format))
    outputs: list[str] = []

    def session(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        done = run(earshot, {**env, **(extra or {})}, *args)
        outputs.append(f"$ earshot {' '.join(args)}\n{done.stdout}\n{done.stderr}")
        return done

    assert session("db", "upgrade").returncode == 0
    assert session("check-config").returncode == 0
    algolia.hits.append(algolia_hit(1, now() - 100, title="Seed", points=1))
    assert session("-v", "run", "--once").returncode == 0
    algolia.hits.append(algolia_hit(2, now() - 10, title="Postgres in production", points=3))

    failures = iter([Reply(500, f"upstream said {webhook_url}"), Reply(429, b"slow", {"Retry-After": "1"})])

    def flaky(request: Request, payload: dict[str, Any]) -> Reply | None:
        return next(failures, None)

    hook.script = flaky
    for _ in range(3):
        assert session("-v", "run", "--once").returncode == 0
        if hook.alerts():
            break
        time.sleep(1.2)
    assert len(hook.alerts()) == 1
    assert hook.received[-1].headers["x-earshot-signature"].startswith("sha256=")
    reports = [("status",), ("status", "--json"), ("feeds", "list"), ("feeds", "test", "private-blog")]
    for args in reports if log_format == "text" else reports[:1]:
        session("-v", *args)
    session("db", "current")
    # A database with a password that cannot be reached: each command says so, without the password.
    unreachable = {"EARSHOT_DATABASE_URL": f"postgresql+asyncpg://earshot:{DB_PASSWORD}@127.0.0.1:9/earshot"}
    failing = [("-v", "run", "--once"), ("check-config",), ("status",), ("db", "current")]
    for args in failing if log_format == "text" else failing[:1]:
        done = session(*args, extra=unreachable)
        if args != ("check-config",):
            assert done.returncode == 1, done.stderr

    everything = "\n".join(outputs)
    assert "Traceback" not in everything
    assert "cannot reach the database" in everything
    assert "HTTP 500" in everything  # the failures were reported, with the URLs masked
    assert judge.requests and "judge: no verdict" in everything and "answered HTTP 401" in everything
    assert key[-4:] not in everything
    leaked = [secret for secret in SECRETS if secret in everything]
    assert leaked == [], f"secrets in the output: {leaked}\n{everything[-5000:]}"
