"""What `feeds add KIND TARGET` (command line and chat) means for each kind: where to read, what to search, and a
sentence saying which it is. Each kind's declaration (:class:`earshot.bot.ports.SourceKind`) says what its target names;
a kind whose target is a name of its own (a subreddit) reads it with the declaration's ``read_target``."""

from __future__ import annotations

from collections.abc import Mapping

from earshot.bot.errors import ConfigError
from earshot.bot.ports.sources import SourceKind, Target, TargetRule

__all__ = ["Target", "declared", "feed_target", "query_kinds"]


def declared(kinds: Mapping[str, SourceKind] | None, kind: str) -> SourceKind:
    """The declaration of ``kind``, or a plain one (its target is search words) for a kind nobody declared: the
    catalog refuses an unknown kind with the list of known ones, so this only has to not fail first."""
    found = (kinds or {}).get(kind)
    return found if found is not None else SourceKind(kind=kind, title=kind, summary="", target=TargetRule.QUERY)


def query_kinds(kinds: Mapping[str, SourceKind] | None) -> tuple[str, ...]:
    """The kinds that take ``--query`` beside a place (mastodon, reddit), sorted; not one that has no search."""
    rules = (TargetRule.PLACE, TargetRule.NAME)
    return tuple(sorted(k for k, d in (kinds or {}).items() if d.target in rules and d.query))


def _query_is_for(kinds: Mapping[str, SourceKind] | None) -> str:
    names = query_kinds(kinds)
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names) or "no"


def feed_target(
    kind: str, target: str | None, query: str | None = None, kinds: Mapping[str, SourceKind] | None = None
) -> Target:
    """The place, search and options ``feeds add KIND TARGET [--query WORDS]`` gives a feed of ``kind``."""
    target = (target or "").strip() or None
    declaration = declared(kinds, kind)
    rule = declaration.target
    if rule is TargetRule.NAME and declaration.read_target is not None:
        return declaration.read_target(target, query)
    if rule is TargetRule.URL:
        if query:
            raise ConfigError(f"--query is for {_query_is_for(kinds)} feeds; a {kind} feed reads everything at its URL")
        return Target(url=target, means=f"reads {target}", name_hint=target)
    if rule is TargetRule.PLACE:
        means = f"reads {target}" + (f", searching for {query!r}" if query else "")
        return Target(url=target, query=query, means=means, name_hint=target)
    if query:
        raise ConfigError(f"--query is for {_query_is_for(kinds)} feeds; give the {kind} search words as TARGET")
    service = declaration.title
    means = f"searches {service} for {target!r}" if target else f"reads everything new on {service}"
    return Target(query=target, means=means, name_hint=target)
