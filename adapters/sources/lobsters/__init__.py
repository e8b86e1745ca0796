"""Lobsters: the lobsters kind's declaration, its source, and the plugin that registers both."""

from adapters.sources.lobsters.kind import DECLARATION
from adapters.sources.lobsters.source import LobstersSource
from adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, lambda http, env: LobstersSource(http))
"""What adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "LobstersSource"]
