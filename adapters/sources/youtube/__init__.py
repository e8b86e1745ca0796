"""YouTube: the youtube kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.plugin import SourcePlugin
from earshot.adapters.sources.youtube.kind import DECLARATION
from earshot.adapters.sources.youtube.source import YouTubeSource

PLUGIN = SourcePlugin(DECLARATION, YouTubeSource)
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "YouTubeSource"]
