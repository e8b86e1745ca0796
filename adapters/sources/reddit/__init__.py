"""Reddit: the reddit kind's declaration, its source, and the plugin that registers both."""

from adapters.sources.plugin import SourcePlugin
from adapters.sources.reddit.kind import DECLARATION
from adapters.sources.reddit.source import RedditSource

PLUGIN = SourcePlugin(DECLARATION, RedditSource)
"""What adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "RedditSource"]
