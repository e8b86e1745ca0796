"""Source ports: the feeds the core polls, the ones that can also read a thread, and what each kind declares."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from earshot.bot.domain import Conversation, Feed, FetchResult, Thread


class Source(Protocol):
    """One kind of feed (Hacker News, RSS, ...).

    ``fetch`` returns the items that may be new since ``cursor`` (repeats are fine: the store deduplicates) and
    the cursor to pass next time. ``seeding`` is true on a feed's first poll: only the cursor matters then, so a
    source may fetch less. Failures raise :class:`earshot.bot.errors.FeedError` with a message a person can act on.
    """

    kind: str

    def check(self, feed: Feed) -> None:
        """Raise ConfigError when ``feed`` lacks what this kind needs (a URL, a query, a known option)."""
        ...

    async def fetch(self, feed: Feed, cursor: dict[str, Any], *, seeding: bool) -> FetchResult:
        """Fetch the feed once."""
        ...


@runtime_checkable
class ThreadSource(Protocol):
    """A source that can also read a conversation's thread (Hacker News, Reddit, Discourse, ...).

    ``thread`` returns the replies under ``conversation`` (for a post, its comments; for a comment, the replies
    to it), at most ``limit`` of them, best or oldest first as the source orders them. It raises
    :class:`earshot.bot.errors.FeedError` when the thread cannot be read (gone, rate limited, network). Callers check
    ``isinstance(source, ThreadSource)``: a source without threads simply lacks the method.
    """

    kind: str

    async def thread(self, conversation: Conversation, *, limit: int = 50) -> Thread:
        """Read the thread under ``conversation`` now."""
        ...


class TargetRule(enum.StrEnum):
    """What the TARGET of ``feeds add KIND TARGET`` names for a kind, and so which config keys its feeds take."""

    URL = "url"  # the feed's or forum's address (rss, discourse): url is required; no --query
    PLACE = "place"  # where to read, an instance or a tag page (mastodon): url is required; --query searches there
    QUERY = "query"  # search words, optional (hackernews, github, ...): base_url may override the API's address
    NAME = "name"  # a name the kind reads itself (a subreddit), through the declaration's read_target

    @property
    def takes_url(self) -> bool:
        """Whether a feed of this rule keeps its place in ``url`` (else ``base_url`` is an API override)."""
        return self in (TargetRule.URL, TargetRule.PLACE)


@dataclass(frozen=True, slots=True)
class Target:
    """A feed's place and search, from the words a person typed, and what that means in a sentence."""

    url: str | None = None
    query: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    means: str = ""
    name_hint: str | None = None  # what the default name is made from


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An environment variable a kind reads, what it is for, and whether its value must be masked in logs."""

    name: str
    purpose: str
    secret: bool = True
    required: bool = False  # the kind cannot read without it: `earshot doctor` fails when it is unset


ENV_NAME = "name of an environment variable"
"""The Option type of an option naming a variable that holds a secret (its value is masked in logs too)."""


@dataclass(frozen=True, slots=True)
class Option:
    """One key of a feed's ``options`` table: its name, the type of value it takes, its default and a help line."""

    name: str
    type: str  # in words, as the reference shows it: "text", "true or false", "list of text", ...
    default: Any = None
    help: str = ""


@dataclass(frozen=True, slots=True)
class SourceKind:
    """Everything the rest of Earshot knows about one kind of feed, declared once next to its source.

    Settings validation, ``feeds add`` on the command line and in chat, scoring's freshness, new feeds' intervals,
    the masking of secrets, the starter config and the configuration reference all read this.
    """

    kind: str  # the word in config and commands: "reddit"
    title: str  # the service as people name it: "Reddit"
    summary: str  # one line: what a feed of this kind reads
    target: TargetRule
    every: str = "15m"  # a new feed's poll interval when none is given, as written
    half_life: timedelta = timedelta(days=1)  # how long its conversations take to lose half their freshness
    aliases: Mapping[str, str] = field(default_factory=dict)  # a wrong word people use -> a hint naming this kind
    env: tuple[EnvVar, ...] = ()
    options: tuple[Option, ...] = ()
    threads: bool = False  # whether its source can read a conversation's thread (ThreadSource)
    query: bool = True  # whether its feeds take search words (query); if not, it reads everything and topics pick
    docs: str = ""  # its page in the docs site, like "sources/reddit.md"
    url_means: str = "its address"  # for TargetRule.URL and PLACE: what url is, in "a rss feed needs ..."
    url_example: str = "https://example.com"
    tags: tuple[str, ...] = ()  # the values its top-level ``tags`` key takes; empty when it has none (options instead)
    article: str = "a"  # "an rss feed"
    read_target: Callable[[str | None, str | None], Target] | None = None  # for TargetRule.NAME: (target, query)
    target_help: str = ""  # what TARGET is in `feeds add`, when plain words do not say it ("the forum's URL")
    example: str = ""  # a [[feeds]] table in TOML, shown commented in the starter file and in the reference
    example_note: str = ""  # the sentence above that example

    @property
    def a_feed(self) -> str:
        """ "a reddit feed", "an rss feed": how messages name a feed of this kind."""
        return f"{self.article} {self.kind} feed"

    @property
    def secrets(self) -> tuple[str, ...]:
        """The variables whose values are masked in every log line."""
        return tuple(var.name for var in self.env if var.secret)

    @property
    def option_names(self) -> tuple[str, ...]:
        """The keys its ``options`` table may hold, in declared order."""
        return tuple(option.name for option in self.options)
