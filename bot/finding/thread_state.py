"""Thread state: whether a conversation is still open to join, as its source says or as its title marks it.

Sources set ``Conversation.state`` from their own fields (an accepted answer, a closed or locked thread); this
module adds the one rule that holds for every source, a "[SOLVED]" mark in the title, and the words sources use
for "solved" in their labels (a Reddit flair), in the languages it can read cheaply. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from earshot.bot.domain import Conversation

ANSWERED = "answered"
SOLVED = "solved"
CLOSED = "closed"
LOCKED = "locked"
STATES = (ANSWERED, SOLVED, CLOSED, LOCKED)
"""From least to most final: an answered thread may still want a better answer, a locked one takes no reply."""

_RANK = {state: rank for rank, state in enumerate(STATES, start=1)}

# "Solved" in the languages a flair or a title mark is written in: English, German, Spanish, Portuguese, French,
# Italian, Dutch, Scandinavian, Polish, Czech, Russian, Ukrainian, Turkish, Japanese, Chinese, Korean.
_SOLVED_WORDS = (
    "solved",
    "resolved",
    "answered",
    "fixed",
    "gelöst",
    "geloest",
    "beantwortet",
    "resuelto",
    "resuelta",
    "solucionado",
    "solucionada",
    "resolvido",
    "resolvida",
    "résolu",
    "résolue",
    "resolu",
    "risolto",
    "risolta",
    "opgelost",
    "löst",
    "løst",
    "rozwiązane",
    "rozwiązany",
    "vyřešeno",
    "решено",
    "решён",
    "решен",
    "вирішено",
    "çözüldü",
    "解決済み",
    "解決",
    "已解决",
    "已解決",
    "해결됨",
    "해결",
)
_WORDS = "|".join(sorted((re.escape(w) for w in _SOLVED_WORDS), key=len, reverse=True))
# A whole word (CJK words have no spaces around them, so only letters of other scripts count as a boundary).
_WORD = rf"(?<![^\W\d_])(?:{_WORDS})(?![^\W\d_])"
_NEGATED = re.compile(
    r"(?<![^\W\d_])(?:not|un|no|nicht|noch\s+nicht|non|pas|niet|nie|ne|не|未)[\s-]*"
    rf"(?:yet\s+|encore\s+|ancora\s+)?(?:{_WORDS})",
    re.IGNORECASE,
)
_IN_LABEL = re.compile(_WORD, re.IGNORECASE)
# In a title: a bracketed mark anywhere ("[SOLVED]", "(solved)", "{Gelöst}", "【解決済み】"), or the word opening
# the title before a colon or dash ("Solved: ...", "SOLVED - ..."), or closing it after one ("... - solved").
_MARK = re.compile(rf"[\[(\{{【]\s*(?:✅|✔️?|☑️?)?\s*{_WORD}\s*(?:✅|✔️?|☑️?|!)?\s*[\])\}}】]", re.IGNORECASE)
# A dash (hyphen, en or em dash, a bar) counts with a space before it: "auto-resolved" and "Solved-state" are
# words, not marks.
_DASH = "[\\-\u2013\u2014|]"
_LEADING = re.compile(rf"^\s*(?:✅|✔️?|☑️?)?\s*{_WORD}\s*!*(?::|\s+{_DASH})", re.IGNORECASE)
_TRAILING = re.compile(rf"(?::|\s{_DASH})\s*{_WORD}\s*!*\s*(?:✅|✔️?|☑️?)?\s*$", re.IGNORECASE)


def marks_solved(label: str | None) -> bool:
    """Whether a label the source shows (a Reddit flair such as "Solved", "Resolved ✅", "Gelöst") says solved;
    "Unsolved", "Not solved", "No resuelto" do not."""
    if not label:
        return False
    return _IN_LABEL.search(label) is not None and _NEGATED.search(label) is None


def solved_in_title(title: str, *, untitled: bool = False) -> bool:
    """Whether a title marks its thread solved: "[SOLVED] ...", "... (solved)", "Solved: ...", "... - Resolved".

    For an untitled item (``title`` is its text's opening) only a bracketed mark counts: "Solved: the mystery"
    at the start of a post is a sentence, "[SOLVED]" is a mark.
    """
    # Each pattern puts the word right after a bracket, a colon or a dash, so "[not solved]" and "unsolved" never
    # match: no negation check is needed here.
    if not title:
        return False
    if _MARK.search(title) is not None:
        return True
    return not untitled and (_LEADING.search(title) is not None or _TRAILING.search(title) is not None)


def strongest(*states: str | None) -> str | None:
    """The most final of the states given (locked over closed over solved over answered); None if all are open."""
    known = [s for s in states if s in _RANK]
    return max(known, key=_RANK.__getitem__) if known else None


@dataclass(frozen=True, slots=True)
class ThreadState:
    """A conversation's state and how it is known: from the source's own fields, or from a mark in its title."""

    state: str
    from_title: bool = False


def thread_state(conversation: Conversation) -> ThreadState | None:
    """The conversation's state, None when it is open: the source's word, made "solved" by a solved title."""
    declared = conversation.state if conversation.state in _RANK else None
    if declared in (LOCKED, CLOSED, SOLVED):
        return ThreadState(declared)
    if solved_in_title(conversation.title, untitled=conversation.untitled):
        return ThreadState(SOLVED, from_title=True)
    return ThreadState(declared) if declared is not None else None


# Where a thread was closed, in the reason's words; a source not named here gets the plain form.
_CLOSED_ON = {"github": "GitHub", "stackexchange": "Stack Exchange", "discourse": "the forum", "reddit": "Reddit"}
# How a source marks a thread solved, when it is not an accepted answer.
_SOLVED_BY = {"reddit": "its flair says so"}


def describe(found: ThreadState, source: str) -> str:
    """The state in plain words for a reason: "locked: replies are off", "closed on GitHub",
    "solved: it has an accepted answer", "solved: its title says so", "answered: it has answers, none accepted"."""
    if found.state == LOCKED:
        return "locked: replies are off"
    if found.state == CLOSED:
        where = _CLOSED_ON.get(source)
        return f"closed on {where}" if where else "closed: it takes no new replies"
    if found.state == SOLVED:
        if found.from_title:
            return "solved: its title says so"
        return f"solved: {_SOLVED_BY.get(source, 'it has an accepted answer')}"
    return "answered: it has answers, none accepted"
