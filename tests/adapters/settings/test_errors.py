"""A bad config stops the start with every problem, each naming the key, the value and what would be right."""

from __future__ import annotations

from pathlib import Path

import pytest

from earshot.adapters.settings import ConfigProblems, load_settings
from earshot.bot.errors import ConfigError

from .conftest import Problems

FEEDS = """
[[feeds]]
name = "hn"
kind = "hackernews"
every = "2m"
[[feeds]]
name = "rust-blog"
kind = "rss"
url = "https://blog.rust-lang.org/feed.xml"
every = "{every}"
"""


def test_a_bad_duration_names_the_item_the_value_and_the_format(problems: Problems) -> None:
    assert problems(FEEDS.format(every="2 minutes")) == [
        'earshot.toml: feeds[2] "rust-blog".every = "2 minutes": not a duration; '
        'use a number and a unit, like "90s", "15m", "1h"'
    ]


def test_a_bare_number_for_a_duration_asks_for_a_unit(problems: Problems) -> None:
    assert problems("[fetch]\ntimeout = 10\n") == [
        'earshot.toml: fetch.timeout = 10: not a duration; add a unit in quotes, like "10s" or "10m"'
    ]


def test_too_short_an_interval_says_the_minimum(problems: Problems) -> None:
    assert problems(FEEDS.format(every="10s")) == [
        'earshot.toml: feeds[2] "rust-blog".every = "10s": too short; use at least "30s"'
    ]


def test_an_unknown_key_suggests_the_close_one(problems: Problems) -> None:
    text = '[[feeds]]\nname = "hn"\nkind = "hackernews"\nevery = "2m"\nevry = "3m"\n[chat]\nchanel = "x"\n[feed]\n'
    assert problems(text) == [
        'earshot.toml: feeds[1] "hn".evry: unknown key; did you mean "every"?',
        'earshot.toml: chat.chanel: unknown key; did you mean "channel"?',
        'earshot.toml: feed: unknown key; did you mean "feeds"?',
    ]


def test_an_unknown_key_with_nothing_close_lists_the_known_ones(problems: Problems) -> None:
    assert problems("[log]\ncolour = true\n") == [
        "earshot.toml: log.colour: unknown key; known keys here are level or format"
    ]


def test_a_webhook_platform_without_a_url_says_where_to_put_it(problems: Problems) -> None:
    assert problems('[chat]\nplatform = "webhook"\n') == [
        'earshot.toml: chat.webhook_url: missing; platform "webhook" needs it (or set EARSHOT_WEBHOOK_URL)'
    ]


def test_a_missing_environment_variable_is_named(problems: Problems) -> None:
    text = '[chat]\nplatform = "webhook"\nwebhook_url = "${EARSHOT_WEBHOOK_URL}"\n'
    assert problems(text) == [
        "earshot.toml: chat.webhook_url: environment variable EARSHOT_WEBHOOK_URL is not set; export it before starting"
    ]
    assert problems(text, {"EARSHOT_WEBHOOK_URL": ""}) == [
        "earshot.toml: chat.webhook_url: environment variable EARSHOT_WEBHOOK_URL is empty; "
        "export it with a value before starting"
    ]


def test_telegram_is_not_a_platform(problems: Problems) -> None:
    assert problems('[chat]\nplatform = "telegram"\n') == [
        'earshot.toml: chat.platform = "telegram": not a platform; use console, webhook, slack or discord'
    ]


def test_the_discord_section_is_checked_and_its_token_comes_from_the_environment(problems: Problems) -> None:
    text = '[chat]\nplatform = "discord"\n[discord]\ngateway_url = "http://x"\nfollow_up_after = "5s"\ntoken = "t"\n'
    assert problems(text) == [
        'earshot.toml: discord.gateway_url = "http://x": not a ws(s) URL; use a full ws(s) address, like '
        '"wss://gateway.discord.gg/"',
        'earshot.toml: discord.follow_up_after = "5s": too short; use at least "1m"',
        "earshot.toml: discord.token: unknown key; the bot token comes only from the environment: set DISCORD_TOKEN",
    ]


def test_a_toml_syntax_error_gives_the_line(problems: Problems) -> None:
    text = '[chat]\nplatform = "console"\n\n\n\n\nchannel = \n'
    assert problems(text) == ["earshot.toml: line 7: TOML syntax error: Invalid value (column 11)"]


