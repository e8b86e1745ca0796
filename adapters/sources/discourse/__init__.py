"""Discourse: the discourse kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.discourse.kind import DECLARATION
from earshot.adapters.sources.discourse.source import DiscourseSource
from earshot.adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, DiscourseSource)
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "DiscourseSource"]
