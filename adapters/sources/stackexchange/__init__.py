"""Stack Exchange: the stackexchange kind's declaration, its source, and the plugin that registers both."""

from adapters.sources.plugin import SourcePlugin
from adapters.sources.stackexchange.kind import DECLARATION
from adapters.sources.stackexchange.source import StackExchangeSource

PLUGIN = SourcePlugin(DECLARATION, StackExchangeSource)
"""What adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "StackExchangeSource"]
