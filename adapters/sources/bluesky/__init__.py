"""Bluesky: the bluesky kind's declaration, its source, and the plugin that registers both."""

from adapters.sources.bluesky.kind import DECLARATION
from adapters.sources.bluesky.source import BlueskySource
from adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, BlueskySource)
"""What adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "BlueskySource"]
