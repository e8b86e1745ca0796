"""Lobsters: the lobsters kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.lobsters.kind import DECLARATION
from earshot.adapters.sources.lobsters.source import LobstersSource
from earshot.adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, lambda http, env: LobstersSource(http))
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "LobstersSource"]
