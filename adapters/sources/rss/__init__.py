"""RSS and Atom: the rss kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.plugin import SourcePlugin
from earshot.adapters.sources.rss.kind import DECLARATION
from earshot.adapters.sources.rss.source import RssSource

PLUGIN = SourcePlugin(DECLARATION, lambda http, env: RssSource(http))
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "RssSource"]
