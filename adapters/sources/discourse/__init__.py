"""Discourse: the discourse kind's declaration, its source, and the plugin that registers both."""

from adapters.sources.discourse.kind import DECLARATION
from adapters.sources.discourse.source import DiscourseSource
from adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, DiscourseSource)
"""What adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "DiscourseSource"]
