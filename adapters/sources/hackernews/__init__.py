"""Hacker News: the hackernews kind's declaration, its source, and the plugin that registers both."""

from adapters.sources.hackernews.kind import DECLARATION
from adapters.sources.hackernews.source import HackerNewsSource
from adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, lambda http, env: HackerNewsSource(http))
"""What adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "HackerNewsSource"]
