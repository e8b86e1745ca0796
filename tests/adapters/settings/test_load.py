"""Loading a good config: typed values, defaults, the environment's overrides and references, finding the file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from earshot.adapters.settings import DEFAULT_CONFIG_NAME, ConfigProblems, find_config, load_settings
from earshot.bot.domain import Feed, Topic

from .conftest import Load

EXAMPLE = """
[database]
url = "sqlite+aiosqlite:///earshot.db"

[chat]
platform = "console"
channel = "conversations"

[fetch]
allow_private = ["127.0.0.1", "localhost", "10.0.0.0/8", "::1"]
timeout = "10s"
deadline = "30s"
max_body = "5MB"

[schedule]
jitter = 0.1
max_backoff = "6h"
concurrency = 4
notify_after = 3
lease = "5m"

[delivery]
every = "5s"
batch = 20
lease = "60s"
max_backoff = "1h"

[log]
level = "info"

[[feeds]]
name = "hn"
kind = "hackernews"
every = "2m"
base_url = "https://hn.algolia.com/api/v1"
query = "postgres"
tags = ["story", "comment"]

[[feeds]]
name = "rust-blog"
kind = "rss"
url = "https://blog.rust-lang.org/feed.xml"
every = "15m"
enabled = false

[[topics]]
name = "vector-db"
query = '"vector database" OR pgvector'
channel = "vector-db"

[[topics]]
name = "postgres"
query = "postgres -job"
"""


def test_the_example_loads_into_typed_values(load: Load) -> None:
    settings = load(EXAMPLE)
    assert settings.path == Path("earshot.toml")
    assert settings.database_url == "sqlite+aiosqlite:///earshot.db"
    assert (settings.chat.platform, settings.chat.channel) == ("console", "conversations")
    assert settings.chat.webhook_url is None
    assert settings.chat.webhook_secret is None
    assert settings.fetch.allow_private == ("127.0.0.1", "localhost", "10.0.0.0/8", "::1")
    assert (settings.fetch.timeout, settings.fetch.deadline) == (10.0, 30.0)
    assert settings.fetch.max_body == 5 * 1024 * 1024
    assert settings.fetch.user_agent.startswith("Earshot/")
    assert settings.schedule.jitter == 0.1
    assert settings.schedule.max_backoff == timedelta(hours=6)
    assert (settings.schedule.concurrency, settings.schedule.notify_after) == (4, 3)
    assert settings.schedule.lease == timedelta(minutes=5)
    assert settings.delivery.every == timedelta(seconds=5)
    assert settings.delivery.batch == 20
    assert settings.delivery.lease == timedelta(seconds=60)
    assert settings.delivery.max_backoff == timedelta(hours=1)
    assert settings.log_level == "info"
    assert settings.feeds == (
        Feed(
            name="hn",
            kind="hackernews",
            every=timedelta(minutes=2),
            url="https://hn.algolia.com/api/v1",
            query="postgres",
            options={"tags": ["story", "comment"]},
            origin="config",
        ),
        Feed(
            name="rust-blog",
            kind="rss",
            every=timedelta(minutes=15),
            url="https://blog.rust-lang.org/feed.xml",
            enabled=False,
            origin="config",
        ),
    )
    assert settings.topics == (
        Topic(name="vector-db", query='"vector database" OR pgvector', channel="vector-db", origin="config"),
        Topic(name="postgres", query="postgres -job", channel=None, origin="config"),
    )


def test_a_file_with_one_section_takes_the_defaults_for_the_rest(load: Load) -> None:
    settings = load("[log]\nlevel = 'DEBUG'\n")
    assert settings.log_level == "debug"
    assert settings.database_url == "sqlite+aiosqlite:///earshot.db"
    assert settings.chat.platform == "console"
    assert settings.fetch.max_body == 5 * 1024 * 1024
    assert settings.schedule.concurrency == 4
    assert settings.feeds == ()
    assert settings.topics == ()


def test_a_hackernews_feed_without_tags_or_base_url_has_no_options(load: Load) -> None:
    (feed,) = load('[[feeds]]\nname = "hn"\nkind = "hackernews"\nevery = "30s"\n').feeds
    assert (feed.url, feed.query, feed.options, feed.every) == (None, None, {}, timedelta(seconds=30))


def test_database_urls_are_pointed_at_the_async_drivers(load: Load) -> None:
    assert load('[database]\nurl = "sqlite:///x.db"\n').database_url == "sqlite+aiosqlite:///x.db"
    assert load('[database]\nurl = "postgres://u@h/db"\n').database_url == "postgresql+asyncpg://u@h/db"


def test_the_environment_database_url_overrides_the_file(load: Load) -> None:
    url = "postgresql+asyncpg://earshot:pw@db:5432/earshot"
    assert load(EXAMPLE, {"EARSHOT_DATABASE_URL": url}).database_url == url
    assert load("[log]\n", {"EARSHOT_DATABASE_URL": url}).database_url == url
    assert load(EXAMPLE, {"EARSHOT_DATABASE_URL": ""}).database_url == "sqlite+aiosqlite:///earshot.db"


def test_the_webhook_url_and_secret_come_from_the_environment(load: Load) -> None:
    env = {"EARSHOT_WEBHOOK_URL": "https://hooks.example.com/T1/secret-path", "EARSHOT_WEBHOOK_SECRET": "s3cret"}
    settings = load('[chat]\nplatform = "webhook"\n', env)
    assert settings.chat.webhook_url == "https://hooks.example.com/T1/secret-path"
    assert settings.chat.webhook_secret == "s3cret"
    overridden = load('[chat]\nplatform = "webhook"\nwebhook_url = "https://file.example.com/x"\n', env)
    assert overridden.chat.webhook_url == "https://hooks.example.com/T1/secret-path"


def test_the_ops_server_can_be_turned_on_from_the_environment(load: Load) -> None:
    env = {"EARSHOT_OPS_PORT": "9464", "EARSHOT_OPS_HOST": "0.0.0.0"}  # what the Docker image sets
    assert (load("[log]\n", env).ops.port, load("[log]\n", env).ops.host) == (9464, "0.0.0.0")
    assert load('[ops]\nport = 8000\nhost = "127.0.0.1"\n', env).ops.port == 9464
    assert (load("[log]\n").ops.port, load("[log]\n").ops.host) == (None, "127.0.0.1")
    with pytest.raises(ConfigProblems, match=r"ops\.port \(from EARSHOT_OPS_PORT\) = .*not a whole number"):
        load("[log]\n", {"EARSHOT_OPS_PORT": "healthz"})
    with pytest.raises(ConfigProblems, match=r"ops\.port \(from EARSHOT_OPS_PORT\) = 70000.*out of range"):
        load("[log]\n", {"EARSHOT_OPS_PORT": "70000"})


def test_env_references_are_filled_in_anywhere(load: Load) -> None:
    text = """
