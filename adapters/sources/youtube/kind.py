"""What the youtube kind declares: its target, defaults, credentials, options and docs page."""

from datetime import timedelta

from earshot.adapters.sources.youtube.target import FORMS, youtube_target
from earshot.bot.ports import EnvVar, Option, SourceKind, TargetRule

DECLARATION = SourceKind(
    kind="youtube",
    title="YouTube",
    summary="new comments on a channel's recent videos, and new videos matching a search, with replies as the thread",
    target=TargetRule.NAME,
    read_target=youtube_target,
    target_help=FORMS,
    every="30m",
    half_life=timedelta(days=1),
    env=(
        EnvVar(
            "YOUTUBE_API_KEY", "an API key with the YouTube Data API v3 enabled (Google Cloud console)", required=True
        ),
        EnvVar("YOUTUBE_API_URL", "another API address, for threads (a proxy; tests)", secret=False),
    ),
    options=(
        Option("channel", "text", "", "the channel id (UC...) whose recent videos' comments are read"),
        Option("videos", "whole number", 5, "how many of the channel's latest videos to read comments on (1-20)"),
        Option("search_videos", "true or false", False, "also search new videos matching query (100 units a poll)"),
        Option("max_units_per_day", "whole number", 2000, "the feed's share of the daily quota (10,000 a project)"),
    ),
    threads=True,
    example_note="YouTube comments on a channel's latest videos; needs YOUTUBE_API_KEY; counts the daily quota units.",
    example="""\
[[feeds]]
name = "yt-acme"
kind = "youtube"
every = "30m"
options = { channel = "UC_x5XG1OV2P6uZZ5FSM9Ttw", videos = 5, max_units_per_day = 2000 }
""",
    docs="sources/youtube.md",
)
"""YouTube: comments on a channel's latest uploads; comments age in a day."""
