"""`earshot feeds add`: a feed from the command line's words, named uniquely, and an RSS address looked at once
first: a web page instead of a feed is caught, and the feeds the page advertises are offered, as feed readers do."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from earshot.adapters.cli.app import App, actor
from earshot.adapters.cli.builders import fetch_policy
from earshot.adapters.http import FetchError, SafeHttp
from earshot.adapters.sources import declarations
from earshot.bot.actions.feed_targets import feed_target, query_kinds
from earshot.bot.actions.topics_and_feeds import default_every, derive_feed_name
from earshot.bot.domain import Feed
from earshot.bot.durations import parse_duration
from earshot.bot.errors import AlreadyExists, ConfigError

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json")
CHECK_TIMEOUT = 5.0  # seconds: a look before adding, not a poll


class FeedLinks(HTMLParser):
    """The feeds a web page advertises: ``<link rel="alternate" type="application/rss+xml" href="...">``."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found: list[tuple[str, str]] = []  # (absolute URL, title)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Collect alternate links of a feed type; a <base href> changes what relative ones resolve against."""
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href"):
            self.base = urljoin(self.base, values["href"])
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if tag in ("link", "a") and "alternate" in rel and kind in FEED_TYPES[:2] and values.get("href"):
            url = urljoin(self.base, values["href"].strip())
            if url.startswith(("http://", "https://")) and url not in (u for u, _ in self.found):
                self.found.append((url, values.get("title", "").strip()))


def advertised_feeds(page: str, url: str) -> list[tuple[str, str]]:
    """The RSS and Atom feeds an HTML page links to, as absolute URLs with their titles, in page order."""
    parser = FeedLinks(url)
    parser.feed(page)
    parser.close()
    return parser.found


def looks_like_html(content_type: str, body: bytes) -> bool:
    """Whether a response is a web page rather than a feed (by its type, or by its first tag when untyped)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return True
    start = body[:512].lstrip().lower()
    return kind in ("", "text/plain", "application/octet-stream") and start.startswith((b"<!doctype html", b"<html"))


def kind_help() -> str:
    """`feeds add KIND`: the registered kinds."""
    return " | ".join(declarations())


def target_help() -> str:
    """`feeds add KIND TARGET`: what TARGET is for each kind, as each declares it."""
    by_help: dict[str, list[str]] = {}
    for kind, declared in declarations().items():
        by_help.setdefault(declared.target_help or "search words", []).append(kind)
    return "; ".join(f"{', '.join(kinds)}: {text}" for text, kinds in by_help.items())


def every_help() -> str:
    """`feeds add --every`: each kind's default interval."""
    defaults = ", ".join(f"{declared.every} {kind}" for kind, declared in declarations().items())
    return f"poll interval, e.g. 2m, 15m, 1h (default: the kind's: {defaults})"


def option_help() -> str:
    """`feeds add --option`: the options each kind declares."""
    named = [f"{kind}: {', '.join(d.option_names)}" for kind, d in declarations().items() if d.options]
    return (
        "a kind-specific setting, repeatable; a comma makes a list, like site=serverfault or tagged=nginx,tls ("
        + "; ".join(named)
        + ")"
    )


def query_help() -> str:
    """`feeds add --query`: the kinds that search beside their place."""
    return f"search words within the place ({', '.join(query_kinds(declarations()))}); the others take them as TARGET"


def feed_from_args(args: argparse.Namespace, taken: set[str]) -> tuple[Feed, str]:
    """The Feed `feeds add` describes, named from its target unless --name is given, and what it does in words."""
    kind = args.kind
    kinds = declarations()
    target = feed_target(kind, args.target, getattr(args, "query", None), kinds)
    options: dict[str, Any] = {"tags": [t.strip() for t in args.tags.split(",") if t.strip()]} if args.tags else {}
    options |= target.options
    options |= parse_options(getattr(args, "option", None) or [])
    text = args.every or default_every(kind, kinds)
    try:
        every = parse_duration(text)
    except ValueError as exc:
        raise ConfigError(f"--every {text!r}: {exc}") from None
    name = args.name or derive_feed_name(kind, target.name_hint, taken)
    url = target.url or args.base_url
    return Feed(name=name, kind=kind, every=every, url=url, query=target.query, options=options), target.means


