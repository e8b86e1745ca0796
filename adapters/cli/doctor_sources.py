"""`earshot doctor`'s look at the sources: each kind in use whose source can test its credential does so once.

A source offers ``check_credentials(feed)``, an awaitable of ``(ok, what was found, what to do)``; doctor asks it
for the first feed of that kind (from the config file and, when reachable, the database). The answer names the
environment variable to set; the value itself is never printed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

from earshot.adapters.chat.doctor import Finding
from earshot.adapters.cli.builders import fetch_policy
from earshot.adapters.http import SafeHttp
from earshot.adapters.settings import Settings
from earshot.adapters.sources import build_sources
from earshot.adapters.storage import SqlStore, create_engine
from earshot.bot.domain import Feed

log = logging.getLogger(__name__)

Check = Callable[[Feed], Awaitable[tuple[bool, str, str]]]


async def feeds_in_use(settings: Settings) -> list[Feed]:
    """The config file's feeds, then the database's (left out when it cannot be read: doctor works without it)."""
    feeds = list(settings.feeds)
    if _no_sqlite_file(settings.database_url):
        return feeds  # opening a SQLite file that is not there would create it, and doctor creates nothing
    engine = create_engine(settings.database_url)
    try:
        async with SqlStore(engine).unit() as unit:
            feeds += [state.feed for state in await unit.list_feeds()]
    except Exception as exc:  # doctor must work before the database does; the chat checks say so already
        log.debug("doctor: the database's feeds are not checked (%s)", type(exc).__name__)
    finally:
        await engine.dispose()
    return feeds


def _no_sqlite_file(database_url: str) -> bool:
    url = make_url(database_url)
    return url.get_backend_name() == "sqlite" and (not url.database or not Path(url.database).is_file())


async def source_credentials(settings: Settings, env: Mapping[str, str] | None = None) -> list[Finding]:
    """One finding per kind in use whose source checks its credential."""
    first: dict[str, Feed] = {}
    for feed in await feeds_in_use(settings):
        first.setdefault(feed.kind, feed)
    findings: list[Finding] = []
    async with SafeHttp(fetch_policy(settings)) as http:
        sources = build_sources(http, os.environ if env is None else env)
        for kind, feed in first.items():
            check: Check | None = getattr(sources.get(kind), "check_credentials", None)
            if check is not None:
                ok, text, fix = await check(feed)
                findings.append(Finding(ok, text, "" if ok else fix))
    return findings
