"""The `earshot` command: parse arguments, load the config, run one command, turn errors into clear messages.

Exit codes: 0 done; 1 could not run (database unreachable, feed test failed); 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, cast

from earshot.adapters.cli import topicargs
from earshot.bot import __version__
from earshot.bot.domain import DeliveryState
from earshot.bot.errors import ConfigError, EarshotError, InvalidQuery

log = logging.getLogger("earshot")

BROKEN_PIPE = 141
"""Exit status when the reader of standard output went away (``earshot alerts list | head``): 128 + SIGPIPE, as
the shell reports for any tool stopped by a closed pipe."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose every (sub)command takes ``-v`` and ``--config`` anywhere, and whose free-text
    positionals (a topic's query, a feed's search words) may start with a dash: ``topics add t -postgres``."""

    free_text = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # SUPPRESS: a subcommand without -v or --config leaves what the main parser found (`earshot -v feeds list`).
        self.add_argument(
            "-v",
            "--verbose",
            action="count",
            default=argparse.SUPPRESS,
            help="log debug details and HTTP requests; -vv adds the database driver's",
        )
        self.add_argument(
            "--config",
            metavar="PATH",
            default=argparse.SUPPRESS,
            help="config file (default: $EARSHOT_CONFIG or ./earshot.toml)",
        )

    def _parse_optional(self, arg_string: str) -> Any:
        # A single-dash word that is none of this command's options is text (`-postgres` excludes a word);
        # a double-dash one stays an option, so a mistyped --chanel is still refused.
        if (
            self.free_text
            and arg_string.startswith("-")
            and not arg_string.startswith("--")
            and len(arg_string) > 2
            and arg_string not in self._option_string_actions
        ):
            return None
        return super()._parse_optional(arg_string)


class _FeedKindsHelp:
    """A `feeds add` help text made only when help is shown: it reads every source kind's declaration, which
    `earshot --help` and the other commands need not load (see tests/adapters/cli/test_lean.py)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        from earshot.adapters.cli import feedadd

        return str(getattr(feedadd, self.name)())

    def __mod__(self, params: object) -> str:  # argparse expands %(default)s in help texts
        return str(self) % params

    def strip(self) -> str:  # argparse asks whether a help text is blank
        return str(self).strip()


def feed_kinds_help(name: str) -> str:
    """The help text ``feedadd.<name>()`` returns, computed when shown (argparse takes it as a str)."""
    return cast(str, _FeedKindsHelp(name))


