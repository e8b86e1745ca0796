"""Topics and feeds: adding, listing and removing them, checked and recorded with who did it."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlsplit

from earshot.bot.domain import Feed, FeedState, Topic
from earshot.bot.errors import ConfigError, NotAllowed, NotFound
from earshot.bot.finding.query import parse_query
from earshot.bot.ports import Clock, Source, SourceKind, StoreOf, SyncReport
from earshot.bot.ports.storage import Audit, ConfigSync, Feeds, Topics

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
NAME_RULE = "1 to 64 letters, digits, '-' or '_', starting with a letter or digit"
MIN_EVERY = timedelta(seconds=30)
MAX_EVERY = timedelta(days=7)
"""Bounds of a feed's poll interval: more often than every 30 s is unkind to the servers we read."""
FALLBACK_EVERY = "15m"
"""How often a new feed of a kind nobody declared is polled when whoever adds it gives no interval."""
ABOUT_MAX = 1000
EXAMPLE_MAX = 500
EXAMPLES_MAX = 20
ACCEPT_MAX = 500
"""What a topic may say about its meaning: ``about`` and ``accept`` in a paragraph each, examples (and counter
examples) a post's opening each, at most EXAMPLES_MAX of each kind; enough to say what is meant, no place for a
corpus."""


class CatalogUnit(Topics, Feeds, ConfigSync, Audit, Protocol):
    """What the catalog touches: topics, feeds, the config sync and the audit log."""


def default_every(kind: str, kinds: Mapping[str, SourceKind] | None = None) -> str:
    """The poll interval, as written (``"2m"``), of a new feed of ``kind`` added without one: what its declaration
    says (``SourceKind.every``), else FALLBACK_EVERY."""
    declaration = (kinds or {}).get(kind)
    return declaration.every if declaration is not None else FALLBACK_EVERY


def check_name(what: str, name: str) -> None:
    """Refuse a topic or feed name that would be awkward in commands and channels."""
    if not NAME.match(name):
        raise ConfigError(f"{what} name {name!r} is not valid: use {NAME_RULE}, e.g. 'vector-db'")


# Path parts that say "this is a feed" rather than which one: left out of a name made from a URL.
_GENERIC_PATH = {"feed", "feeds", "rss", "rss2", "atom", "index", "xml", "all", "posts"}
_FEED_SUFFIX = re.compile(r"\.(xml|rss|atom|php|html?)$", re.IGNORECASE)


def derive_feed_name(kind: str, target: str | None, taken: Collection[str] = ()) -> str:
    """A feed name from its target (a URL's host and the telling parts of its path, or the kind and the search
    words), unused in ``taken``: two feeds on one host get two names."""
    if not target:
        base = kind
    elif "://" in target:
        parts = urlsplit(target)
        path = [_FEED_SUFFIX.sub("", p).lower() for p in parts.path.split("/") if p]
        path = [p for p in path if p and p not in _GENERIC_PATH]
        base = "-".join([parts.hostname or target, *path])
    else:
        base = f"{kind}-{target}"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", base.removeprefix("www.")).strip("-").lower()[:60].strip("-") or kind
    name, n = slug, 2
    while name in taken:
        name, n = f"{slug}-{n}", n + 1
    return name


def check_filters(topic: Topic) -> None:
    """Refuse a topic filter a person mistyped: a language that is not a two-letter code, an empty name."""
    for code in topic.languages:
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise ConfigError(
                f"topic {topic.name!r}: language {code!r} is not a two-letter ISO 639-1 code; use one like en, de, fr"
            )
    for what, values in (("excluded author", topic.exclude_authors), ("excluded source", topic.exclude_sources)):
        if any(not value.strip() for value in values):
            raise ConfigError(f"topic {topic.name!r}: an {what} is empty; give a name or leave it out")


