"""What the x kind declares: its target, defaults, credentials, options and docs page."""

from datetime import timedelta

from earshot.bot.ports import EnvVar, Option, SourceKind, TargetRule

DECLARATION = SourceKind(
    kind="x",
    title="X (Twitter)",
    summary="posts and replies matching a recent search (API v2), with the post's conversation as the thread",
    target=TargetRule.QUERY,
    every="30m",
    half_life=timedelta(hours=12),
    aliases={"twitter": "X is kind x", "tweets": "X is kind x"},
    env=(
        EnvVar("X_BEARER_TOKEN", "an app's bearer token for the X API v2 (the API is paid per use)", required=True),
        EnvVar("X_API_URL", "another API address, for threads (a proxy; tests)", secret=False),
    ),
    options=(
        Option("max_requests_per_day", "whole number", 100, "stop reading for the day after this many API requests"),
        Option("max_posts_per_day", "whole number", 1000, "stop reading for the day after this many posts read"),
    ),
    threads=True,
    example_note="X posts and replies matching a recent search; needs X_BEARER_TOKEN; caps the paid API's daily use.",
    example="""\
[[feeds]]
name = "x-widgets"
kind = "x"
every = "30m"
query = '"acme widgets" -is:retweet'
options = { max_requests_per_day = 100, max_posts_per_day = 1000 }
""",
    docs="sources/x.md",
)
"""X: recent search over the last seven days; posts age in hours."""
