"""What `feeds add KIND TARGET` (command line and chat) means for each kind: where to read, what to search, and a
sentence saying which it is, so "r/rust", "/r/rust", "rust" and a reddit.com address all name one subreddit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.errors import ConfigError

URL_KINDS = ("rss", "discourse")  # the target is the feed's or forum's address
PLACE_KINDS = ("mastodon",)  # the target is where to read (an instance or tag page); --query searches there
SUBREDDIT = re.compile(r"[A-Za-z0-9_]{2,21}(?:\+[A-Za-z0-9_]{2,21})*")
REDDIT_FORMS = "r/SUBREDDIT (or a reddit.com/r/... address) to read a subreddit, --query WORDS to search all of Reddit"


SERVICE = {"hackernews": "Hacker News", "stackexchange": "Stack Exchange", "github": "GitHub"}
SERVICE |= {"bluesky": "Bluesky", "lobsters": "Lobsters", "reddit": "Reddit", "mastodon": "Mastodon"}


@dataclass(frozen=True, slots=True)
class Target:
    """A feed's place and search, from the words a person typed, and what that means in a sentence."""

    url: str | None = None
    query: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    means: str = ""
    name_hint: str | None = None  # what the default name is made from


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


def feed_target(kind: str, target: str | None, query: str | None = None) -> Target:
    """The place, search and options ``feeds add KIND TARGET [--query WORDS]`` gives a feed of ``kind``."""
    target = (target or "").strip() or None
    if kind == "reddit":
        return _reddit(target, query)
    if kind in URL_KINDS:
        if query:
            raise ConfigError(f"--query is for mastodon and reddit feeds; a {kind} feed reads everything at its URL")
        return Target(url=target, means=f"reads {target}", name_hint=target)
    if kind in PLACE_KINDS:
        means = f"reads {target}" + (f", searching for {query!r}" if query else "")
        return Target(url=target, query=query, means=means, name_hint=target)
    if query:
        raise ConfigError(f"--query is for mastodon and reddit feeds; give the {kind} search words as TARGET")
    service = SERVICE.get(kind, kind)
    means = f"searches {service} for {target!r}" if target else f"reads everything new on {service}"
    return Target(query=target, means=means, name_hint=target)


def _reddit(target: str | None, query: str | None) -> Target:
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
