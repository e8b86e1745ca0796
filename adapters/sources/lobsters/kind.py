"""What the lobsters kind declares: its target, defaults, options and docs page."""

from datetime import timedelta

from earshot.bot.ports import Option, SourceKind, TargetRule

DECLARATION = SourceKind(
    kind="lobsters",
    title="Lobsters",
    summary="the newest Lobsters stories, of the whole site or some tags, with their comments as the thread",
    target=TargetRule.QUERY,
    every="10m",
    half_life=timedelta(hours=12),
    options=(
        Option("tags", "list of text", [], "only stories with any of these tags"),
        Option("include", "list of text", ["stories"], 'what to read: "stories", "comments" (whole site) or both'),
    ),
    threads=True,
    query=False,
    example_note=("The newest Lobsters stories, all or of some tags."),
    example="""\
[[feeds]]
name = "lobsters"
kind = "lobsters"
every = "10m"
options = { tags = ["databases", "rust"] }
""",
    docs="sources/lobsters.md",
)
"""Lobsters: the newest stories; items age in hours."""
