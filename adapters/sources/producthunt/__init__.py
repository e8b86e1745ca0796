"""Product Hunt: the producthunt kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.plugin import SourcePlugin
from earshot.adapters.sources.producthunt.kind import DECLARATION
from earshot.adapters.sources.producthunt.source import ProductHuntSource

PLUGIN = SourcePlugin(DECLARATION, lambda http, env: ProductHuntSource(http, env=env))
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "ProductHuntSource"]