def test_an_rss_feed_needs_a_url_and_urls_must_be_http(problems: Problems) -> None:
    text = """
[[feeds]]
name = "blog"
kind = "rss"
every = "15m"
[[feeds]]
name = "ftp"
kind = "rss"
every = "15m"
url = "ftp://example.com/feed.xml"
[[feeds]]
name = "nohost"
kind = "rss"
every = "15m"
url = "https:///feed.xml"
"""
    assert problems(text) == [
        'earshot.toml: feeds[1] "blog".url: missing; an rss feed needs its address, like url = "https://…/feed.xml"',
        'earshot.toml: feeds[2] "ftp".url = "ftp://example.com/feed.xml": not an http(s) URL; '
        'use a full http(s) address, like "https://example.com/feed.xml"',
        'earshot.toml: feeds[3] "nohost".url = "https:///feed.xml": has no host; '
        'use a full http(s) address, like "https://example.com/feed.xml"',
    ]


def test_duplicate_names_name_both_positions(problems: Problems) -> None:
    text = FEEDS.format(every="15m") + '[[feeds]]\nname = "hn"\nkind = "hackernews"\nevery = "5m"\n'
    text += '[[topics]]\nname = "t"\nquery = "a"\n[[topics]]\nname = "t"\nquery = "b"\n'
    assert problems(text) == [
        'earshot.toml: feeds[3].name = "hn": duplicate; feeds[1] has the same name, and names must be unique',
        'earshot.toml: topics[2].name = "t": duplicate; topics[1] has the same name, and names must be unique',
    ]


