"""What the discourse kind declares: its target, defaults, credentials, options and docs page."""

from datetime import timedelta

from earshot.bot.ports import EnvVar, Option, SourceKind, TargetRule

DECLARATION = SourceKind(
    kind="discourse",
    title="Discourse",
    summary="new topics (and optionally posts) of a Discourse forum or one of its categories",
    target=TargetRule.URL,
    every="10m",
    half_life=timedelta(days=3),
    env=(
        EnvVar("DISCOURSE_API_KEY", "an API key, for private forums or categories (feeds with auth = true)"),
        EnvVar("DISCOURSE_API_USERNAME", "the user the API key acts as", secret=False),
    ),
    options=(
        Option("category", "text", None, 'one category: the part after /c/ in its address, like "dev/7"'),
        Option("auth", "true or false", False, "send DISCOURSE_API_KEY to this forum"),
        Option("include", "list of text", ["topics"], 'what to read: "topics", "posts" or both'),
    ),
    threads=True,
    query=False,
    example_note=("New topics of a Discourse forum, or of one category (the part after /c/ in its address)."),
    example="""\
[[feeds]]
name = "meta"
kind = "discourse"
every = "10m"
url = "https://meta.discourse.org"
options = { category = "dev/7" }
""",
    target_help="the forum URL",
    docs="sources/discourse.md",
    url_means="the forum's address",
    url_example="https://meta.discourse.org",
)
"""Discourse: a forum's address; items age in days."""
