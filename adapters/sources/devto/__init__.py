"""Dev.to (and any Forem): the devto kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.devto.kind import DECLARATION
from earshot.adapters.sources.devto.source import DevtoSource
from earshot.adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, lambda http, env: DevtoSource(http, env=env))
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "DevtoSource"]
