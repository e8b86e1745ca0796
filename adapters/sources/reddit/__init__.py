"""Reddit: the reddit kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.plugin import SourcePlugin
from earshot.adapters.sources.reddit.kind import DECLARATION
from earshot.adapters.sources.reddit.source import RedditSource

PLUGIN = SourcePlugin(DECLARATION, RedditSource)
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "RedditSource"]