def meaning_problems(
    about: str, examples: Sequence[str], counter_examples: Sequence[str], without_keyword: bool, accept: str
) -> list[tuple[str, str]]:
    """What is wrong with a topic's meaning, as (field, problem) pairs in plain words; empty when nothing is."""
    problems: list[tuple[str, str]] = []
    if len(about) > ABOUT_MAX:
        problems.append(("about", f"too long ({len(about)} characters); say it in at most {ABOUT_MAX}"))
    if len(accept) > ACCEPT_MAX:
        problems.append(("accept", f"too long ({len(accept)} characters); say it in at most {ACCEPT_MAX}"))
    for key, values in (("examples", examples), ("counter_examples", counter_examples)):
        if len(values) > EXAMPLES_MAX:
            problems.append((key, f"{len(values)} given; a few telling ones work best, at most {EXAMPLES_MAX}"))
        for value in values:
            if not value.strip():
                problems.append((key, "one is empty; give a post's words or leave it out"))
            elif len(value) > EXAMPLE_MAX:
                problems.append((key, f"one is {len(value)} characters long; keep each to {EXAMPLE_MAX} (its opening)"))
    if without_keyword and not about.strip():
        problems.append(
            ("without_keyword", "needs about: say in plain words what the topic is about, so meaning can stand in")
        )
    return problems


def check_meaning(topic: Topic) -> None:
    """Refuse a topic whose meaning is too long, empty where it counts, or asks for matching without keyword with
    no ``about`` to match on."""
    problems = meaning_problems(
        topic.about, topic.examples, topic.counter_examples, topic.without_keyword, topic.accept
    )
    if problems:
        text = "; ".join(f"{key}: {problem}" for key, problem in problems)
        raise ConfigError(f"topic {topic.name!r}: {text}")


def check_topic(topic: Topic) -> None:
    """Refuse a topic whose name, query, minimum score, filters or meaning are wrong, saying what would be right."""
    check_name("topic", topic.name)
    parse_query(topic.query)
    if not 0 <= topic.min_score <= 100:
        raise ConfigError(f"min_score {topic.min_score} is out of range; use a whole number from 0 to 100")
    check_filters(topic)
    check_meaning(topic)


def topic_detail(topic: Topic) -> dict[str, object]:
    """What the audit log records of a topic: its query, channel and minimum, and whatever else it sets."""
    detail: dict[str, object] = {"query": topic.query, "channel": topic.channel, "min_score": topic.min_score}
    for key, value in (
        ("languages", topic.languages),
        ("exclude_authors", topic.exclude_authors),
        ("exclude_sources", topic.exclude_sources),
        ("about", topic.about),
        ("examples", topic.examples),
        ("counter_examples", topic.counter_examples),
        ("without_keyword", topic.without_keyword),
        ("accept", topic.accept),
    ):
        if value:
            detail[key] = list(value) if isinstance(value, tuple) else value
    return detail


def check_feed(feed: Feed, sources: Mapping[str, Source]) -> None:
    """Refuse a feed whose name, interval, kind or settings are wrong, saying what would be right."""
    check_name("feed", feed.name)
    every = f"{int(feed.every.total_seconds())}s"
    if feed.every < MIN_EVERY:
        raise ConfigError(f'feed {feed.name!r}: every "{every}": too short; use at least "30s", like "2m" or "15m"')
    if feed.every > MAX_EVERY:
        raise ConfigError(f'feed {feed.name!r}: every "{every}": too long; use at most "7d"')
    source = sources.get(feed.kind)
    if source is None:
        kinds = ", ".join(sorted(sources))
        raise ConfigError(f"feed kind {feed.kind!r} is not known; use one of: {kinds}")
    source.check(feed)


