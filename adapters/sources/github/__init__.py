"""GitHub: the github kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.github.kind import DECLARATION
from earshot.adapters.sources.github.source import GitHubSource
from earshot.adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, GitHubSource)
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "GitHubSource"]
