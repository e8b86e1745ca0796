"""Hostile feed bodies for tests: entity-expansion ("billion laughs") DOCTYPEs."""

from __future__ import annotations

import itertools


def billion_laughs_doctype(root: str = "rss") -> str:
    """A DOCTYPE whose entity lol9 expands to 10**9 "lol"s: each level references the one below ten times."""
    names = ["lol", *(f"lol{i}" for i in range(1, 10))]
    levels = "".join(f'  <!ENTITY {name} "{f"&{below};" * 10}">\n' for below, name in itertools.pairwise(names))
    return f'<!DOCTYPE {root} [\n  <!ENTITY lol "lol">\n{levels}]>\n'


def big_entity_doctype(size: int, root: str = "rss") -> str:
    """A DOCTYPE with one plain entity ``big`` of ``size`` characters, which feedparser deems safe and keeps."""
    # One declaration per line: feedparser only recognises entity declarations at the start of a line.
    return f'<!DOCTYPE {root} [\n  <!ENTITY big "{"x" * size}">\n]>\n'
