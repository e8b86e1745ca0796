"""Hacker News: the hackernews kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.hackernews.kind import DECLARATION
from earshot.adapters.sources.hackernews.source import HackerNewsSource
from earshot.adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, lambda http, env: HackerNewsSource(http))
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "HackerNewsSource"]
