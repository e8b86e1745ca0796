"""Cutting mrkdwn built from escaped pieces without breaking its markup."""

from __future__ import annotations

import re

# The pieces mrkdwn built by render.py is cut between: markup it made (<url|label>, <@U..>, <!date^..>), an
# entity, or one character.
_ATOM = re.compile(r"<[^<>]*>|&(?:amp|lt|gt);|.", re.DOTALL)


def cut_mrkdwn(text: str, limit: int) -> str:
    """mrkdwn built here shortened to ``limit`` characters with an ellipsis, cut between whole pieces of markup:
    never inside an entity (``&amp;``) or a ``<...>``. A link that does not fit is cut on its label; with no
    room for its URL, its label is shown as words."""
    if len(text) <= limit:
        return text
    room = max(limit - 1, 0)  # the ellipsis takes one
    kept: list[str] = []
    for atom in _ATOM.findall(text):
        if len(atom) <= room:
            kept.append(atom)
            room -= len(atom)
            continue
        target, bar, label = atom[1:-1].partition("|") if atom.startswith("<") else ("", "", "")
        space = room + 1 - len(target) - 4  # the link's own ellipsis stands for the message's: "<", "|", "…", ">"
        if bar and target.startswith("http") and space >= 1:
            kept.append(f"<{target}|{_whole_atoms(label, space).rstrip()}…>")
            return "".join(kept)
        if bar and target.startswith("http"):
            kept.append(_whole_atoms(label, room))
        break
    return "".join(kept).rstrip() + "…" if limit > 0 else ""


def _whole_atoms(text: str, room: int) -> str:
    """The longest start of ``text`` (escaped words, no ``<...>``) of whole characters and entities within ``room``."""
    kept: list[str] = []
    for atom in _ATOM.findall(text):
        if len(atom) > room:
            break
        kept.append(atom)
        room -= len(atom)
    return "".join(kept)
