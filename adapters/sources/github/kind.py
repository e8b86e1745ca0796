"""What the github kind declares: its target, defaults, credentials, options and docs page."""

from datetime import timedelta

from earshot.bot.ports import EnvVar, Option, SourceKind, TargetRule

DECLARATION = SourceKind(
    kind="github",
    title="GitHub",
    summary="issues and pull requests matching a search, and discussions with a token",
    target=TargetRule.QUERY,
    every="5m",
    half_life=timedelta(days=3),
    env=(
        EnvVar("GITHUB_TOKEN", "a token that can read the repositories: more requests, private ones, discussions"),
        EnvVar("GITHUB_API_URL", "another API address (GitHub Enterprise; Actions sets it)", secret=False),
    ),
    options=(Option("discussions", "true or false", False, "read discussions too (needs GITHUB_TOKEN)"),),
    threads=True,
    example_note=("GitHub issues (add is:pr for pull requests) matching a search; discussions need GITHUB_TOKEN."),
    example="""\
[[feeds]]
name = "gh-widgets"
kind = "github"
every = "5m"
query = "repo:octo/widgets label:bug"
options = { discussions = true }
""",
    docs="sources/github.md",
)
"""GitHub: a search of issues and pull requests; items age in days."""
