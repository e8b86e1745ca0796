"""The source kinds Earshot knows: the built-in ones, then any a package registers in the ``earshot.sources``
entry point group. Everything that needs to know about kinds (settings, the CLI, chat commands, scoring, new
feeds' intervals, log masking, the configuration reference) reads the declarations listed here."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from importlib.metadata import EntryPoint, entry_points

from earshot.adapters.http import SafeHttp
from earshot.adapters.sources import (
    bluesky,
    devto,
    discourse,
    github,
    hackernews,
    lobsters,
    mastodon,
    producthunt,
    reddit,
    rss,
    stackexchange,
    x,
    youtube,
)
from earshot.adapters.sources.plugin import SourcePlugin
from earshot.bot.ports import Source, SourceKind

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "earshot.sources"
"""Where a third-party package names its SourcePlugin: ``[project.entry-points."earshot.sources"]``."""

BUILT_IN: tuple[SourcePlugin, ...] = (
    hackernews.PLUGIN,
    rss.PLUGIN,
    stackexchange.PLUGIN,
    github.PLUGIN,
    discourse.PLUGIN,
    lobsters.PLUGIN,
    reddit.PLUGIN,
    mastodon.PLUGIN,
    bluesky.PLUGIN,
    x.PLUGIN,
    youtube.PLUGIN,
    devto.PLUGIN,
    producthunt.PLUGIN,
)
"""The kinds that ship with Earshot, in the order commands and docs list them."""

_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")


def _plugin_of(entry: EntryPoint, taken: set[str]) -> SourcePlugin | None:
    """The plugin an entry point names, or None with a warning saying what is wrong with it."""
    where = f"source plugin {entry.name!r} ({entry.value}) in {ENTRY_POINT_GROUP}"
    try:
        found = entry.load()
    except Exception as exc:  # any failure of someone else's import is a warning, not a crash
        log.warning("%s: could not be loaded (%s: %s); it is skipped", where, type(exc).__name__, exc)
        return None
    if not isinstance(found, SourcePlugin) or not isinstance(found.declaration, SourceKind):
        log.warning(
            "%s: is a %s, not an earshot.adapters.sources.plugin.SourcePlugin(declaration, build); it is skipped",
            where,
            type(found).__name__,
        )
        return None
    kind = found.declaration.kind
    if not _KIND.fullmatch(kind):
        log.warning("%s: kind %r is not a lowercase word (a-z, 0-9, _); it is skipped", where, kind)
        return None
    if kind in taken:
        log.warning("%s: kind %r is already registered; it is skipped", where, kind)
        return None
    return found


def load_plugins(
    group: str = ENTRY_POINT_GROUP, built_in: Iterable[SourcePlugin] = BUILT_IN
) -> tuple[SourcePlugin, ...]:
    """The built-in plugins, then each valid one the installed packages register in ``group``; a bad one is
    logged as a warning and left out, never raised."""
    plugins = list(built_in)
    taken = {plugin.declaration.kind for plugin in plugins}
    for entry in sorted(entry_points(group=group), key=lambda e: e.name):
        plugin = _plugin_of(entry, taken)
        if plugin is not None:
            plugins.append(plugin)
            taken.add(plugin.declaration.kind)
    return tuple(plugins)


@functools.cache
def plugins() -> tuple[SourcePlugin, ...]:
    """Every registered plugin, looked up once per process (on first use, not at import)."""
    return load_plugins()


def declarations() -> dict[str, SourceKind]:
    """Each registered kind's declaration, keyed by kind, in registration order."""
    return {plugin.declaration.kind: plugin.declaration for plugin in plugins()}


def kinds() -> tuple[str, ...]:
    """The feed kinds Earshot can poll."""
    return tuple(declarations())


def secret_env() -> tuple[str, ...]:
    """Environment variables holding source credentials: their values are masked in every log line."""
    return tuple(name for declaration in declarations().values() for name in declaration.secrets)


def half_lives() -> dict[str, timedelta]:
    """Each kind's freshness half-life, for scoring (``ScoringPolicy.half_lives``)."""
    return {kind: declaration.half_life for kind, declaration in declarations().items()}


def build_sources(http: SafeHttp, env: Mapping[str, str] | None = None) -> dict[str, Source]:
    """One source per kind, keyed by kind, sharing ``http``.

    ``env`` is where sources find their credentials (``os.environ`` in the running bot, a dict in tests); a
    source reads only the variables its declaration names, and never logs their values. A plugin whose source
    cannot be built is logged and left out.
    """
    env = {} if env is None else env
    sources: dict[str, Source] = {}
    for plugin in plugins():
        kind = plugin.declaration.kind
        try:
            sources[kind] = plugin.build(http, env)
        except Exception as exc:  # a third-party source failing to start must not stop the bot
            if plugin in BUILT_IN:
                raise
            log.warning("source plugin %r could not be built (%s: %s); it is skipped", kind, type(exc).__name__, exc)
    return sources
