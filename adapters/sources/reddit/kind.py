"""What the reddit kind declares: its target (a subreddit or a search), defaults, credentials, options, docs page."""

from datetime import timedelta

from earshot.adapters.sources.reddit.target import reddit_target
from earshot.bot.ports import EnvVar, Option, SourceKind, TargetRule

DECLARATION = SourceKind(
    kind="reddit",
    title="Reddit",
    summary="a subreddit's new posts and comments, or a search, through the API (the public RSS without it)",
    target=TargetRule.NAME,
    every="5m",
    half_life=timedelta(hours=12),
    env=(
        EnvVar("REDDIT_CLIENT_ID", "the id of a Reddit app: read the API instead of the slower RSS", secret=False),
        EnvVar("REDDIT_CLIENT_SECRET", "that app's secret"),
        EnvVar("REDDIT_USERNAME", "who runs the bot, named in the User-Agent Reddit asks for", secret=False),
        EnvVar("REDDIT_USER_AGENT", "a User-Agent of your own instead", secret=False),
    ),
    options=(
        Option("subreddit", "text", None, 'the subreddit, like "rust", or several, like "rust+golang"'),
        Option(
            "include",
            "list of text",
            ["posts", "comments"],
            'what to read: "posts", "comments" or both (a search reads posts)',
        ),
        Option("auth_url", "text", None, "another OAuth address (tests)"),
        Option("rss_url", "text", None, "another RSS address (tests)"),
    ),
    threads=True,
    example_note=(
        'Reddit: a subreddit\'s new posts and comments, or a search (query = "..."; posts only). With '
        "REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET set it reads the API; without them the public RSS feed "
        "(slower, posts only)."
    ),
    example="""\
[[feeds]]
name = "r-rust"
kind = "reddit"
every = "5m"
options = { subreddit = "rust", include = ["posts", "comments"] }
""",
    target_help="a subreddit as r/rust, rust or its reddit.com address (words with a space search all of Reddit)",
    docs="sources/reddit.md",
    read_target=reddit_target,
)
"""Reddit: a subreddit (r/rust) or a search; items age in hours."""
