"""Stack Exchange: the stackexchange kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.plugin import SourcePlugin
from earshot.adapters.sources.stackexchange.kind import DECLARATION
from earshot.adapters.sources.stackexchange.source import StackExchangeSource

PLUGIN = SourcePlugin(DECLARATION, StackExchangeSource)
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "StackExchangeSource"]
