"""What the stackexchange kind declares: its target, defaults, credentials, options and docs page."""

from datetime import timedelta

from earshot.bot.ports import EnvVar, Option, SourceKind, TargetRule

DECLARATION = SourceKind(
    kind="stackexchange",
    title="Stack Exchange",
    summary="new questions of a Stack Exchange site, by tag or search words, with answers as the thread",
    target=TargetRule.QUERY,
    every="10m",
    half_life=timedelta(days=2),
    env=(EnvVar("STACKEXCHANGE_KEY", "an API key: a larger daily request quota (optional)"),),
    options=(
        Option("site", "text", "stackoverflow", "the site's API name: serverfault, superuser, unix, ..."),
        Option("tagged", "list of text", [], "only questions with all of these tags (up to 5)"),
        Option("tags", "list of text", [], "the same as tagged (what `feeds add --tags` writes)"),
    ),
    threads=True,
    example_note=(
        "Stack Exchange questions: a site's API name, up to 5 tags (questions with all of them), optional search words."
    ),
    example="""\
[[feeds]]
name = "so-postgres"
kind = "stackexchange"
every = "10m"
query = "connection pool"
options = { site = "stackoverflow", tagged = ["postgresql"] }
""",
    docs="sources/stackexchange.md",
)
"""Stack Exchange: questions on one site; items age in days."""
