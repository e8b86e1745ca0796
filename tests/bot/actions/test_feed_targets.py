"""`feeds add KIND TARGET` read alike on the command line and in chat, as each kind declares: every way of naming a
subreddit is one; a place is a URL; anything else is search words."""

from __future__ import annotations

import pytest

from earshot.adapters.sources import declarations
from earshot.adapters.sources.reddit.target import subreddit_of
from earshot.bot.actions.feed_targets import declared, query_kinds
from earshot.bot.actions.feed_targets import feed_target as read_target
from earshot.bot.actions.topics_and_feeds import derive_feed_name
from earshot.bot.errors import ConfigError
from earshot.bot.ports import SourceKind, Target, TargetRule

KINDS = declarations()


def feed_target(kind: str, target: str | None, query: str | None = None) -> Target:
    """The target as the CLI and ChatActions read it: with the registered kinds' declarations."""
    return read_target(kind, target, query, KINDS)


@pytest.mark.parametrize(
    "text",
    [
        "r/rust",
        "/r/rust",
        "/r/rust/",
        "R/rust",
        "rust",
        "https://www.reddit.com/r/rust/",
        "https://old.reddit.com/r/rust/new/",
        "reddit.com/r/rust",
    ],
)
def test_every_way_of_naming_a_subreddit_names_it_once(text: str) -> None:
    assert subreddit_of(text) == "rust"
    target = feed_target("reddit", text)
    assert target.options == {"subreddit": "rust"} and target.query is None
    assert target.means.startswith("reads r/rust's new posts")


def test_a_bare_word_is_a_subreddit_and_says_how_to_search_instead() -> None:
    assert "--query" in feed_target("reddit", "rust").means
    assert "--query" not in feed_target("reddit", "r/rust").means


def test_a_reddit_search_is_said_to_be_one() -> None:
    assert feed_target("reddit", None, "pgvector").means == "searches all of Reddit for 'pgvector'"
    assert feed_target("reddit", "vector database").means == "searches all of Reddit for 'vector database'"
    within = feed_target("reddit", "r/rust", "async")
    assert (within.options, within.query, within.means) == (
        {"subreddit": "rust"},
        "async",
        "searches r/rust for 'async'",
    )


@pytest.mark.parametrize("text", ["r/", "r/a-b", "https://www.reddit.com/user/x", "https://example.com/r/rust"])
def test_what_names_no_subreddit_is_refused_with_the_forms(text: str) -> None:
    with pytest.raises(ConfigError, match="r/SUBREDDIT"):
        feed_target("reddit", text)


def test_a_reddit_feed_needs_a_subreddit_or_a_search() -> None:
    with pytest.raises(ConfigError, match="--query WORDS"):
        feed_target("reddit", None)


@pytest.mark.parametrize(
    ("kind", "target", "url", "query"),
    [
        ("rss", "https://blog.example.com/feed.xml", "https://blog.example.com/feed.xml", None),
        ("discourse", "https://meta.discourse.org", "https://meta.discourse.org", None),
        ("mastodon", "https://fosstodon.org/tags/rust", "https://fosstodon.org/tags/rust", None),
        ("hackernews", "postgres", None, "postgres"),
        ("hackernews", None, None, None),
        ("bluesky", "pgvector", None, "pgvector"),
    ],
)
def test_each_kind_reads_its_target_as_a_place_or_a_search(
    kind: str, target: str | None, url: str | None, query: str | None
) -> None:
    found = feed_target(kind, target)
    assert (found.url, found.query) == (url, query)
    assert found.means


@pytest.mark.parametrize(
    ("urls", "names"),
    [
        (
            ["https://blog.example.com/feed.xml", "https://blog.example.com/releases.xml"],
            ["blog-example-com", "blog-example-com-releases"],
        ),
        (["https://example.com/rss", "https://example.com/atom.xml"], ["example-com", "example-com-2"]),
        (
            ["https://www.example.com/category/postgres/feed/", "https://www.example.com/category/mysql/feed/"],
            ["example-com-category-postgres", "example-com-category-mysql"],
        ),
    ],
)
def test_two_feeds_on_one_host_get_two_default_names(urls: list[str], names: list[str]) -> None:
    taken: set[str] = set()
    for url, name in zip(urls, names, strict=True):
        got = derive_feed_name("rss", url, taken)
        assert got == name
        taken.add(got)


def test_without_declarations_a_target_is_search_words_and_the_kind_its_own_title() -> None:
    found = read_target("gopher", "pgvector")
    assert (found.url, found.query, found.means) == (None, "pgvector", "searches gopher for 'pgvector'")
    assert declared(None, "gopher").target is TargetRule.QUERY
    with pytest.raises(ConfigError, match="--query is for no feeds"):
        read_target("gopher", "a", "b")


def test_query_is_offered_where_a_declaration_says_the_target_is_a_place_or_a_name() -> None:
    kinds = {
        "forum": SourceKind("forum", "Forum", "", TargetRule.URL),
        "town": SourceKind("town", "Town", "", TargetRule.PLACE),
        "board": SourceKind("board", "Board", "", TargetRule.NAME, read_target=lambda t, q: Target(query=q)),
    }
    assert query_kinds(kinds) == ("board", "town")
    with pytest.raises(ConfigError, match="--query is for board and town feeds; a forum feed reads everything"):
        read_target("forum", "https://forum.example", "words", kinds)
    assert read_target("board", "x", "words", kinds) == Target(query="words")
    assert (
        read_target("town", "https://town.example", "w", kinds).means == "reads https://town.example, searching for 'w'"
    )


def test_the_registered_kinds_offer_query_where_they_did() -> None:
    # YouTube reads a channel and may also search for new videos: its --query is those search words.
    assert query_kinds(KINDS) == ("mastodon", "reddit", "youtube")
    with pytest.raises(ConfigError, match="--query is for mastodon, reddit and youtube feeds; give the github search"):
        feed_target("github", "a", "b")
