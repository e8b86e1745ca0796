"""The `earshot` command: parse arguments, load the config, run one command, turn errors into clear messages.

Exit codes: 0 done; 1 could not run (database unreachable, feed test failed); 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from adapters.cli import commands
from adapters.cli.logs import setup_logging
from adapters.settings import load_settings
from adapters.settings.load import find_config
from bot import __version__
from bot.errors import ConfigError, EarshotError, InvalidQuery

log = logging.getLogger("earshot")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="earshot", description="Find the conversations worth joining and bring them to your team's chat."
    )
    parser.add_argument("--config", metavar="PATH", help="config file (default: $EARSHOT_CONFIG or ./earshot.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument("--version", action="version", version=f"earshot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = sub.add_parser("init", help="write a commented starter config file")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    sub.add_parser("check-config", help="validate the config file and say what it holds")
    status = sub.add_parser("status", help="feeds with their state and errors, undelivered alerts, delivery errors")
    status.add_argument("--json", action="store_true", help="print JSON instead of tables")

    run = sub.add_parser("run", help="watch the feeds and deliver alerts until stopped")
    run.add_argument("--once", action="store_true", help="poll every feed once, deliver what is pending, exit")

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    upgrade = db.add_parser("upgrade", help="migrate the database to the latest schema")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = db.add_parser("downgrade", help="migrate the database back to a revision ('base' empties it)")
    downgrade.add_argument("revision")
    db.add_parser("current", help="show the database's schema revision")

    topics = sub.add_parser("topics", help="what to look for").add_subparsers(dest="topics_command", required=True)
    add = topics.add_parser("add", help="add a topic")
    add.add_argument("name")
    add.add_argument("query", help="""e.g. '"vector database" OR pgvector -job'""")
    add.add_argument("--channel", help="channel for its alerts (default: [chat] channel)")
    add.add_argument(
        "--min-score",
        type=int,
        default=50,
        metavar="N",
        help="joinability score (0-100) an alert needs to be posted (default: 50)",
    )
    topics.add_parser("list", help="list topics")
    remove = topics.add_parser("remove", help="remove a topic added with `topics add`")
    remove.add_argument("name")

    feeds = sub.add_parser("feeds", help="where to listen").add_subparsers(dest="feeds_command", required=True)
    fadd = feeds.add_parser("add", help="add a feed")
    fadd.add_argument("kind", help="hackernews | rss")
    fadd.add_argument("target", nargs="?", help="the feed URL (rss) or search words (hackernews)")
    fadd.add_argument("--name", help="a name for it (default: derived from the target)")
    fadd.add_argument("--every", default=None, help="poll interval, e.g. 2m, 15m, 1h (default: 2m HN, 15m RSS)")
    fadd.add_argument("--tags", help="hackernews: comma-separated among story, comment, ask_hn, show_hn")
    fadd.add_argument("--base-url", help="API base URL override (mirrors, tests)")
    feeds.add_parser("list", help="list feeds with their state (last error, next try)")
    fremove = feeds.add_parser("remove", help="remove a feed added with `feeds add`")
    fremove.add_argument("name")
    ftest = feeds.add_parser("test", help="fetch a feed now and show what it would alert, or why it cannot")
    ftest.add_argument("feed", metavar="NAME_OR_URL")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `earshot` console script."""
    args = build_parser().parse_args(argv)
    setup_logging(verbose=args.verbose)
    try:
        if args.command == "init":
            return commands.init(find_config(args.config, os.environ), force=args.force)
        path = find_config(args.config, os.environ)
        settings = load_settings(path, os.environ)
        setup_logging(
            verbose=args.verbose,
            level=settings.log_level,
            secrets=commands.secrets_of(settings),
            format=settings.log_format,
        )
        return asyncio.run(commands.dispatch(args, settings))
    except (ConfigError, InvalidQuery) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except EarshotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
