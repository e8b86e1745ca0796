"""What the rss kind declares: its target, defaults and docs page."""

from datetime import timedelta

from earshot.bot.ports import SourceKind, TargetRule

DECLARATION = SourceKind(
    kind="rss",
    title="RSS and Atom",
    summary="the entries of an RSS or Atom feed, fetched with conditional GET",
    target=TargetRule.URL,
    every="15m",
    half_life=timedelta(days=2),
    aliases={"atom": '"rss" reads Atom feeds too'},
    query=False,
    target_help="the feed URL (a web page's advertised feed is offered)",
    docs="sources/rss.md",
    url_means="its address",
    url_example="https://…/feed.xml",
    article="an",
)
"""RSS and Atom: a feed's address; no credentials, no options, no threads."""
