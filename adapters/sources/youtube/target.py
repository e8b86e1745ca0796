"""What TARGET means in `feeds add youtube TARGET` and `/earshot feed add youtube TARGET`: a channel id (or its
address), or search words for new videos."""

from __future__ import annotations

import re

from earshot.bot.errors import ConfigError
from earshot.bot.ports import Target

CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_CHANNEL_URL = re.compile(r"(?:https?://)?(?:www\.|m\.)?youtube\.com/channel/(UC[A-Za-z0-9_-]{22})/?")
FORMS = "a channel id (UC..., 24 characters), a youtube.com/channel/UC... address, or search words"


def youtube_target(target: str | None, query: str | None) -> Target:
    """The channel, or the video search, a youtube feed's TARGET (and ``--query``) name."""
    if target is None:
        if query:
            return Target(
                query=query,
                options={"search_videos": True},
                means=f"searches YouTube for new videos matching {query!r}",
                name_hint=query,
            )
        # The channel may still come as --option channel=UC...; the feed's check says so if it does not.
        return Target(means="reads the channel given with --option channel=UC...")
    found = CHANNEL_ID.fullmatch(target) or _CHANNEL_URL.fullmatch(target)
    if found is not None:
        channel = found.group(1) if found.re is _CHANNEL_URL else target
        if query:
            return Target(
                query=query,
                options={"channel": channel, "search_videos": True},
                means=f"reads new comments on {channel}'s latest videos, and searches them for {query!r}",
                name_hint=channel,
            )
        return Target(
            options={"channel": channel}, means=f"reads new comments on {channel}'s latest videos", name_hint=channel
        )
    if "youtube.com/" in target or "youtu.be/" in target:
        raise ConfigError(
            f"{target!r} is not a channel address YouTube's API can read; give {FORMS} "
            "(a @handle page shows its channel id under About → Share channel)"
        )
    if query:
        raise ConfigError(f"{target!r} is not a channel id; give {FORMS}, with --query for a search")
    return Target(
        query=target,
        options={"search_videos": True},
        means=f"searches YouTube for new videos matching {target!r}",
        name_hint=target,
    )
