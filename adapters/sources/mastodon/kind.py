"""What the mastodon kind declares: its target (an instance or a tag page), defaults, credentials, options, docs."""

from datetime import timedelta

from earshot.bot.ports import EnvVar, Option, SourceKind, TargetRule
from earshot.bot.ports.sources import ENV_NAME

DECLARATION = SourceKind(
    kind="mastodon",
    title="Mastodon",
    summary="a hashtag's timeline or a status search on one Mastodon instance",
    target=TargetRule.PLACE,
    every="5m",
    half_life=timedelta(hours=6),
    env=(EnvVar("MASTODON_TOKEN", "an access token (read:statuses): searching, and instances that require sign-in"),),
    options=(
        Option("hashtag", "text", None, "the hashtag to follow, when url is the instance itself"),
        Option("token_env", ENV_NAME, "MASTODON_TOKEN", "the environment variable holding this feed's token"),
    ),
    threads=True,
    example_note=(
        "Mastodon: a hashtag on one instance (url = the instance, or its tag page), or a search there (query;"
        " needs MASTODON_TOKEN, or the variable options.token_env names)."
    ),
    example="""\
[[feeds]]
name = "fosstodon-rust"
kind = "mastodon"
url = "https://fosstodon.org/tags/rust"
every = "5m"
""",
    target_help="an instance or tag page URL, e.g. https://fosstodon.org/tags/rust",
    docs="sources/mastodon.md",
    url_means="its instance",
    url_example="https://fosstodon.org",
)
"""Mastodon: an instance or a tag page, and optionally a search there; items age in hours."""
