"""What the devto kind declares: its target (tags), defaults, optional key, options and docs page."""

from datetime import timedelta

from earshot.bot.errors import ConfigError
from earshot.bot.ports import EnvVar, Option, SourceKind, Target, TargetRule


def devto_target(target: str | None, query: str | None) -> Target:
    """``feeds add devto TAGS``: tags separated by commas (``python,webdev``), or none for every new article."""
    if query:
        raise ConfigError("Dev.to has no search to narrow by words; give tags as TARGET, like python,webdev")
    tags = [t.strip().lstrip("#").lower() for t in (target or "").split(",") if t.strip()]
    if not tags:
        return Target(means="reads every new Dev.to article", name_hint=None)
    return Target(
        options={"tags": tags}, means=f"reads new Dev.to articles tagged {', '.join(tags)}", name_hint="-".join(tags)
    )


DECLARATION = SourceKind(
    kind="devto",
    title="Dev.to",
    summary="new Dev.to (or any Forem) articles, of some tags, and their comments; an article's thread is its comments",
    target=TargetRule.NAME,
    every="10m",
    half_life=timedelta(days=1),
    env=(EnvVar("DEVTO_API_KEY", "an API key (optional: public reads need none; sent as api-key)"),),
    options=(
        Option("tags", "list of text", [], "only articles with any of these tags"),
        Option("include", "list of text", ["articles"], 'what to read: "articles", "comments" (on them) or both'),
    ),
    threads=True,
    query=False,
    example_note="New Dev.to articles of some tags; base_url reads another Forem instance.",
    example="""\
[[feeds]]
name = "devto-python"
kind = "devto"
every = "10m"
options = { tags = ["python", "postgres"], include = ["articles", "comments"] }
""",
    target_help="Dev.to tags as python,webdev (none: every new article; --base-url for another Forem)",
    docs="sources/devto.md",
    read_target=devto_target,
)
"""Dev.to: the newest articles through the public Forem API; items age in a day."""
