"""`earshot feeds test`: fetch a feed now and show, item by item, what `earshot run` would post or hold, storing
nothing and creating no database.

Topics: the config file's, and, when the database already exists at the current schema, the ones added with
`topics add` or in chat (read only; the file's win on a shared name, as the next `run` would sync them). A database
that does not exist is not created: the file's topics are used, and the output says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from earshot.adapters.cli import views
from earshot.adapters.cli.builders import fetch_policy, scoring_policy, utc_now
from earshot.adapters.http import SafeHttp
from earshot.adapters.settings import Settings
from earshot.adapters.sources import build_sources
from earshot.adapters.storage import SqlStore, create_engine, describe_url, migrate
from earshot.bot.actions.topics_and_feeds import check_feed
from earshot.bot.domain import Feed, FeedState, Topic
from earshot.bot.durations import parse_duration
from earshot.bot.errors import ConfigError, FeedError
from earshot.bot.finding.feedback import FEEDBACK_TEXTS, FEEDBACK_WINDOW, learn_all
from earshot.bot.finding.preview import preview
from earshot.bot.finding.team_model import team_models


@dataclass
class Known:
    """What the database adds to the config file: feeds and topics added by command, what topics learned."""

    feeds: dict[str, FeedState] = field(default_factory=dict)
    topics: list[Topic] = field(default_factory=list)
    learned: dict[str, dict[str, float]] = field(default_factory=dict)
    texts: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # the feedback, to learn by meaning
    note: str | None = None


def database_absent(url: str) -> bool:
    """Whether the SQLite file ``url`` names does not exist (opening it would create it); PostgreSQL: never."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return True
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return not database or database == ":memory:" or not Path(database).expanduser().exists()


async def read_known(settings: Settings) -> Known:
    """The database's feeds, topics and learned weights, read only; empty (with a note) when there is no database
    at the current schema, which is then neither created nor migrated."""
    url = settings.database_url
    where = describe_url(url)
    if database_absent(url):
        return Known(note=f"no database at {where} yet: the config file's topics are used")
    try:
        current = await migrate.current(url)
        if current != migrate.head():
            return Known(
                note=f"the database at {where} is not at the current schema: the config file's topics are used"
            )
        engine = create_engine(url)
        try:
            async with SqlStore(engine).unit() as unit:
                feeds = {s.feed.name: s for s in await unit.list_feeds()}
                topics = await unit.list_topics()
                texts = await unit.feedback_texts(utc_now() - FEEDBACK_WINDOW, FEEDBACK_TEXTS)
        finally:
            await engine.dispose()
    except (OSError, OperationalError, DBAPIError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return Known(note=f"cannot read the database at {where} ({reason}): the config file's topics are used")
    return Known(feeds, topics, learn_all(texts), texts)


def topics_in_force(settings: Settings, known: Known) -> list[Topic]:
    """The file's topics, then the database's others: what the next `run` works with."""
    mine = {t.name for t in settings.topics}
    return [*settings.topics, *(t for t in known.topics if t.name not in mine)]


def find_feed(settings: Settings, known: Known, name_or_url: str) -> tuple[Feed, bool]:
    """The feed to test and whether its next poll would be its first (which alerts nothing)."""
    state = known.feeds.get(name_or_url)
    for feed in settings.feeds:
        if feed.name == name_or_url:
            return feed, state is None or not state.seeded
    if state is not None:
        return state.feed, not state.seeded
    if "://" in name_or_url:
        return Feed(name="test", kind="rss", every=parse_duration("15m"), url=name_or_url), False
    names = sorted({f.name for f in settings.feeds} | set(known.feeds))
    listed = f" (feeds: {', '.join(names)})" if names else ""
    raise ConfigError(f"there is no feed {name_or_url!r}{listed}; give a feed name (`earshot feeds list`) or a URL")


async def feed_test(settings: Settings, name_or_url: str) -> int:
    """Fetch a feed now and print what each item would become; exit 1 when it cannot be read."""
    known = await read_known(settings)
    feed, first_poll = find_feed(settings, known, name_or_url)
    async with SafeHttp(fetch_policy(settings)) as http:
        sources = build_sources(http, os.environ)
        check_feed(feed, sources)
        try:
            # No cursor: show what the feed holds now, not only what is new since the last poll.
            result = await sources[feed.kind].fetch(feed, {}, seeding=False)
        except FeedError as exc:
            print(f"{feed.name}: cannot read it: {exc}")
            return 1
    scoring = scoring_policy(settings)
    now = utc_now()
    topics = topics_in_force(settings, known)
    models = team_models(scoring.meaning, known.texts, topics)
    verdicts = preview(result.items, feed.name, topics, now, scoring, known.learned, models)
    notes = list(result.notes)
    if known.note:
        notes.append(known.note)
    if first_poll:
        notes.append(f"{feed.name} has not been polled yet: its first poll records what is there and posts nothing")
    print(views.feed_test_report(feed, verdicts, now, notes))
    return 0
