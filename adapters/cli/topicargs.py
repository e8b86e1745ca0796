"""The options of `earshot topics add|edit|show|preview`, and the topic (or the change to one) they describe.

Only argparse here: the parser is built before anything heavy is imported (see :mod:`earshot.adapters.cli.main`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from earshot.bot.domain import Topic
from earshot.bot.errors import ConfigError

DEFAULT_MIN_SCORE = 50
PREVIEW_DAYS = 7

FreeText = Callable[[argparse.ArgumentParser], argparse.ArgumentParser]


def _languages(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.strip().lower() for c in text.split(",") if c.strip()))


def _filter_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """--channel, --min-score, --languages, --exclude-author and --exclude-source."""
    parser.add_argument("--channel", help="channel for its alerts (default: [chat] channel)")
    parser.add_argument(
        "--min-score",
        type=int,
        default=None if editing else DEFAULT_MIN_SCORE,
        metavar="N",
        help="joinability score (0-100) an alert needs to be posted (default: 50)",
    )
    parser.add_argument(
        "--languages",
        metavar="CODES",
        help="the languages it reads, comma-separated, e.g. en,de (default: [scoring] languages)"
        + ("; '' for the team's" if editing else ""),
    )
    again = " (repeat); replaces the list" if editing else " (repeat)"
    parser.add_argument(
        "--exclude-author",
        action="append",
        default=None,
        metavar="NAME",
        help="never alert this author's posts" + again,
    )
    parser.add_argument(
        "--exclude-source",
        action="append",
        default=None,
        metavar="KIND_OR_FEED",
        help="never alert items from this feed kind or feed name" + again,
    )


def _meaning_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """--about, --example, --counter-example, --without-keyword/--keyword-only and --accept."""
    replaces = "; replaces the list" if editing else ""
    parser.add_argument("--about", metavar="TEXT", help="what the team knows and whom it helps, in plain words")
    parser.add_argument(
        "--example",
        action="append",
        default=None,
        metavar="TEXT",
        help=f"a post worth joining, as people write it (repeat){replaces}",
    )
    parser.add_argument(
        "--counter-example",
        action="append",
        default=None,
        metavar="TEXT",
        help=f"a post sharing the topic's words but not worth joining (repeat){replaces}",
    )
    keyword = parser.add_mutually_exclusive_group()
    keyword.add_argument(
        "--without-keyword",
        dest="without_keyword",
        action="store_const",
        const=True,
        default=None,
        help="also score items with no query term that are close in meaning to --about",
    )
    keyword.add_argument(
        "--keyword-only",
        dest="without_keyword",
        action="store_const",
        const=False,
        help="only items matching the query (the default)",
    )
    parser.add_argument("--accept", metavar="TEXT", help="an instruction in plain words for the optional LLM judge")
    if editing:
        parser.add_argument("--no-examples", action="store_true", help="forget the examples")
        parser.add_argument("--no-counter-examples", action="store_true", help="forget the counter examples")


def register(topics: Any, free_text: FreeText) -> None:
    """Add `topics add`, `edit`, `show` and `preview` to the `topics` subparsers."""
    add = free_text(topics.add_parser("add", help="add a topic"))
    add.add_argument("name")
    add.add_argument("query", help="""e.g. '"vector database" OR pgvector -job'""")
    _filter_options(add, editing=False)
    _meaning_options(add, editing=False)

    edit = topics.add_parser("edit", help="change a topic added with `topics add` or in chat; the rest stays")
    edit.add_argument("name")
    edit.add_argument("--query", help="the new query")
    _filter_options(edit, editing=True)
    _meaning_options(edit, editing=True)

    show = topics.add_parser("show", help="one topic whole: its query, filters and what it means")
    show.add_argument("name")

    preview = free_text(
        topics.add_parser(
            "preview",
            help="try a draft topic on the items stored in the last days: what it would post and hold; saves nothing",
        )
    )
    preview.add_argument("name", help="a name for the draft (an existing topic's name tries the draft in its place)")
    preview.add_argument("query", help="""e.g. '"vector database" OR pgvector -job'""")
    _filter_options(preview, editing=False)
    _meaning_options(preview, editing=False)
    preview.add_argument(
        "--days", type=int, default=PREVIEW_DAYS, metavar="N", help=f"how far back (default: {PREVIEW_DAYS})"
    )
    preview.add_argument(
        "--limit", type=int, default=20, metavar="N", help="at most N items of each kind shown (default: 20)"
    )


def topic_from_args(args: argparse.Namespace) -> Topic:
    """The topic `topics add` or `topics preview` describes."""
    return Topic(
        args.name,
        args.query,
        args.channel,
        min_score=args.min_score,
        languages=_languages(args.languages or ""),
        exclude_authors=tuple(dict.fromkeys(args.exclude_author or ())),
        exclude_sources=tuple(dict.fromkeys(args.exclude_source or ())),
        about=(args.about or "").strip(),
        examples=_posts(args.example),
        counter_examples=_posts(args.counter_example),
        without_keyword=bool(args.without_keyword),
        accept=(args.accept or "").strip(),
    )


def _posts(values: list[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values or ()))


def change_from_args(args: argparse.Namespace) -> Callable[[Topic], Topic]:
    """What `topics edit` changes: each option given replaces that part of the topic; the rest stays."""
    changes: dict[str, Any] = {}
    for key in ("query", "channel", "min_score", "without_keyword"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    if changes.get("channel") == "":
        changes["channel"] = None
    for key in ("about", "accept"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key).strip()
    if args.languages is not None:
        changes["languages"] = _languages(args.languages)
    if args.exclude_author is not None:
        changes["exclude_authors"] = tuple(dict.fromkeys(args.exclude_author))
    if args.exclude_source is not None:
        changes["exclude_sources"] = tuple(dict.fromkeys(args.exclude_source))
    if args.no_examples or args.example is not None:
        changes["examples"] = () if args.no_examples else _posts(args.example)
    if args.no_counter_examples or args.counter_example is not None:
        changes["counter_examples"] = () if args.no_counter_examples else _posts(args.counter_example)
    if not changes:
        raise ConfigError("nothing to change: give at least one option, e.g. --about or --example")

    def change(topic: Topic) -> Topic:
        return replace(topic, **changes)

    return change
