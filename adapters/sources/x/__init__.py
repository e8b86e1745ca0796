"""X (Twitter): the x kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.plugin import SourcePlugin
from earshot.adapters.sources.x.kind import DECLARATION
from earshot.adapters.sources.x.source import XSource

PLUGIN = SourcePlugin(DECLARATION, XSource)
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "XSource"]