def free_text(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Mark a subcommand's positionals as free text that may begin with a dash."""
    assert isinstance(parser, Parser)
    parser.free_text = True
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every subcommand."""
    parser = Parser(
        prog="earshot", description="Find the conversations worth joining and bring them to your team's chat."
    )
    parser.add_argument("--version", action="version", version=f"earshot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = sub.add_parser("init", help="write a commented starter config file")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    sub.add_parser("check-config", help="validate the config file and say what it holds")
    sub.add_parser("doctor", help="check the chat platform's tokens, permissions and channels; say what to fix")
    status = sub.add_parser("status", help="feeds with their state and errors, undelivered alerts, delivery errors")
    status.add_argument("--json", action="store_true", help="print JSON instead of tables")

    run = sub.add_parser("run", help="watch the feeds and deliver alerts until stopped")
    run.add_argument("--once", action="store_true", help="poll every feed once, deliver what is pending, exit")

    db = sub.add_parser("db", help="database schema and retention").add_subparsers(dest="db_command", required=True)
    upgrade = db.add_parser("upgrade", help="migrate the database to the latest schema")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = db.add_parser("downgrade", help="migrate the database back to a revision ('base' empties it)")
    downgrade.add_argument("revision", help="a revision from `earshot db history`, -1 for the one before, or base")
    downgrade.add_argument("--yes", action="store_true", help="go on although tables and their data are dropped")
    db.add_parser("current", help="show the database's schema revision")
    db.add_parser("history", help="list the schema revisions, oldest first, with where the database is")
    prune = db.add_parser("prune", help="remove what [retention] lets go now (`earshot run` does it every hour)")
    prune.add_argument("--dry-run", action="store_true", help="only count what would go")

    topics = sub.add_parser("topics", help="what to look for").add_subparsers(dest="topics_command", required=True)
    topicargs.register(topics, free_text)
    topics.add_parser("list", help="list topics")
    remove = topics.add_parser("remove", help="remove a topic added with `topics add`")
    remove.add_argument("name")
    suggest = topics.add_parser("suggest", help="propose exclusion terms from the alerts people dismissed")
    suggest.add_argument("name")
    suggest.add_argument("--limit", type=int, default=5, metavar="N", help="how many terms at most (default: 5)")

    feeds = sub.add_parser("feeds", help="where to listen").add_subparsers(dest="feeds_command", required=True)
    fadd = free_text(feeds.add_parser("add", help="add a feed"))
    fadd.add_argument("kind", help=feed_kinds_help("kind_help"))
    fadd.add_argument("target", nargs="?", help=feed_kinds_help("target_help"))
    fadd.add_argument("--name", help="a name for it (default: from the target, e.g. the host and path of a URL)")
    fadd.add_argument("--every", default=None, help=feed_kinds_help("every_help"))
    fadd.add_argument(
        "--yes", action="store_true", help="rss: when the URL is a web page advertising one feed, add that feed"
    )
    fadd.add_argument("--no-check", action="store_true", help="rss: add the URL without fetching it first")
    fadd.add_argument(
        "--tags",
        help="hackernews: comma-separated among story, comment, ask_hn, show_hn; lobsters, stackexchange: tags",
    )
    fadd.add_argument("--base-url", help="API base URL override (mirrors, tests)")
    fadd.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=feed_kinds_help("option_help"),
    )
    fadd.add_argument("--query", help=feed_kinds_help("query_help"))
    feeds.add_parser("list", help="list feeds with their state (last error, next try)")
    fremove = feeds.add_parser("remove", help="remove a feed added with `feeds add`")
    fremove.add_argument("name")
    explain = sub.add_parser("explain", help="why an alert was posted, held or not made, topic by topic")
    explain.add_argument("target", metavar="ALERT_ID_OR_URL", help="an alert id, or a conversation's URL (any form)")
    check = sub.add_parser("check-reply", help="a checklist for a draft reply to an alert's thread; posts nothing")
    check.add_argument("alert_id", metavar="ALERT_ID", help="the alert whose thread the draft answers")
    check.add_argument("file", metavar="FILE", help="the draft, in a text file, or - to read it from standard input")
    check.add_argument("--member", help="who will post it (chat user id), for what counts as their own in [[team]]")
    check.add_argument(
        "--earlier",
        action="append",
        default=[],
        metavar="FILE",
        help="an earlier reply by the team, to catch a near copy (may be given more than once)",
    )
    alerts = sub.add_parser("alerts", help="alerts as stored").add_subparsers(dest="alerts_command", required=True)
    alist = alerts.add_parser("list", help="recent alerts, newest first (below_min and held ones too)")
    alist.add_argument("--state", choices=[s.value for s in DeliveryState], help="only alerts in this state")
    alist.add_argument("--topic", help="only this topic's alerts")
    alist.add_argument("--limit", type=int, default=50, metavar="N", help="at most N alerts (default: 50)")
    aclaim = alerts.add_parser(
        "claim", help="claim an alert for a teammate and show their briefing (privately: here, or the chat's way)"
    )
    aclaim.add_argument("alert_id", metavar="ALERT_ID")
    aclaim.add_argument("--as", dest="member", required=True, metavar="MEMBER", help="the teammate's chat id or name")
    ftest = feeds.add_parser(
        "test", help="fetch a feed now: each item's score and whether `run` would post or hold it; stores nothing"
    )
    ftest.add_argument("feed", metavar="NAME_OR_URL")

    team = sub.add_parser("team", help="the team's accounts on the sources").add_subparsers(
        dest="team_command", required=True
    )
    team.add_parser("list", help="list each member's handles")
    tset = team.add_parser("set", help="link a member's handles, e.g. team set U024BE7LH hackernews=alice")
    tset.add_argument("member", help="the chat user id")
    tset.add_argument("handles", nargs="+", metavar="SOURCE=HANDLE")
    tset.add_argument("--name", help="how to call them in messages")

    report = sub.add_parser("report", help="the team's numbers: alerts, claims, replies, outcomes")
    report.add_argument("--since", default="30d", help="the period, e.g. 7d, 30d (default: 30d)")
    report.add_argument("--format", choices=("text", "markdown", "csv", "png"), default="text")
    report.add_argument("--output", metavar="PATH", help="write to a file (png: default earshot-report.png)")

    discord_cmd = sub.add_parser("discord", help="Discord helpers").add_subparsers(
        dest="discord_command", required=True
    )
    invite = discord_cmd.add_parser(
        "invite", help="print the URL that adds the bot with exactly the permissions it needs"
    )
    invite.add_argument("--client-id", help="the application id (default: asked of Discord with DISCORD_TOKEN)")
    invite.add_argument("--guild", help="preselect this server id in the invite page")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `earshot` console script."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a closed pipe shows here for output still buffered
    except BrokenPipeError:
        # The reader left (`| head`): stop quietly. Standard output now goes nowhere, so the interpreter's own
        # flush at exit cannot fail again with a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE
    return code


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    # Imported once the arguments are read: `earshot --help` and a usage error need none of the commands, the
    # settings or the libraries behind them (SQLAlchemy, pydantic, HTTP clients, chat SDKs).
    import asyncio

    from earshot.adapters.cli import commands
    from earshot.adapters.cli.logs import setup_logging
    from earshot.adapters.settings import load_settings
    from earshot.adapters.settings.load import find_config

    verbose = getattr(args, "verbose", 0)
    setup_logging(verbose=verbose)
    try:
        if args.command == "init":
            return commands.init(find_config(getattr(args, "config", None), os.environ), force=args.force)
        path = find_config(getattr(args, "config", None), os.environ)
        # The schema steps never talk to the chat; doctor lists missing tokens among its fixes; an invite URL needs
        # only the application id (asked of Discord with the token when not given).
        settings = load_settings(path, os.environ, chat_tokens=args.command not in ("db", "doctor", "discord"))
        setup_logging(
            verbose=verbose,
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
