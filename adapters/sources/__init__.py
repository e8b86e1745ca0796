"""Feed sources: one folder per kind (its declaration, its source, and the modules only it uses), all fetching
through the safe HTTP client; shared helpers (cursor, items, api, limits, text, feed_reader) sit beside them.
``registry`` lists the kinds, built in and from plugins."""

from __future__ import annotations

from typing import Any

from earshot.adapters.sources.bluesky import BlueskySource
from earshot.adapters.sources.discourse import DiscourseSource
from earshot.adapters.sources.github import GitHubSource
from earshot.adapters.sources.hackernews import HackerNewsSource
from earshot.adapters.sources.lobsters import LobstersSource
from earshot.adapters.sources.mastodon import MastodonSource
from earshot.adapters.sources.reddit import RedditSource
from earshot.adapters.sources.registry import build_sources, declarations, kinds, secret_env
from earshot.adapters.sources.rss import RssSource
from earshot.adapters.sources.stackexchange import StackExchangeSource


def __getattr__(name: str) -> Any:
    """``KINDS`` and ``SECRET_ENV``, read from the registry when first asked for (plugins are looked up then)."""
    if name == "KINDS":
        return kinds()
    if name == "SECRET_ENV":
        return secret_env()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BlueskySource",
    "DiscourseSource",
    "GitHubSource",
    "HackerNewsSource",
    "LobstersSource",
    "MastodonSource",
    "RedditSource",
    "RssSource",
    "StackExchangeSource",
    "build_sources",
    "declarations",
    "kinds",
    "secret_env",
]