def test_a_bad_topic_query_gives_the_parser_position_and_reason(problems: Problems) -> None:
    text = '[[topics]]\nname = "vector-db"\nquery = \'"vector database OR pgvector\'\n'
    assert problems(text) == [
        'earshot.toml: topics[1] "vector-db".query = \'"vector database OR pgvector\': '
        'bad query at position 1: this phrase has no closing quote (")'
    ]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("(" * 300 + "rust" + ")" * 300, "bad query at position 33: nested more than 32 levels deep"),
        ("rust^.", "bad query at position 5: boosts (^) are not supported"),
        ('"rust lang"~.', "bad query at position 12: proximity search"),
        ("rust !job", "bad query at position 6: '!' is not supported; write NOT or -"),
    ],
)
def test_a_topic_query_that_once_crashed_the_parser_is_a_config_problem(
    problems: Problems, query: str, reason: str
) -> None:
    [line] = problems(f"[[topics]]\nname = \"t\"\nquery = '{query}'\n")
    assert line.startswith('earshot.toml: topics[1] "t".query = ') and reason in line


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[[feeds]]\nname = "a b"\nkind = "rss"\nevery = "1m"\nurl = "https://x.org/f"\n', 'feeds[1].name = "a b": '),
        ('[[feeds]]\nname = "hn"\nkind = "hn"\nevery = "1m"\n', 'feeds[1] "hn".kind = "hn": not a feed kind'),
        ('[[feeds]]\nname = "hn"\nkind = "hackernews"\nevery = ""\n', 'feeds[1] "hn".every = "": not a duration'),
        ('[[feeds]]\nkind = "hackernews"\nevery = "1m"\n', "feeds[1].name: missing; every feed needs"),
        ('[[feeds]]\nname = "h"\nkind = "hackernews"\nevery = "1m"\ntags = ["storys"]\n', '.tags[1] = "storys"'),
        (
            '[[feeds]]\nname = "h"\nkind = "hackernews"\nevery = "1m"\nurl = "https://x.org"\n',
            '"h".url: a hackernews feed takes',
        ),
        (
            '[[feeds]]\nname = "r"\nkind = "rss"\nevery = "1m"\nurl = "https://x.org"\ntags = []\n',
            '"r".tags = []: only for',
        ),
        ('[[topics]]\nname = "t"\n', 'topics[1] "t".query: missing; say what to look for'),
        ('[[topics]]\nname = "t"\nquery = "NOT spam"\n', "only excludes words"),
        ("[fetch]\nallow_private = ['10.0.0.1/8']\n", 'allow_private[1] = "10.0.0.1/8": has host bits set; did you'),
        ("[fetch]\nallow_private = ['http://x']\n", 'allow_private[1] = "http://x": not a host; use a hostname'),
        ("[fetch]\nallow_private = ['-bad-']\n", 'allow_private[1] = "-bad-": not a host'),
        ("[fetch]\nallow_private = '127.0.0.1'\n", 'fetch.allow_private = "127.0.0.1": not a list'),
        ('[fetch]\nmax_body = "5 potatoes"\n', 'max_body = "5 potatoes": not a size; use a number and a unit'),
        ('[fetch]\nmax_body = "5GB"\n', 'max_body = "5GB": out of range; use from "1KB" to "1GB"'),
        ('[fetch]\ntimeout = "20s"\ndeadline = "5s"\n', 'deadline = "5s": shorter than fetch.timeout ("20s")'),
        ("[schedule]\njitter = 0.9\n", "schedule.jitter = 0.9: out of range; use a number from 0.0 to 0.5"),
        ('[schedule]\nconcurrency = "4"\n', 'concurrency = "4": not a whole number; use one from 1 to 32, without'),
        ("[schedule]\nconcurrency = 64\n", "concurrency = 64: out of range; use a whole number from 1 to 32"),
        ("[delivery]\nbatch = true\n", "delivery.batch = true: not a whole number"),
        ('[log]\nlevel = "warn"\n', 'log.level = "warn": not a log level; use debug, info, warning or error'),
        ('[log]\nlevel = "eror"\n', '(did you mean "error"?)'),
        ('[database]\nurl = "mysql://x/y"\n', 'database.url = "mysql://x/y": "mysql" is not supported'),
        ('chat = "console"\n', 'chat = "console": not a table; write it as a [chat] section'),
        ('feeds = "hn"\n', 'feeds = "hn": not a list of tables; write each one as a [[feeds]] section'),
        ("[[topics]]\nname = 't'\nquery = 'x'\nenabled = 'yes'\n", 'enabled = "yes": not true or false'),
        ("[[topics]]\nname = 't'\nquery = 'x'\nmin_score = 101\n", "min_score = 101: out of range; use a whole"),
        ("[[topics]]\nname = 't'\nquery = 'x'\nmin_score = '50'\n", 'min_score = "50": not a whole number'),
        ("[scoring]\nteam_accounts = 'ana'\n", 'scoring.team_accounts = "ana": not a list'),
        ('[summary]\nllm_base_url = "https://x.org/v1"\n', "summary.model: missing; llm_base_url needs a model"),
        ('[summary]\nmodel = "m"\n', "summary.llm_base_url: missing; model needs the endpoint to ask"),
        ('[summary]\nllm_base_url = "x.org"\nmodel = "m"\n', 'summary.llm_base_url = "x.org": '),
        ('[summary]\ntimeout = "10m"\n', 'summary.timeout = "10m": '),
        ("[summary]\ndaily_budget = -1\n", "summary.daily_budget = -1: out of range"),
        ('[summary]\napi_key = "k"\n', "the API key comes only from the environment: set EARSHOT_LLM_API_KEY"),
    ],
)
def test_each_bad_value_is_named_with_a_hint(problems: Problems, text: str, line: str) -> None:
    found = problems(text)
    assert len(found) == 1, found
    assert found[0].startswith("earshot.toml: ")
    assert line in found[0]


def test_a_default_deadline_shorter_than_the_timeout_is_explained(problems: Problems) -> None:
    assert problems('[fetch]\ntimeout = "60s"\n') == [
        'earshot.toml: fetch.deadline: missing, and the default "30s" is shorter than fetch.timeout ("60s"); '
        "make it at least as long"
    ]


def test_every_problem_is_reported_at_once_in_file_order(problems: Problems) -> None:
    text = """
[chat]
platform = "webhook"
[fetch]
timeout = "ten seconds"
[[feeds]]
name = "hn"
kind = "hackernews"
evry = "2m"
[[feeds]]
name = "rust-blog"
kind = "rss"
every = "2 minutes"
[[topics]]
name = "t"
query = "${MISSING_WORD}"
"""
    assert problems(text) == [
        'earshot.toml: chat.webhook_url: missing; platform "webhook" needs it (or set EARSHOT_WEBHOOK_URL)',
        'earshot.toml: fetch.timeout = "ten seconds": not a duration; use a number and a unit, like "90s", "15m", "1h"',
        'earshot.toml: feeds[1] "hn".evry: unknown key; did you mean "every"?',
        'earshot.toml: feeds[2] "rust-blog".every = "2 minutes": not a duration; '
        'use a number and a unit, like "90s", "15m", "1h"',
        'earshot.toml: feeds[2] "rust-blog".url: missing; an rss feed needs its address, like url = "https://…/feed.xml"',
        'earshot.toml: topics[1] "t".query: environment variable MISSING_WORD is not set; export it before starting',
    ]


