"""What the hackernews kind declares: its target, defaults, options and docs page."""

from datetime import timedelta

from earshot.bot.ports import Option, SourceKind, TargetRule

TAGS = ("story", "comment", "ask_hn", "show_hn")
DEFAULT_TAGS = ("story", "comment")

DECLARATION = SourceKind(
    kind="hackernews",
    title="Hacker News",
    summary="new stories and comments through the Algolia search API, optionally only those with some words",
    target=TargetRule.QUERY,
    every="2m",
    half_life=timedelta(hours=6),
    aliases={"hn": 'Hacker News is "hackernews"', "hacker_news": 'Hacker News is "hackernews"'},
    options=(Option("tags", "list of text", list(DEFAULT_TAGS), f"which items to read: any of {', '.join(TAGS)}"),),
    threads=True,
    docs="sources/hackernews.md",
    tags=TAGS,
)
"""Hacker News: everything new (or search words), newest first; items age in hours."""
