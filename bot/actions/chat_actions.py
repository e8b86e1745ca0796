"""ChatActions: what people in the channel can do, for every chat platform alike.

Chat adapters stay thin: they turn a payload into a :class:`Member` and a call here, then render what comes back.
Commands answer with an :class:`Answer` in plain text (adapters escape it: it may hold third-party text) and never
raise for a person's mistake; alert actions (claim, release, record) raise :class:`earshot.bot.errors.NotAllowed` or
:class:`earshot.bot.errors.NotFound` with a message meant for the person who pressed the button.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Protocol

from earshot.bot.actions.alert_actions import AlertActions
from earshot.bot.actions.alert_actions import AlertView as AlertView
from earshot.bot.actions.alert_actions import BriefingSink as BriefingSink
from earshot.bot.actions.alert_actions import Member as Member
from earshot.bot.actions.answer import TOPIC_EXAMPLE as TOPIC_EXAMPLE  # re-exported: defined here first
from earshot.bot.actions.answer import Answer as Answer
from earshot.bot.actions.answer import refused as refused
from earshot.bot.actions.claims import Claims
from earshot.bot.actions.command_language import Command, CommandError, parse_command
from earshot.bot.actions.draft_check import DraftCheck
from earshot.bot.actions.feed_targets import feed_target
from earshot.bot.actions.topic_commands import (
    PREVIEW_DAYS,
    Meaning,
    TopicChange,
    TopicCommands,
    change_of,
    meaning_of,
    require_manage,
    whole,
)
from earshot.bot.actions.topics_and_feeds import CatalogUnit, TopicsAndFeeds, default_every, derive_feed_name
from earshot.bot.domain import Feed, Topic
from earshot.bot.durations import format_duration, parse_duration
from earshot.bot.errors import EarshotError
from earshot.bot.finding.scoring import ScoringPolicy
from earshot.bot.followup.stats import STALE_AFTER, stats_text
from earshot.bot.guest.briefer import Briefer
from earshot.bot.ports import NO_TELEMETRY, Clock, Source, SourceKind, StoreOf, Telemetry
from earshot.bot.ports.storage import (
    Checks,
    Claiming,
    Feedback,
    FollowUps,
    Lookup,
    People,
    Refreshes,
    Reporting,
    Team,
)
from earshot.bot.team_handles import HANDLE_EXAMPLE, handles_text, member_names, parse_handles

log = logging.getLogger(__name__)

LIST_LIMIT = 20
UNCLAIMED_WINDOW = timedelta(days=7)
DEFAULT_PERIOD = "7d"
CLAIM_PATIENCE = 2.0  # seconds a ✋ waits for the delivery of the message it is on to be recorded
FEED_EXAMPLE = 'feed add hackernews "vector database" 5m   or   feed add rss https://example.com/feed.xml'
HELP = f"""Earshot finds conversations worth joining and posts them here. Claim one with ✋ or the Claim button.
/earshot topic add <name> <query> [#channel]   e.g. {TOPIC_EXAMPLE}
  then say what it means: about:"..." example:"..." (again for more) counter_example:"..." without_keyword:yes
/earshot topic edit <name> about:"..." example:"..."   ·   /earshot topic show <name>
/earshot topic preview <name> <query> [about:"..."] [days:7]   what a draft would have posted; saves nothing
/earshot topic list   ·   /earshot topic remove <name>
/earshot feed add <kind> <url or query> [every]   e.g. feed add hackernews "vector database" 5m
/earshot feed list   ·   /earshot feed remove <name>
/earshot mine   your claims with no outcome yet
/earshot unclaimed   alerts of the last 7 days nobody has taken
/earshot stats [period]   the team's numbers, e.g. stats 30d
/earshot me [source=handle ...]   your accounts, e.g. {HANDLE_EXAMPLE}
/earshot check [alert id]   paste a draft reply, get a private checklist (your latest claim without an id)
Queries: AND, OR, NOT, -word, "exact phrase", (groups), recommend*, title:, text:, author:, source:, lang:"""


class DeskUnit(
    CatalogUnit, Claiming, People, Refreshes, Checks, Team, FollowUps, Reporting, Lookup, Feedback, Protocol
):
    """What ChatActions touches: every chat action and command goes through it, so most capabilities."""


def feed_from_target(
    kind: str, target: str, every: str | None, name: str, kinds: Mapping[str, SourceKind] | None = None
) -> Feed:
    """A feed from chat words: its kind's declaration says whether the target is a place, a search or a name."""
    text = every or default_every(kind, kinds)
    try:
        interval = parse_duration(text)
    except ValueError as exc:
        raise CommandError(f"every {text!r}: {exc}. Example: {FEED_EXAMPLE}") from None
    place = feed_target(kind, target, kinds=kinds)  # as `earshot feeds add` reads it: r/rust and rust are one subreddit
    return Feed(name=name, kind=kind, every=interval, url=place.url, query=place.query, options=dict(place.options))


def _topic_line(topic: Topic) -> str:
    channel = f"#{topic.channel}" if topic.channel else "default channel"
    state = "" if topic.enabled else " (off)"
    return f"{topic.name}{state} → {channel}, min score {topic.min_score}: {topic.query}"


class ChatActions(TopicCommands, AlertActions):
    """Commands, claims and outcomes as the chat platforms offer them."""

    store: StoreOf[DeskUnit]

    def __init__(
        self,
        store: StoreOf[DeskUnit],
        sources: Mapping[str, Source],
        clock: Clock,
        telemetry: Telemetry = NO_TELEMETRY,
        *,
        custom_outcomes: Sequence[str] = (),
        kinds: Mapping[str, SourceKind] | None = None,
        scoring: ScoringPolicy | None = None,
        briefer: Briefer | None = None,
        drafts: DraftCheck | None = None,
    ) -> None:
        self.store = store
        self.briefer = briefer  # briefs whoever wins a claim; None: no briefing
        # A chat that shows briefings itself (console, webhook); Slack and Discord send theirs privately instead.
        self.briefings: BriefingSink | None = None
        self.drafts = drafts  # /earshot check: the chat opens a form, this checks what is typed in
        self.scoring = scoring or ScoringPolicy()  # as the poller scores: topic previews use it
        self.sources = sources
        self.clock = clock
        self.custom_outcomes = tuple(custom_outcomes)
        self.kinds: Mapping[str, SourceKind] = kinds or {}  # what each kind declares: its target, its interval
        self.catalog = TopicsAndFeeds(store, sources, clock, kinds=self.kinds)
        self.claims = Claims(store, clock, telemetry)

    # Commands
    async def run_text(self, text: str, member: Member) -> Answer:
        """Run a command written as text (``topic add x "a b" #c``); a mistake is answered, never raised."""
        try:
            command = parse_command(text)
        except CommandError as exc:
            return refused(exc)
        return await self.run(command, member)

    async def run(self, command: Command, member: Member) -> Answer:
        """Run a parsed command."""
        a = command.args
        try:
            meaning = meaning_of(a, command.lists)
            change = change_of(a, command.lists) if command.verb == "topic edit" else None
            days = whole("days", a.get("days", str(PREVIEW_DAYS)), 1, 90)
            min_score = whole("min_score", a.get("min_score", "50"), 0, 100)
        except EarshotError as exc:
            return refused(exc)
        handlers: dict[str, Callable[[], Awaitable[Answer]]] = {
            "topic add": lambda: self.topic_add(member, a["name"], a["query"], a.get("channel"), meaning),
            "topic edit": lambda: self.topic_edit(member, a["name"], change or TopicChange(meaning)),
            "topic show": lambda: self.topic_show(a["name"]),
            "topic preview": lambda: self.topic_preview(
                Topic(a["name"], a["query"], min_score=min_score), meaning, days
            ),
            "topic list": self.topic_list,
            "topic remove": lambda: self.topic_remove(member, a["name"]),
            "feed add": lambda: self.feed_add(member, a["kind"], a["target"], a.get("every")),
            "feed list": self.feed_list,
            "feed remove": lambda: self.feed_remove(member, a["name"]),
            "mine": lambda: self.mine(member),
            "unclaimed": self.unclaimed,
            "stats": lambda: self.stats(a.get("period")),
            "me": lambda: self.me(member, a.get("handles", "").split()),
            "check": self.check_elsewhere,
        }
        handler = handlers.get(command.verb)
        return self.help() if handler is None else await handler()

    async def topic_add(
        self, member: Member, name: str, query: str, channel: str | None = None, meaning: Meaning | None = None
    ) -> Answer:
        """Add a topic (admins only), with what it means when ``meaning`` says it."""
        try:
            self._require_manage(member, f"add topic {name!r}")
            topic = Topic(name, query, channel.lstrip("#") if channel else None)
            topic = await self.catalog.add_topic(meaning.apply(topic) if meaning else topic, member.id)
        except EarshotError as exc:
            return refused(exc)
        where = f"#{topic.channel}" if topic.channel else "the default channel"
        said = f" (about: {topic.about})" if topic.about else ""
        return Answer(f"{member.name} added topic {topic.name}: {topic.query} → {where}{said}", public=True)

    async def topic_list(self) -> Answer:
        """List the topics."""
        topics = await self.catalog.topics()
        if not topics:
            return Answer(f"No topics yet. Add one: /earshot {TOPIC_EXAMPLE}")
        return Answer("Topics:\n" + "\n".join(_topic_line(t) for t in topics))

    async def topic_remove(self, member: Member, name: str) -> Answer:
        """Remove a topic added at run time (admins only)."""
        try:
            self._require_manage(member, f"remove topic {name!r}")
            await self.catalog.remove_topic(name, member.id)
        except EarshotError as exc:
            return refused(exc)
        return Answer(f"{member.name} removed topic {name}", public=True)

    async def feed_add(self, member: Member, kind: str, target: str, every: str | None = None) -> Answer:
        """Add a feed (admins only); its name is made from the target."""
        try:
            self._require_manage(member, "add a feed")
            taken = {state.feed.name for state in await self.catalog.feeds()}
            hint = feed_target(kind, target, kinds=self.kinds).name_hint
            feed = feed_from_target(kind, target, every, derive_feed_name(kind, hint, taken), self.kinds)
            await self.catalog.add_feed(feed, member.id)
        except EarshotError as exc:
            return refused(exc)
        return Answer(
            f"{member.name} added feed {feed.name} ({feed.kind}, every {format_duration(feed.every)}); "
            "its first poll records what is there and alerts nothing",
            public=True,
        )

    async def feed_list(self) -> Answer:
        """List the feeds with how they are doing."""
        states = await self.catalog.feeds()
        if not states:
            return Answer(f"No feeds yet. Add one: /earshot {FEED_EXAMPLE}")
        lines = []
        for state in states:
            feed = state.feed
            failures = state.consecutive_failures
            health = f"failing ({failures} in a row): {state.last_error}" if failures else "ok"
            target = feed.url or feed.query or ""
            lines.append(f"{feed.name} ({feed.kind}, every {format_duration(feed.every)}) {health} · {target}")
        return Answer("Feeds:\n" + "\n".join(lines))

    async def feed_remove(self, member: Member, name: str) -> Answer:
        """Remove a feed added at run time (admins only)."""
        try:
            self._require_manage(member, f"remove feed {name!r}")
            await self.catalog.remove_feed(name, member.id)
        except EarshotError as exc:
            return refused(exc)
        return Answer(f"{member.name} removed feed {name}", public=True)

    async def mine(self, member: Member) -> Answer:
        """The asker's claims with no outcome yet."""
        async with self.store.unit() as unit:
            alerts = await unit.open_claims(member.id, LIST_LIMIT)
        if not alerts:
            return Answer("You hold no open claims. /earshot unclaimed lists alerts waiting for someone.")
        return Answer(f"Your open claims ({len(alerts)}): record how each went with its buttons.", alerts=tuple(alerts))

    async def unclaimed(self) -> Answer:
        """Alerts of the last week nobody has taken."""
        since = self.clock() - UNCLAIMED_WINDOW
        async with self.store.unit() as unit:
            alerts = await unit.unclaimed(since, LIST_LIMIT)
        if not alerts:
            return Answer("Nothing is waiting: every alert of the last 7 days is claimed or dismissed.")
        return Answer(f"Waiting for someone ({len(alerts)}, newest first):", alerts=tuple(alerts))

    async def stats(self, period: str | None = None) -> Answer:
        """The team's numbers over a period (default 7d)."""
        text = period or DEFAULT_PERIOD
        try:
            span = parse_duration(text)
        except ValueError as exc:
            return Answer(f"stats {text!r}: {exc}. Example: stats 30d", ok=False)
        if span <= timedelta(0):
            return Answer(f"stats {text!r}: the period must be longer than zero. Example: stats 30d", ok=False)
        now = self.clock()
        async with self.store.unit() as unit:
            numbers = await unit.stats(now - span, now, STALE_AFTER)
            names = member_names(await unit.list_handles())
        return Answer(stats_text(numbers, text, names))

    async def me(self, member: Member, words: Sequence[str] = ()) -> Answer:
        """Link the asker's accounts on the sources (``hackernews=alice``), or list them when none are given."""
        try:
            handles = parse_handles(words, member.id, member.name, sources=self.sources)
            if handles:
                async with self.store.unit() as unit:
                    await unit.set_handles(handles, self.clock())
        except EarshotError as exc:
            return refused(exc)
        async with self.store.unit() as unit:
            mine = await unit.list_handles(member.id)
        if not mine:
            return Answer(
                f"{member.name}, no accounts are linked to you yet. Link yours so Earshot can see your replies: "
                f"/earshot {HANDLE_EXAMPLE}"
            )
        verb = "now linked" if handles else "linked"
        return Answer(f"{member.name}, your accounts {verb}: {handles_text(mine)}")

    async def check_elsewhere(self) -> Answer:
        """``check`` reached as text, where no form can open: the chat adapters open one before this is reached."""
        return Answer("Paste your draft in the form /earshot check opens, or run earshot check-reply ALERT_ID FILE.")

    def help(self) -> Answer:
        """What the commands are."""
        return Answer(HELP)

    async def topic_names(self, prefix: str = "") -> list[str]:
        """Topic names starting with ``prefix`` (autocomplete)."""
        return [t.name for t in await self.catalog.topics() if t.name.startswith(prefix)][:25]

    async def feed_names(self, prefix: str = "") -> list[str]:
        """Feed names starting with ``prefix`` (autocomplete)."""
        return [s.feed.name for s in await self.catalog.feeds() if s.feed.name.startswith(prefix)][:25]

    @staticmethod
    def _require_manage(member: Member, what: str) -> None:
        require_manage(member, what)