def test_a_bad_value_from_the_environment_says_where_it_came_from(problems: Problems) -> None:
    assert problems("[log]\n", {"EARSHOT_DATABASE_URL": "mysql://u:hunter2@h/db"}) == [
        'earshot.toml: database.url (from EARSHOT_DATABASE_URL) = "mysql://u:***@h/db": "mysql" is not supported; '
        'Earshot runs on SQLite or PostgreSQL: use "sqlite+aiosqlite:///earshot.db" or '
        '"postgresql+asyncpg://user:password@host/earshot"'
    ]


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ('[chat]\nplatform = "webhook"\nwebhook_url = "hooks.example.com/T0/B0/SECRETTOKEN"\n', {}),
        ('[chat]\nplatform = "webhook"\nwebhook_url = "ftp://hooks.example.com/SECRETTOKEN?k=SECRETTOKEN"\n', {}),
        ('[chat]\nplatform = "webhook"\nwebhook_url = ["https://hooks.example.com/SECRETTOKEN"]\n', {}),
        ('[chat]\nplatform = "webhook"\nwebhook_url = "${HOOK}"\n', {"HOOK": "nope://x/SECRETTOKEN"}),
        ('[chat]\nplatform = "webhook"\n', {"EARSHOT_WEBHOOK_URL": "hooks.example.com/SECRETTOKEN"}),
        ('[chat]\nwebhook_secret = "SECRETTOKEN"\nplatform = "webhook"\n', {"EARSHOT_WEBHOOK_SECRET": "SECRETTOKEN"}),
        ('[database]\nurl = "oracle://me:SECRETTOKEN@db/x"\n', {}),
        ('[database]\nurl = "oracle://me:SECRETTOKEN@db/x"\npassword = "SECRETTOKEN"\n', {}),
        ("[log]\n", {"EARSHOT_DATABASE_URL": "postgresql+pg8000://me:SECRETTOKEN@db/x?sslpassword=SECRETTOKEN"}),
        ('[[feeds]]\nname = "a"\nkind = "rss"\nevery = "1m"\nurl = "ftp://u:SECRETTOKEN@x.org/?key=SECRETTOKEN"\n', {}),
        ('[[feeds]]\nname = "a"\nkind = "rss"\nevery = "1m"\nurl = "${FEED}"\n', {"FEED": "gopher://SECRETTOKEN"}),
    ],
)
def test_no_error_message_echoes_a_secret(problems: Problems, text: str, env: dict[str, str]) -> None:
    found = problems(text, env)
    assert found
    assert not any("SECRETTOKEN" in line for line in found), found


def test_config_problems_are_config_errors(config_dir: Path) -> None:
    Path("earshot.toml").write_text("[log]\nlevel = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(Path("earshot.toml"), {})


def test_a_directory_or_unreadable_file_is_reported(config_dir: Path) -> None:
    with pytest.raises(ConfigProblems, match=r"^\.: is a directory; pass the path of the config file$"):
        load_settings(Path("."), {})
    Path("earshot.toml").write_bytes(b"[log]\nlevel = '\xff'\n")
    with pytest.raises(ConfigProblems, match=r"^earshot.toml: not UTF-8 text; save it as UTF-8$"):
        load_settings(Path("earshot.toml"), {})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '[[topics]]\nname = "pg"\nquery = "pg"\nlanguages = ["english"]\n',
            'earshot.toml: topics[1] "pg".languages[1] = "english": not a two-letter ISO 639-1 language code; '
            'use one like "en", "de" or "fr"',
        ),
        (
            "[delivery]\nmax_per_hour = -1\n",
            "earshot.toml: delivery.max_per_hour = -1: out of range; use a whole number from 0 to 10000",
        ),
        (
            '[delivery]\nmax_per_hour = "10"\n',
            'earshot.toml: delivery.max_per_hour = "10": not a whole number; use one from 0 to 10000, without quotes',
        ),
    ],
)
def test_bad_filters_and_flood_caps_say_what_would_be_right(problems: Problems, text: str, problem: str) -> None:
    assert problems(text) == [problem]
