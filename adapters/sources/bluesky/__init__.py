"""Bluesky: the bluesky kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.bluesky.kind import DECLARATION
from earshot.adapters.sources.bluesky.source import BlueskySource
from earshot.adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, BlueskySource)
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "BlueskySource"]