class TopicsAndFeeds:
    """The use cases that change what Earshot listens to and looks for."""

    def __init__(
        self,
        store: StoreOf[CatalogUnit],
        sources: Mapping[str, Source],
        clock: Clock,
        *,
        kinds: Mapping[str, SourceKind] | None = None,
    ) -> None:
        self.store = store
        self.sources = sources
        self.clock = clock
        self.kinds: Mapping[str, SourceKind] = kinds or {}  # what each kind declares (defaults, targets)

    async def add_topic(self, topic: Topic, actor: str) -> Topic:
        """Add a topic after checking its name and query (a bad query is refused with position and reason)."""
        check_topic(topic)
        async with self.store.unit() as unit:
            await unit.add_topic(topic)
            await unit.record_change(actor, "topic.add", topic.name, topic_detail(topic), self.clock())
        return topic

    async def edit_topic(self, name: str, change: Callable[[Topic], Topic], actor: str) -> Topic:
        """Change a topic added at run time: ``change`` makes the new topic from the stored one; checked as when
        added, recorded with what it became. A topic from the config file is changed there."""
        async with self.store.unit() as unit:
            topic = await unit.get_topic(name)
            if topic is None:
                raise NotFound(f"there is no topic {name!r}; `earshot topics list` shows them")
            if topic.origin == "config":
                raise NotAllowed(f"topic {name!r} is defined in the config file; change it there")
            edited = replace(change(topic), name=topic.name, origin=topic.origin)
            check_topic(edited)
            await unit.update_topic(edited)
            await unit.record_change(actor, "topic.edit", name, topic_detail(edited), self.clock())
        return edited

    @staticmethod
    def check(topic: Topic) -> None:
        """Refuse a (draft) topic whose name, query, minimum, filters or meaning are wrong."""
        check_topic(topic)

    async def topic(self, name: str) -> Topic:
        """One topic; NotFound when there is none of that name."""
        async with self.store.unit() as unit:
            topic = await unit.get_topic(name)
        if topic is None:
            raise NotFound(f"there is no topic {name!r}; `earshot topics list` shows them")
        return topic

    async def remove_topic(self, name: str, actor: str) -> None:
        """Remove a topic added at run time; its alerts stay for the record."""
        async with self.store.unit() as unit:
            topic = await unit.get_topic(name)
            if topic is None:
                raise NotFound(f"there is no topic {name!r}; `earshot topics list` shows them")
            if topic.origin == "config":
                raise NotAllowed(f"topic {name!r} is defined in the config file; remove it there")
            await unit.remove_topic(name)
            await unit.record_change(actor, "topic.remove", name, {"query": topic.query}, self.clock())

    async def topics(self) -> list[Topic]:
        """Every topic."""
        async with self.store.unit() as unit:
            return await unit.list_topics()

    def check_feed(self, feed: Feed) -> None:
        """Refuse a feed whose name, interval, kind or settings are wrong, saying what would be right."""
        check_feed(feed, self.sources)

    async def add_feed(self, feed: Feed, actor: str) -> Feed:
        """Add a feed; its first poll records what is there and alerts nothing."""
        self.check_feed(feed)
        async with self.store.unit() as unit:
            await unit.add_feed(feed, self.clock())
            detail = {"kind": feed.kind, "url": feed.url, "query": feed.query, "every": feed.every.total_seconds()}
            await unit.record_change(actor, "feed.add", feed.name, detail, self.clock())
        return feed

    async def remove_feed(self, name: str, actor: str) -> None:
        """Remove a feed added at run time; what it found stays."""
        async with self.store.unit() as unit:
            state = await unit.get_feed(name)
            if state is None:
                raise NotFound(f"there is no feed {name!r}; `earshot feeds list` shows them")
            if state.feed.origin == "config":
                raise NotAllowed(f"feed {name!r} is defined in the config file; remove it there")
            await unit.remove_feed(name)
            await unit.record_change(actor, "feed.remove", name, {"kind": state.feed.kind}, self.clock())

    async def feeds(self) -> list[FeedState]:
        """Every feed with its polling state."""
        async with self.store.unit() as unit:
            return await unit.list_feeds()

    async def sync(self, topics: Sequence[Topic], feeds: Sequence[Feed]) -> SyncReport:
        """Make the store hold the config file's topics and feeds (checked first), keeping run-time additions."""
        for topic in topics:
            check_name("topic", topic.name)
            parse_query(topic.query)
            check_meaning(topic)
        for feed in feeds:
            self.check_feed(feed)
        async with self.store.unit() as unit:
            report = await unit.sync_config(topics, feeds, self.clock())
            if report.added or report.updated or report.removed:
                detail = {"added": list(report.added), "updated": list(report.updated), "removed": list(report.removed)}
                await unit.record_change("config", "config.sync", "earshot.toml", detail, self.clock())
        return report
