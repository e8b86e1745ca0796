"""What the producthunt kind declares: its target (a topic), defaults, credential, options and docs page."""

from datetime import timedelta

from earshot.bot.errors import ConfigError
from earshot.bot.ports import EnvVar, Option, SourceKind, Target, TargetRule


def producthunt_target(target: str | None, query: str | None) -> Target:
    """``feeds add producthunt TOPIC``: a topic's slug (``developer-tools``), or none for every new post."""
    if query:
        raise ConfigError("Product Hunt has no search to narrow by words; give a topic as TARGET, like developer-tools")
    topic = (target or "").strip().lower().removeprefix("https://www.producthunt.com/topics/").strip("/")
    if not topic:
        return Target(means="reads every new Product Hunt post")
    return Target(options={"topic": topic}, means=f"reads new Product Hunt posts in {topic}", name_hint=topic)


DECLARATION = SourceKind(
    kind="producthunt",
    title="Product Hunt",
    summary="new Product Hunt posts, of a topic or all, and their comments; a post's thread is its comments",
    target=TargetRule.NAME,
    every="15m",
    half_life=timedelta(days=1),
    env=(
        EnvVar("PRODUCTHUNT_TOKEN", "a developer token from producthunt.com/v2/oauth/applications (required)"),
        EnvVar("PRODUCTHUNT_API_URL", "another GraphQL address for threads (tests, a proxy)", secret=False),
    ),
    options=(
        Option("topic", "text", None, 'only posts of this topic, by its slug, like "developer-tools"'),
        Option("include", "list of text", ["posts"], 'what to read: "posts", "comments" (on the last day\'s) or both'),
    ),
    threads=True,
    query=False,
    example_note="New Product Hunt posts of a topic (needs PRODUCTHUNT_TOKEN, a developer token).",
    example="""\
[[feeds]]
name = "ph-devtools"
kind = "producthunt"
every = "15m"
options = { topic = "developer-tools", include = ["posts", "comments"] }
""",
    target_help="a Product Hunt topic as developer-tools (none: every new post)",
    docs="sources/producthunt.md",
    read_target=producthunt_target,
)
"""Product Hunt: the newest posts through the GraphQL API v2; items age in a day."""
