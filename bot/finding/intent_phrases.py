"""The phrases that say what a post does: the rule layer of intent (bot/finding/intent.py combines it with the model).

Whole-word, case-insensitive phrase patterns (their tables: bot/finding/intent_tables.py), looked for in the title
and in the opening of the text. Pure. A phrase
that asks (a question, a recommendation, a comparison, a pain) is a feature here, not a verdict: intent.py counts it
only with the learned model's agreement (no single word decides alone). The broadcasts (a job ad, a launch, a call for
papers, a solved thread, ...) are recognised here and count as they are.

Speed matters (every matched item is read): the text is lowercased once, and each pattern opens with a non-word
character matched against the text with a space in front, instead of a lookbehind for a word character. A pattern that
opens with an assertion is tried at every position; one that opens with a character class lets the regex engine
skip from one word boundary to the next at C speed (about four times faster here, same matches).
"""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

from earshot.bot.finding.intent_tables import ASKING as ASKING
from earshot.bot.finding.intent_tables import JOB_AD, PATTERNS
from earshot.bot.finding.intent_tables import LABELS as LABELS
from earshot.bot.finding.intent_tables import NEGATIVE as NEGATIVE
from earshot.bot.finding.intent_tables import POSITIVE as POSITIVE
from earshot.bot.finding.intent_tables import Intent as Intent

OPENING = 400
"""How much of the text is read: the ask is nearly always in the title or the first lines."""


# Every pattern in the order of PATTERNS (intents, then each intent's patterns), with its bit in a trigger's mask.
_ORDER = tuple(
    (1 << rank, intent, pattern, scope)
    for rank, (intent, pattern, scope) in enumerate(
        (intent, pattern, scope) for intent, patterns in PATTERNS.items() for pattern, scope, _ in patterns
    )
)


def _automaton(title: bool) -> ahocorasick.Automaton:
    """Every trigger with the mask of the patterns it may set off (in the title: all; in the text: "any" ones)."""
    masks: dict[str, int] = {}
    rank = 0
    for patterns in PATTERNS.values():
        for _, scope, triggers in patterns:
            if title or scope.startswith("any"):
                for trigger in triggers:
                    masks[trigger] = masks.get(trigger, 0) | (1 << rank)
            rank += 1
    automaton = ahocorasick.Automaton()
    for trigger, mask in masks.items():
        automaton.add_word(trigger, mask)
    automaton.make_automaton()
    return automaton


_IN_TITLE = _automaton(title=True)
_IN_TEXT = _automaton(title=False)
JOB_AD_BIT = next(bit for bit, _, pattern, _ in _ORDER if pattern is JOB_AD)
_BY_BIT = {bit: (intent, pattern, scope.endswith("!")) for bit, intent, pattern, scope in _ORDER}


def _set_off(haystack: str, automaton: ahocorasick.Automaton) -> int:
    """The mask of the patterns whose triggers occur in the haystack: the only ones that can match it."""
    mask = 0
    for _, bits in automaton.iter(haystack):
        mask |= bits
    return mask


def model_text(title: str, text: str) -> str:
    """What the learned model reads: the title (when the item has one of its own) and the opening of the text."""
    return f"{title}\n{text[:OPENING]}" if title else text[:OPENING]


@dataclass(frozen=True, slots=True)
class Found:
    """An intent found, the phrase that showed it, whether it was in the title and whether the phrase is strong (asks
    or names a problem by itself; a weak one needs the model's agreement)."""

    intent: Intent
    phrase: str
    in_title: bool
    strong: bool = False


def find_phrases(title: str, text: str) -> list[Found]:
    """Every kind of intent the phrases of the title and the opening of the text show, once each, title hits first
    (a strong phrase later replaces a weak one)."""
    # Lowercased once (the patterns are lowercase) and led by a space (the patterns open with a non-word character).
    title = " " + title.lower() if title else ""
    opening = " " + text[:OPENING].lower() if text else ""
    in_title = _set_off(title, _IN_TITLE) if title else 0
    in_text = _set_off(opening, _IN_TEXT) if opening else 0
    # A job ad's "we're looking for a senior engineer" is not someone looking for a tool.
    job = bool((in_title & JOB_AD_BIT and JOB_AD.search(title)) or (in_text & JOB_AD_BIT and JOB_AD.search(opening)))
    found: dict[Intent, Found] = {}
    for where, haystack, mask in ((True, title, in_title), (False, opening, in_text)):
        while mask:  # the patterns set off, lowest bit (first in PATTERNS) first
            bit = mask & -mask
            mask ^= bit
            intent, pattern, strong = _BY_BIT[bit]
            held = found.get(intent)
            if held is not None and (held.strong or not strong):
                continue
            search_in = JOB_AD.sub(" ", haystack) if job and intent is Intent.RECOMMENDATION else haystack
            hit = pattern.search(search_in)
            if hit is not None:
                found[intent] = Found(intent, hit.group(0).lstrip(), where, strong)
    return list(found.values())