[chat]
platform = "webhook"
webhook_url = "${HOOK}"
channel = "${CHANNEL}-alerts"
[[topics]]
name = "t"
query = '${WORD} OR "$${LITERAL}"'  # braces are query syntax (ranges), so the literal is quoted
"""
    settings = load(text, {"HOOK": "http://127.0.0.1:9000/hook", "CHANNEL": "team", "WORD": "postgres"})
    assert settings.chat.webhook_url == "http://127.0.0.1:9000/hook"
    assert settings.chat.channel == "team-alerts"
    assert settings.topics[0].query == 'postgres OR "${LITERAL}"'


def test_a_webhook_url_given_as_a_reference_to_the_standard_variable(load: Load) -> None:
    text = '[chat]\nplatform = "webhook"\nwebhook_url = "${EARSHOT_WEBHOOK_URL}"\n'
    settings = load(text, {"EARSHOT_WEBHOOK_URL": "https://hooks.example.com/abc"})
    assert settings.chat.webhook_url == "https://hooks.example.com/abc"


def test_a_missing_file_is_fine_only_when_the_caller_allows_it(config_dir: Path) -> None:
    settings = load_settings(Path("earshot.toml"), {}, require_file=False)
    assert settings.path == Path("earshot.toml")
    assert settings.feeds == ()
    assert load_settings(None, {"EARSHOT_DATABASE_URL": "sqlite:///y.db"}, require_file=False).database_url == (
        "sqlite+aiosqlite:///y.db"
    )
    with pytest.raises(ConfigProblems) as caught:
        load_settings(Path("earshot.toml"), {})
    assert str(caught.value) == (
        "earshot.toml: not found; run `earshot init` to write a starter file, or pass --config PATH"
    )


def test_an_empty_file_is_fine_only_when_the_caller_allows_it(config_dir: Path) -> None:
    Path("earshot.toml").write_text("# nothing yet\n", encoding="utf-8")
    assert load_settings(Path("earshot.toml"), {}, require_file=False).feeds == ()
    with pytest.raises(ConfigProblems, match=r"^earshot.toml: empty; .*earshot init"):
        load_settings(Path("earshot.toml"), {})


def test_find_config_prefers_the_flag_then_the_environment_then_the_working_directory() -> None:
    env = {"EARSHOT_CONFIG": "/etc/earshot/earshot.toml"}
    assert find_config("custom.toml", env) == Path("custom.toml")
    assert find_config(None, env) == Path("/etc/earshot/earshot.toml")
    assert find_config(None, {}) == Path(DEFAULT_CONFIG_NAME) == Path("earshot.toml")
    assert find_config(None, {"EARSHOT_CONFIG": ""}) == Path("earshot.toml")
    assert find_config("~/e.toml", {}) == Path.home() / "e.toml"


def test_topic_min_score_and_the_team_accounts_load(load: Load) -> None:
    settings = load(
        '[scoring]\nteam_accounts = ["ana", "Ana", "bo"]\n'
        '[[topics]]\nname = "a"\nquery = "x"\nmin_score = 0\n[[topics]]\nname = "b"\nquery = "y"\n'
    )
    assert [(t.name, t.min_score) for t in settings.topics] == [("a", 0), ("b", 50)]
    assert settings.scoring.team_accounts == ("ana", "Ana", "bo")


def test_summaries_are_extractive_unless_an_endpoint_and_model_are_set(load: Load) -> None:
    plain = load("[log]\n").summary
    assert (plain.llm, plain.daily_budget, plain.timeout, plain.replies) == (False, 200, timedelta(seconds=10), 3)
    text = (
        '[summary]\nllm_base_url = "https://llm.example.com/v1"\nmodel = "small-model"\ntimeout = "4s"\n'
        "daily_budget = 50\nreplies = 2\n"
    )
    on = load(text, {"EARSHOT_LLM_API_KEY": "sk-SECRETKEY"}).summary
    assert on.llm and (on.llm_base_url, on.model, on.api_key) == (
        "https://llm.example.com/v1",
        "small-model",
        "sk-SECRETKEY",
    )
    assert (on.timeout, on.daily_budget, on.replies) == (timedelta(seconds=4), 50, 2)
    assert "SECRETKEY" not in repr(on)
    assert load(text).summary.api_key is None


def test_topic_filters_and_the_flood_cap_load(load: Load) -> None:
    settings = load(
        "[delivery]\nmax_per_hour = 10\n"
        '[[topics]]\nname = "pg"\nquery = "postgres"\nlanguages = ["EN", "de", "en"]\n'
        'exclude_authors = ["spammer"]\nexclude_sources = ["reddit", "hn-jobs"]\n'
    )
    assert settings.delivery.max_per_hour == 10
    (topic,) = settings.topics
    assert (topic.languages, topic.exclude_authors, topic.exclude_sources) == (
        ("en", "de"),
        ("spammer",),
        ("reddit", "hn-jobs"),
    )


def test_no_flood_cap_and_no_filters_by_default(load: Load) -> None:
    settings = load('[[topics]]\nname = "pg"\nquery = "postgres"\n')
    assert settings.delivery.max_per_hour == 0
    assert settings.topics[0].languages == settings.topics[0].exclude_sources == ()


@pytest.mark.parametrize(
    ("kind", "target", "expected"),
    [
        ("hackernews", "", timedelta(minutes=2)),
        ("rss", 'url = "https://blog.example.com/feed.xml"', timedelta(minutes=15)),
        ("reddit", 'options = { subreddit = "rust" }', timedelta(minutes=5)),
        ("lobsters", "", timedelta(minutes=10)),
    ],
)
def test_a_feed_without_every_is_polled_at_its_kinds_usual_interval(
    load: Load, kind: str, target: str, expected: timedelta
) -> None:
    # the starter file says a key left out takes its default; every is one of them
    settings = load(f'[[feeds]]\nname = "f"\nkind = "{kind}"\n{target}\n')
    assert settings.feeds[0].every == expected
