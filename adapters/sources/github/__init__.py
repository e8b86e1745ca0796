"""GitHub: the github kind's declaration, its source, and the plugin that registers both."""

from adapters.sources.github.kind import DECLARATION
from adapters.sources.github.source import GitHubSource
from adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, GitHubSource)
"""What adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "GitHubSource"]
