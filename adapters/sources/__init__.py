"""Feed sources: one module per kind, all fetching through the safe HTTP client."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.http import SafeHttp
from adapters.sources.discourse import DiscourseSource
from adapters.sources.github import GitHubSource
from adapters.sources.hackernews import HackerNewsSource
from adapters.sources.lobsters import LobstersSource
from adapters.sources.rss import RssSource
from adapters.sources.stackexchange import StackExchangeSource
from bot.ports import Source

KINDS: tuple[str, ...] = (
    HackerNewsSource.kind,
    RssSource.kind,
    StackExchangeSource.kind,
    GitHubSource.kind,
    DiscourseSource.kind,
    LobstersSource.kind,
)
"""The feed kinds Earshot can poll."""

SECRET_ENV: tuple[str, ...] = ("STACKEXCHANGE_KEY", "GITHUB_TOKEN", "DISCOURSE_API_KEY")
"""Environment variables holding source credentials: their values are masked in every log line."""


def build_sources(http: SafeHttp, env: Mapping[str, str] | None = None) -> dict[str, Source]:
    """One source per kind, keyed by kind, sharing ``http``.

    ``env`` is where sources find their credentials (``os.environ`` in the running bot, a dict in tests); a
    source reads only the variables its README section names, and never logs their values.
    """
    env = {} if env is None else env
    sources: list[Source] = [HackerNewsSource(http), RssSource(http)]
    sources += [
        StackExchangeSource(http, env),
        GitHubSource(http, env),
        DiscourseSource(http, env),
        LobstersSource(http),
    ]
    return {source.kind: source for source in sources}


__all__ = [
    "KINDS",
    "SECRET_ENV",
    "DiscourseSource",
    "GitHubSource",
    "HackerNewsSource",
    "LobstersSource",
    "RssSource",
    "StackExchangeSource",
    "build_sources",
]
