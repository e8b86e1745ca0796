"""Mastodon: the mastodon kind's declaration, its source, and the plugin that registers both."""

from adapters.sources.mastodon.kind import DECLARATION
from adapters.sources.mastodon.source import MastodonSource
from adapters.sources.plugin import SourcePlugin

PLUGIN = SourcePlugin(DECLARATION, MastodonSource)
"""What adapters.sources.registry lists for this kind."""

__all__ = ["DECLARATION", "PLUGIN", "MastodonSource"]
