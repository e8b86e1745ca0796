"""Stack Exchange, GitHub, Discourse and Lobsters feeds in the config file: where the address goes, options."""

from __future__ import annotations

from .conftest import Load, Problems

FEEDS = """
[[feeds]]
name = "so"
kind = "stackexchange"
every = "10m"
query = "pgvector"
options = { site = "dba", tagged = ["postgresql"] }

[[feeds]]
name = "gh"
kind = "github"
every = "5m"
base_url = "https://github.example.com/api/v3"
query = "repo:octo/widgets label:bug"
options = { discussions = true }

[[feeds]]
name = "forum"
kind = "discourse"
every = "10m"
url = "https://meta.discourse.org"
options = { category = "dev/7" }

[[feeds]]
name = "lobsters"
kind = "lobsters"
every = "10m"
options = { tags = ["rust"] }
"""


def test_the_new_kinds_load_with_their_options(load: Load) -> None:
    so, gh, forum, lobsters = load(FEEDS).feeds
    assert (so.kind, so.url, so.query, so.options) == (
        "stackexchange",
        None,
        "pgvector",
        {"site": "dba", "tagged": ["postgresql"]},
    )
    assert (gh.url, gh.query, gh.options) == (
        "https://github.example.com/api/v3",
        "repo:octo/widgets label:bug",
        {"discussions": True},
    )
    assert (forum.url, forum.options) == ("https://meta.discourse.org", {"category": "dev/7"})
    assert (lobsters.url, lobsters.options) == (None, {"tags": ["rust"]})


def test_misplaced_addresses_and_tags_are_explained(problems: Problems) -> None:
    text = """
[[feeds]]
name = "forum"
kind = "discourse"
every = "10m"
base_url = "https://meta.discourse.org"
[[feeds]]
name = "so"
kind = "stackexchange"
every = "10m"
url = "https://api.stackexchange.com/2.3"
[[feeds]]
name = "lobsters"
kind = "lobsters"
every = "10m"
tags = ["story"]
"""
    assert problems(text) == [
        'earshot.toml: feeds[1] "forum".url: missing; a discourse feed needs the forum\'s address, '
        'like url = "https://meta.discourse.org"',
        'earshot.toml: feeds[1] "forum".base_url: a discourse feed takes the forum\'s address as url, '
        'like "https://meta.discourse.org"',
        'earshot.toml: feeds[2] "so".url: a stackexchange feed takes base_url (an API override), not url',
        'earshot.toml: feeds[3] "lobsters".tags: only for hackernews feeds; '
        'a lobsters feed takes its settings in options, like options = { tags = ["rust"] }',
    ]


def test_an_option_value_must_be_text_a_number_a_flag_or_a_list(problems: Problems) -> None:
    text = '[[feeds]]\nname = "so"\nkind = "stackexchange"\nevery = "10m"\noptions = { site = { a = 1 } }\n'
    (line,) = problems(text)
    assert line.startswith('earshot.toml: feeds[1] "so".options = ')
    assert line.endswith(
        "option site must be text, a number, true/false or a list of those; "
        'write a table, like options = { subreddit = "rust" }'
    )


def test_an_option_of_another_type_than_its_kind_declares_is_refused(problems: Problems) -> None:
    text = (
        '[[feeds]]\nname = "gh"\nkind = "github"\nevery = "5m"\noptions = { discussions = 1 }\n'
        '[[feeds]]\nname = "so"\nkind = "stackexchange"\nevery = "10m"\noptions = { site = ["a"], tagged = 3 }\n'
        '[[feeds]]\nname = "ok"\nkind = "github"\nevery = "5m"\noptions = { discussions = true }\n'
    )
    assert problems(text) == [
        'earshot.toml: feeds[1] "gh".options.discussions = 1: a github feed takes true or false here, '
        "like discussions = false",
        'earshot.toml: feeds[2] "so".options.site = ["a"]: a stackexchange feed takes text here, '
        'like site = "stackoverflow"',
        'earshot.toml: feeds[2] "so".options.tagged = 3: a stackexchange feed takes list of text here',
    ]
