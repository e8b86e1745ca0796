"""Reddit, Mastodon and Bluesky feeds in the config file: the options table, the URL keys, the cross checks."""

from __future__ import annotations

import pytest

from .conftest import Load, Problems

FEEDS = """
[[feeds]]
name = "r-rust"
kind = "reddit"
every = "5m"
options = { subreddit = "rust", include = ["posts", "comments"] }

[[feeds]]
name = "toots"
kind = "mastodon"
every = "5m"
url = "https://fosstodon.org/tags/rust"

[[feeds]]
name = "find"
kind = "mastodon"
every = "5m"
url = "https://fosstodon.org"
query = "pgvector"
[feeds.options]
token_env = "FOSSTODON_TOKEN"

[[feeds]]
name = "sky"
kind = "bluesky"
every = "5m"
query = "pgvector"
base_url = "https://bsky.example"
options = { lang = "en" }
"""


def test_the_new_kinds_load_with_their_options(load: Load) -> None:
    reddit, toots, find, sky = load(FEEDS).feeds
    assert (reddit.kind, reddit.url, reddit.options) == (
        "reddit",
        None,
        {"subreddit": "rust", "include": ["posts", "comments"]},
    )
    assert (toots.kind, toots.url, toots.query, toots.options) == (
        "mastodon",
        "https://fosstodon.org/tags/rust",
        None,
        {},
    )
    assert (find.url, find.query, find.options) == (
        "https://fosstodon.org",
        "pgvector",
        {"token_env": "FOSSTODON_TOKEN"},
    )
    assert (sky.kind, sky.url, sky.query, sky.options) == (
        "bluesky",
        "https://bsky.example",
        "pgvector",
        {"lang": "en"},
    )


def test_misplaced_keys_are_refused_with_what_to_write(problems: Problems) -> None:
    text = """
[[feeds]]
name = "r"
kind = "reddit"
every = "5m"
url = "https://oauth.reddit.com"
tags = ["story"]
options = { subreddit = "rust" }

[[feeds]]
name = "m"
kind = "mastodon"
every = "5m"
base_url = "https://fosstodon.org"
"""
    assert problems(text) == [
        'earshot.toml: feeds[1] "r".url: a reddit feed takes base_url (an API override), not url',
        'earshot.toml: feeds[1] "r".tags = ["story"]: only for hackernews feeds; leave it out',
        'earshot.toml: feeds[2] "m".url: missing; a mastodon feed needs its instance, like url = "https://fosstodon.org"',
        'earshot.toml: feeds[2] "m".base_url: a mastodon feed takes its instance as url, like "https://fosstodon.org"',
    ]


def test_options_must_be_a_table_of_simple_values(problems: Problems) -> None:
    base = '[[feeds]]\nname = "r"\nkind = "reddit"\nevery = "5m"\n'
    assert problems(base + 'options = "rust"\n') == [
        'earshot.toml: feeds[1] "r".options = "rust": not a table; write a table, like options = { subreddit = "rust" }'
    ]
    nested = problems(base + "options = { subreddit = { name = 'rust' } }\n")
    assert len(nested) == 1 and "option subreddit must be text, a number, true/false or a list of those" in nested[0]


def test_source_credentials_are_masked_in_logs(load: Load, monkeypatch: pytest.MonkeyPatch) -> None:
    from earshot.adapters.cli.commands import secrets_of

    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "reddit-secret-value")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    monkeypatch.setenv("FOSSTODON_TOKEN", "foss-token-value")
    monkeypatch.delenv("MASTODON_TOKEN", raising=False)
    found = secrets_of(load(FEEDS))
    assert {"reddit-secret-value", "abcd-efgh-ijkl-mnop", "foss-token-value"} <= set(found)
