"""`/earshot feed add` (the chat words, through the registered declarations) for the x and youtube kinds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from earshot.adapters.sources.registry import declarations, secret_env
from earshot.bot.actions.chat_actions import feed_from_target
from earshot.bot.errors import ConfigError

CHANNEL = "UC_x5XG1OV2P6uZZ5FSM9Ttw"


def test_chat_feed_add_x_is_a_search() -> None:
    feed = feed_from_target("x", '"acme widgets" -is:retweet', None, "x-acme", declarations())
    assert (feed.kind, feed.query, feed.every) == ("x", '"acme widgets" -is:retweet', timedelta(minutes=30))


def test_chat_feed_add_youtube_takes_a_channel_or_search_words() -> None:
    channel = feed_from_target("youtube", CHANNEL, "1h", "yt", declarations())
    assert (channel.options, channel.query, channel.every) == ({"channel": CHANNEL}, None, timedelta(hours=1))
    search = feed_from_target("youtube", "acme widgets", None, "yt2", declarations())
    assert (search.options, search.query) == ({"search_videos": True}, "acme widgets")
    with pytest.raises(ConfigError, match="not a channel address"):
        feed_from_target("youtube", "https://www.youtube.com/@acme", None, "yt3", declarations())


def test_credentials_are_masked_but_api_addresses_are_not() -> None:
    masked = secret_env()
    assert "X_BEARER_TOKEN" in masked and "YOUTUBE_API_KEY" in masked
    assert "X_API_URL" not in masked and "YOUTUBE_API_URL" not in masked
