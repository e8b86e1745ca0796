"""`earshot team`, `earshot report` and `earshot topics suggest`: the team's handles, numbers and lessons."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import defaultdict
from pathlib import Path

from earshot.adapters.cli.app import App
from earshot.adapters.cli.builders import utc_now
from earshot.adapters.reports import draw_chart, render_csv, render_markdown
from earshot.adapters.settings.durations import parse_duration
from earshot.bot.domain import Handle
from earshot.bot.errors import ConfigError, NotFound
from earshot.bot.finding.feedback import FEEDBACK_WINDOW, suggest_exclusions, with_exclusions
from earshot.bot.followup.reports import build_report
from earshot.bot.followup.stats import report_text
from earshot.bot.team_handles import handles_text, parse_handles

DEFAULT_PNG = "earshot-report.png"


async def sync_team(app: App) -> None:
    """Link the handles of the config file's [[team]] entries (chat and CLI links stay beside them)."""
    handles = app.settings.how_it_went.team
    if handles:
        async with app.store.unit() as unit:
            await unit.set_handles(handles, utc_now())


async def team(app: App, args: argparse.Namespace) -> int:
    """team list|set."""
    if args.team_command == "set":
        found = parse_handles(args.handles, args.member, args.name, sources=app.sources)
        async with app.store.unit() as unit:
            await unit.set_handles(found, utc_now())
            mine = await unit.list_handles(args.member)
        print(f"{args.name or args.member}: {handles_text(mine)}")
        return 0
    async with app.store.unit() as unit:
        handles = await unit.list_handles()
    if not handles:
        print("No handles yet. Link some: earshot team set U024BE7LH hackernews=alice reddit=alice_b")
        return 0
    by_member: dict[str, list[Handle]] = defaultdict(list)
    for handle in handles:
        by_member[handle.member].append(handle)
    for member, own in sorted(by_member.items()):
        name = next((h.name for h in own if h.name), None)
        label = f"{name} ({member})" if name else member
        print(f"{label}: {handles_text(own)}")
    return 0


async def report(app: App, args: argparse.Namespace) -> int:
    """The numbers over --since, as text, Markdown, CSV or a PNG chart."""
    try:
        period = parse_duration(args.since)
    except ValueError as exc:
        raise ConfigError(f"--since {args.since!r}: {exc}") from None
    if period.total_seconds() <= 0:
        raise ConfigError(f"--since {args.since!r}: the period must be longer than zero, like 30d")
    now = utc_now()
    built = await build_report(app.store, now - period, now, f"Earshot report, last {args.since}")
    if args.format == "png":
        chart = draw_chart(built)
        if chart is None:
            print(f"No alerts in the last {args.since}: no chart to draw.", file=sys.stderr)
            return 0
        path = Path(args.output or DEFAULT_PNG)
        await write_out(path, chart)
        print(f"wrote {path}")
        return 0
    render = {"text": report_text, "markdown": render_markdown, "csv": render_csv}[args.format]
    text = render(built)
    if args.output:
        ending = text if text.endswith("\n") else text + "\n"
        await write_out(Path(args.output), ending.encode("utf-8"))
        print(f"wrote {args.output}")
    else:
        print(text)
    return 0


async def write_out(path: Path, content: bytes) -> None:
    """Write a report file; a path that cannot be written is a sentence naming it and why."""
    try:
        await asyncio.to_thread(path.write_bytes, content)
    except OSError as exc:
        raise ConfigError(f"--output {path}: cannot write it ({exc.strerror or exc})") from None


async def suggest(app: App, name: str, limit: int) -> int:
    """Propose terms to exclude from a topic, drawn from what people dismissed, as a ready query edit."""
    async with app.store.unit() as unit:
        topic = await unit.get_topic(name)
        if topic is None:
            raise NotFound(f"there is no topic {name!r}; see `earshot topics list`")
        texts = await unit.feedback_texts(utc_now() - FEEDBACK_WINDOW, 500)
    dismissed, kept = texts.get(name, ([], []))
    terms = suggest_exclusions(dismissed, kept, topic.query, limit=limit)
    if not terms:
        print(
            f"{name}: nothing to suggest yet ({len(dismissed)} dismissed, {len(kept)} claimed in the last "
            f"{FEEDBACK_WINDOW.days} days); terms show up once a few dismissed alerts share words claimed ones lack."
        )
        return 0
    print(f"{name}: {len(dismissed)} dismissed and {len(kept)} claimed alerts suggest excluding:")
    for term in terms:
        print(f"  {term.term}: in {term.dismissed} dismissed, {term.kept} claimed")
    query = with_exclusions(topic.query, [t.term for t in terms])
    if topic.origin == "config":
        print(f"\nIn the config file, [[topics]] name = {name!r}:\nquery = {query!r}")
    else:
        print(f"\nearshot topics remove {name} && earshot topics add {name} {_shell(query)}")
    return 0


def _shell(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"
