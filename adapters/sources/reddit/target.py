"""What a reddit feed's TARGET names: "r/rust", "/r/rust", "rust" and a reddit.com address are one subreddit;
words with a space, or --query, are a search."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from earshot.bot.errors import ConfigError
from earshot.bot.ports import Target

SUBREDDIT = re.compile(r"[A-Za-z0-9_]{2,21}(?:\+[A-Za-z0-9_]{2,21})*")
REDDIT_FORMS = "r/SUBREDDIT (or a reddit.com/r/... address) to read a subreddit, --query WORDS to search all of Reddit"


def subreddit_of(text: str) -> str | None:
    """The subreddit named by "r/rust", "/r/rust", "rust", "rust+golang" or a reddit.com/r/rust address; None when
    the text names none."""
    value = text.strip()
    if "reddit.com" in value.lower():
        parts = urlsplit(value if "://" in value else f"https://{value}")
        if (parts.hostname or "").endswith("reddit.com"):
            segments = [s for s in parts.path.split("/") if s]
            value = segments[1] if len(segments) >= 2 and segments[0].lower() == "r" else ""
    else:
        value = value.strip("/")
        if value[:2].lower() == "r/":
            value = value[2:].strip("/")
    return value if SUBREDDIT.fullmatch(value) else None


def reddit_target(target: str | None, query: str | None) -> Target:
    """The subreddit or search ``feeds add reddit TARGET [--query WORDS]`` means."""
    if target is None or (" " in target.strip() and not query):
        words = query or target
        if not words:
            raise ConfigError(f"a reddit feed needs {REDDIT_FORMS}")
        # Words with a space cannot be a subreddit: a search of all of Reddit, said so.
        return Target(query=words, means=f"searches all of Reddit for {words!r}", name_hint=words)
    sub = subreddit_of(target)
    if sub is None:
        raise ConfigError(f"{target!r} is not a subreddit name (letters, digits and _); give {REDDIT_FORMS}")
    if query:
        return Target(query=query, options={"subreddit": sub}, means=f"searches r/{sub} for {query!r}", name_hint=sub)
    means = f"reads r/{sub}'s new posts and comments"
    if SUBREDDIT.fullmatch(target):  # a bare word could have been meant as a search: say how to ask for one
        means += " (a single word names a subreddit; to search all of Reddit, give --query WORDS instead)"
    return Target(options={"subreddit": sub}, means=means, name_hint=sub)
