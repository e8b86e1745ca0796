"""What the bluesky kind declares: its target, defaults, credentials, options and docs page."""

from datetime import timedelta

from earshot.bot.ports import EnvVar, Option, SourceKind, TargetRule

DECLARATION = SourceKind(
    kind="bluesky",
    title="Bluesky",
    summary="a Bluesky post search, newest first, with replies as the thread",
    target=TargetRule.QUERY,
    every="5m",
    half_life=timedelta(hours=6),
    env=(
        EnvVar("BLUESKY_HANDLE", "the account to log in as, like alice.bsky.social", secret=False),
        EnvVar("BLUESKY_APP_PASSWORD", "an app password of that account (searching anonymously is often refused)"),
    ),
    options=(Option("lang", "text", None, 'only posts in this language, like "en"'),),
    threads=True,
    example_note=("Bluesky: a post search. Set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (an app password) to log in."),
    example="""\
[[feeds]]
name = "bsky-pgvector"
kind = "bluesky"
query = "pgvector"
every = "5m"
options = { lang = "en" }
""",
    docs="sources/bluesky.md",
)
"""Bluesky: a post search; items age in hours."""
