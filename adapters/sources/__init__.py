"""Feed sources: one module per kind, all fetching through the safe HTTP client."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.http import SafeHttp
from adapters.sources.bluesky import BlueskySource
from adapters.sources.hackernews import HackerNewsSource
from adapters.sources.mastodon import MastodonSource
from adapters.sources.reddit import RedditSource
from adapters.sources.rss import RssSource
from bot.ports import Source

KINDS: tuple[str, ...] = (HackerNewsSource.kind, RssSource.kind)
"""The feed kinds Earshot can poll."""
KINDS += (RedditSource.kind, MastodonSource.kind, BlueskySource.kind)


def build_sources(http: SafeHttp, env: Mapping[str, str] | None = None) -> dict[str, Source]:
    """One source per kind, keyed by kind, sharing ``http``.

    ``env`` is where sources find their credentials (``os.environ`` in the running bot, a dict in tests); a
    source reads only the variables its README section names, and never logs their values.
    """
    env = {} if env is None else env
    sources: list[Source] = [HackerNewsSource(http), RssSource(http)]
    sources += [RedditSource(http, env), MastodonSource(http, env), BlueskySource(http, env)]
    return {source.kind: source for source in sources}


__all__ = ["KINDS", "HackerNewsSource", "RssSource", "build_sources"]
__all__ += ["BlueskySource", "MastodonSource", "RedditSource"]
