"""Feed sources: one module per kind, all fetching through the safe HTTP client."""

from __future__ import annotations

from adapters.http import SafeHttp
from adapters.sources.hackernews import HackerNewsSource
from adapters.sources.rss import RssSource
from bot.ports import Source

KINDS: tuple[str, ...] = (HackerNewsSource.kind, RssSource.kind)
"""The feed kinds Earshot can poll."""


def build_sources(http: SafeHttp) -> dict[str, Source]:
    """One source per kind, keyed by kind, sharing ``http``."""
    sources: list[Source] = [HackerNewsSource(http), RssSource(http)]
    return {source.kind: source for source in sources}


__all__ = ["KINDS", "HackerNewsSource", "RssSource", "build_sources"]
