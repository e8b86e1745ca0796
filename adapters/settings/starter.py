"""The starter file `earshot init` writes: starter.toml, with the lines about feed kinds filled in from what each
kind declares (its name, its default interval, a commented example), so a new kind appears there by itself."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from importlib import resources

from earshot.bot.ports import SourceKind

from .fields import one_of

WIDTH = 116  # the starter's comment lines stay within 120 columns, like the rest of the file
KEY_INDENT = "#            "  # where the text of a "#   key      text" line continues


def _key_line(key: str, text: str) -> str:
    """A "#   key      text" line of the feeds legend, wrapped."""
    first = f"#   {key:<9}"
    return "\n".join(textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=KEY_INDENT))


def kinds_line(kinds: Mapping[str, SourceKind]) -> str:
    """The legend's kind line: every kind, with the service it reads where its name does not say it."""
    named = [f'"{kind}"' + _title(kind, declared) for kind, declared in kinds.items()]
    return _key_line("kind", one_of(named))


def _title(kind: str, declared: SourceKind) -> str:
    return "" if declared.title.lower().replace(" ", "") == kind else f" ({declared.title})"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def intervals_line(kinds: Mapping[str, SourceKind]) -> str:
    """The legend's every line: the minimum, and each kind's default interval, kinds of one interval together."""
    by_every: dict[str, list[str]] = {}
    for kind, declared in kinds.items():
        by_every.setdefault(declared.every, []).append(kind)
    defaults = ", ".join(f'"{every}" {_and(names)}' for every, names in by_every.items())
    return _key_line("every", f'how often to poll it; at least "30s" (default: {defaults})')


def examples(kinds: Mapping[str, SourceKind]) -> str:
    """Each kind's example [[feeds]] table, commented out, under its note; kinds without one are left out."""
    blocks = []
    for declared in kinds.values():
        if not declared.example:
            continue
        note = textwrap.wrap(declared.example_note, WIDTH, initial_indent="# ", subsequent_indent="# ")
        table = [f"# {line}" for line in declared.example.strip().splitlines()]
        blocks.append("\n".join(note + table))
    return "\n#\n".join(blocks)


def render(template: str, kinds: Mapping[str, SourceKind]) -> str:
    """The starter text: ``template`` with its ``# <kinds>``, ``# <intervals>`` and ``# <examples>`` lines filled."""
    filled = {"# <kinds>": kinds_line(kinds), "# <intervals>": intervals_line(kinds), "# <examples>": examples(kinds)}
    return "\n".join(filled.get(line, line) for line in template.split("\n"))


def template() -> str:
    """starter.toml as shipped, with its placeholders."""
    return resources.files("earshot.adapters.settings").joinpath("starter.toml").read_text(encoding="utf-8")