def parse_options(pairs: list[str]) -> dict[str, Any]:
    """``--option KEY=VALUE`` flags as a feed's options: true/false become flags, a value with commas a list."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option {pair!r}: write it as key=value, like --option site=serverfault")
        word = value.strip()
        if "," in value:
            options[key.strip()] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            options[key.strip()] = {"true": True, "false": False}.get(word.lower(), word)
    return options


async def look_at(app: App, feed: Feed, args: argparse.Namespace) -> Feed:
    """Fetch an RSS feed's address once: a page that is no feed is refused, or swapped for the feed it advertises
    (with --yes, or a yes at a terminal); an address that cannot be reached now is added with a warning."""
    if feed.kind != "rss" or feed.url is None or args.no_check:
        return feed
    policy = replace(fetch_policy(app.settings), timeout=CHECK_TIMEOUT, deadline=2 * CHECK_TIMEOUT)
    try:
        async with SafeHttp(policy) as http:
            answer = await http.get(feed.url)
    except FetchError as exc:
        print(f"warning: could not look at it now ({exc}); its polls will say if it fails", file=sys.stderr)
        return feed
    skip = "or add it unchecked with --no-check"
    if answer.status >= 400:
        raise ConfigError(f"{feed.url} answered HTTP {answer.status}: check the address, {skip}")
    if not looks_like_html(answer.headers.get("content-type", ""), answer.content):
        return feed
    found = advertised_feeds(answer.content.decode("utf-8", "replace"), answer.url)
    if not found:
        raise ConfigError(
            f"{feed.url} is a web page, not a feed, and it names no feed; find the feed's address on the site "
            f"(often /feed, /rss or /atom.xml), {skip}"
        )
    chosen = choose(found, args)
    if chosen is None:
        listed = "\n".join(f"  {url}" + (f"  ({title})" if title else "") for url, title in found)
        again = f"earshot feeds add rss {found[0][0]}" + (f" --name {args.name}" if args.name else "")
        yes = " (or the same command with --yes)" if len(found) == 1 else ""
        raise ConfigError(f"{feed.url} is a web page, not a feed; it advertises:\n{listed}\nadd one with: {again}{yes}")
    print(f"{feed.url} is a web page; using the feed it advertises: {chosen}")
    taken = {s.feed.name for s in await app.catalog.feeds()}
    name = args.name or derive_feed_name("rss", chosen, taken)
    return replace(feed, url=chosen, name=name)


def choose(found: list[tuple[str, str]], args: argparse.Namespace) -> str | None:
    """The advertised feed to use: the only one with --yes; at a terminal, the one picked; else None (never waits
    for input that cannot come)."""
    if args.yes:
        return found[0][0] if len(found) == 1 else None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    print(f"{args.target} is a web page, not a feed; it advertises:")
    for n, (url, title) in enumerate(found, 1):
        print(f"  {n}. {url}" + (f"  ({title})" if title else ""))
    answer = input("Add which feed? number, or Enter for 1, or n to cancel: ").strip().lower()
    if answer in ("", "1", "y", "yes"):
        return found[0][0]
    if answer.isdigit() and 1 <= int(answer) <= len(found):
        return found[int(answer) - 1][0]
    return None


async def add(app: App, args: argparse.Namespace) -> int:
    """feeds add: build, look at, add, and say what the feed does."""
    taken = {s.feed.name for s in await app.catalog.feeds()}
    feed, means = feed_from_args(args, taken)
    app.catalog.check_feed(feed)
    feed = await look_at(app, feed, args)
    try:
        feed = await app.catalog.add_feed(feed, actor())
    except AlreadyExists as exc:
        raise AlreadyExists(f"{exc}; give this one another name with --name NAME") from None
    if feed.url and means.startswith("reads http"):
        means = f"reads {feed.url}"
    print(f"added feed {feed.name} ({feed.kind}): {means}; its first poll records what is there and alerts nothing")
    return 0
