"""Mastodon: the mastodon kind's declaration, its source, and the plugin that registers both."""

from earshot.adapters.sources.mastodon.kind import DECLARATION
from earshot.adapters.sources.mastodon.source import MastodonSource
from earshot.adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, MastodonSource)
"""What earshot.adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "MastodonSource"]
