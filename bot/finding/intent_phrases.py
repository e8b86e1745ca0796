"""The phrases that say what a post does: the rule layer of intent (bot/finding/intent.py combines it with the model).

Whole-word, case-insensitive phrase patterns, looked for in the title and in the opening of the text. Pure. A phrase
that asks (a question, a recommendation, a comparison, a pain) is a feature here, not a verdict: intent.py counts it
only with the learned model's agreement (no single word decides alone). The broadcasts (a job ad, a launch, a call for
papers, a solved thread, ...) are recognised here and count as they are.

Speed matters (every matched item is read): the text is lowercased once, and each pattern opens with a non-word
character matched against the text with a space in front, instead of a lookbehind for a word character. A pattern that
opens with an assertion is tried at every position; one that opens with a character class lets the regex engine
skip from one word boundary to the next at C speed (about four times faster here, same matches).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

import ahocorasick

OPENING = 400
"""How much of the text is read: the ask is nearly always in the title or the first lines."""


class Intent(enum.StrEnum):
    """One kind of intent, positive (an opening to join), negative (a broadcast, or settled) or neither."""

    QUESTION = "question"
    RECOMMENDATION = "recommendation"
    COMPARISON = "comparison"
    PAIN = "pain"
    ANNOUNCEMENT = "announcement"
    ARTICLE = "article"
    JOB = "job"
    PROMOTION = "promotion"
    CALL_FOR_PAPERS = "call_for_papers"
    SOLVED = "solved"
    EXPERIENCE = "experience"


POSITIVE = (Intent.RECOMMENDATION, Intent.COMPARISON, Intent.PAIN, Intent.QUESTION)
NEGATIVE = (
    Intent.JOB,
    Intent.PROMOTION,
    Intent.CALL_FOR_PAPERS,
    Intent.ANNOUNCEMENT,
    Intent.SOLVED,
    Intent.ARTICLE,
)
ASKING = frozenset(POSITIVE)
"""The intents whose phrases are features of an ask, counted only with the model's agreement."""

LABELS = {
    Intent.QUESTION: "asks a question",
    Intent.RECOMMENDATION: "asks for a recommendation",
    Intent.COMPARISON: "compares options",
    Intent.PAIN: "describes a problem",
    Intent.ANNOUNCEMENT: "an announcement",
    Intent.ARTICLE: "an article, not a question",
    Intent.JOB: "a job post",
    Intent.PROMOTION: "self-promotion",
    Intent.CALL_FOR_PAPERS: "a call for papers",
    Intent.SOLVED: "already solved",
    Intent.EXPERIENCE: "reports an experience",
}


def _words(*phrases: str) -> re.Pattern[str]:
    """One pattern matching any phrase as whole words in lowercased text with a space in front (see above).

    Phrases are lowercase regex fragments; "^" in one means the start of the text (right after that space).
    """
    alternatives = [rf"(?<=^\W){p[1:]}" if p.startswith("^") else p for p in phrases]
    return re.compile(r"\W(?:" + "|".join(alternatives) + r")(?!\w)")


_A = r"(?:a|an)"
_ROLE = r"(?:engineers?|developers?|devs?|sres?|designers?|architects?|dbas?|programmers?|contractors?)"
_JOB_AD = _words(rf"(?:we(?:'re| are)|are) (?:looking for|hiring|seeking) {_A}?\s?[^.?!\n]{{0,40}}?{_ROLE}")
_JOB_AD_TRIGGERS = ("looking for", "hiring", "seeking")

# Where a pattern is looked for: "title" patterns are only trusted in the title ("released" in a body is usually
# "since 2.0 was released, ..."), "any" patterns in the title and the opening of the text. A scope ending in "!" marks
# a strong phrase: one that asks (or names a problem) by itself, several words long; the others need the model.
#
# Each pattern carries its triggers: literal pieces of lowercased text, one of which every match of the pattern
# contains. One Aho-Corasick pass finds the triggers present, and only their patterns are searched (most text
# holds few of them). tests/bot/finding/test_intent_speedup.py checks the result against the plain search of every
# pattern.
_PATTERNS: dict[Intent, tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...]] = {
    Intent.QUESTION: (
        (
            _words(
                r"^ask hn",
                r"^ask lobsters",
                r"anyone (?:know|else|tried|using)",
                r"has anyone",
                r"does anyone",
                r"how (?:do|can|should) i",
                r"advice (?:wanted|needed|welcome|appreciated)",
                r"out of ideas",
                r"any (?:advice|ideas|tips|pointers|hints|help)",
                r"(?:please|pls) (?:help|advise)",
                r"can (?:anyone|someone|somebody) (?:help|explain|point|recommend|tell|suggest)",
                r"what am i (?:missing|doing wrong)",
                r"(?:i|we) (?:need|want|would love) (?:some )?(?:help|advice|input|feedback)",
            ),
            "any!",
            (
                "ask hn",
                "ask lobsters",
                "anyone",
                "how do i",
                "how can i",
                "how should i",
                "advice",
                "out of ideas",
                "any ",
                "help",
                "advise",
                "someone",
                "somebody",
                "what am i",
                " need ",
                " want ",
                "would love",
            ),
        ),
        (
            _words(r"how (?:would|can|should|do) (?:we|you|one)", r"is there (?:a|an|any)", r"any way to"),
            "any!",
            ("how would ", "how can ", "how should ", "how do ", "is there ", "any way to"),
        ),
        (_words(r"how to"), "any", ("how to",)),  # "How to shard Postgres" is as often a tutorial's title
    ),
    Intent.RECOMMENDATION: (
        (
            _words(
                r"any (?:good )?(?:tools?|librar(?:y|ies)|services?|options?) for",
                r"which [^.?!\n]{1,40} should (?:i|we)",
                r"what (?:do|does|would) (?:you|people|everyone|folks) use",
                r"(?:can|could) (?:you|anyone|someone) recommend",
                r"any recommendations?",
            ),
            "any!",
            (
                "any tool",
                "any good ",
                "any librar",
                "any service",
                "any option",
                "should i",
                "should we",
                "what do ",
                "what does ",
                "what would ",
                "recommend",
            ),
        ),
        (
            _words(
                r"looking for",
                # "I recommend" and "highly recommended" give advice; the model must also hear an ask.
                r"(?<!\bi )(?<!i'd )(?<!we )(?<!highly )recommend(?:ations?|s)?",
                r"suggestions?",
                r"alternatives? (?:to|for)",
                r"best [^.?!\n]{1,30} for",
                r"worth (?:switching|migrating|it)",
            ),
            "any",
            (
                "looking for",
                "recommend",
                "suggestion",
                "alternative",
                "best ",
                "worth switching",
                "worth migrating",
                "worth it",
            ),
        ),
    ),
    Intent.COMPARISON: (
        # "X vs Y" asks which to pick in a title; in a body it is as often an article weighing the two.
        (re.compile(r"\s(?<=\w\s)\s*(?:vs\.?|versus)\s+\w"), "title", ("vs", "versus")),
        (
            _words(r"which (?:one )?is better", r"or should (?:i|we)", r"compared to"),
            "any",
            ("better", "should ", "compared"),
        ),
    ),
    Intent.PAIN: (
        (
            _words(
                r"struggling (?:with|to)",
                r"can(?:'|no)?t get",
                r"(?:doesn't|does not|don't|won't|isn't) work(?:ing)?",
                r"keeps? (?:failing|crashing|timing out|restarting)",
                r"any fix",
                r"stuck (?:on|with)",
            ),
            "any!",
            (
                "struggling ",
                "can't get",
                "cant get",
                "cannot get",
                "t work",
                "failing",
                "crashing",
                "timing out",
                "restarting",
                "any fix",
                "stuck ",
            ),
        ),
        # Single words: in a travel story or a newsletter they are no problem anyone asks about.
        (
            _words(
                r"slow(?:er|ly|s)?",
                r"frustrat(?:ed|ing)",
                r"pain(?:ful)?",
                r"help(?: needed)?!?",
                r"(?:error|errors|deadlock|timeouts?|oom|bottleneck)",
            ),
            "any",
            ("slow", "frustrat", "pain", "help", "error", "deadlock", "timeout", "oom", "bottleneck"),
        ),
    ),
    Intent.ANNOUNCEMENT: (
        (
            _words(
                r"announcing",
                r"released?",
                r"v?\d+(?:\.\d+)+ (?:is )?(?:out|here|available)",
                r"is (?:now )?(?:out|available|generally available|ga)",
                r"launch(?:es|ed|ing)?",
                r"show hn",
                r"introducing",
                r"release notes",
                r"changelog",
            ),
            "title",
            (
                "announcing",
                "release",
                *"0123456789",
                "is out",
                "is now ",
                "is available",
                "is generally available",
                "is ga",
                "launch",
                "show hn",
                "introducing",
                "changelog",
            ),
        ),
        (
            _words(r"(?:we're|we are) (?:excited|happy|proud|thrilled) to (?:announce|share|release)"),
            "any",
            ("excited", "happy", "proud", "thrilled"),
        ),
    ),
    # Write-ups: a blog post's title that asks a question answers it itself.
    Intent.ARTICLE: (
        (
            _words(
                r"(?:a|the) (?:benchmark|guide|tutorial|deep dive|retrospective|primer|status report)",
                r"(?:visual|practical|step-by-step) (?:guide|introduction)",
                r"explained",
                r"lessons learned",
                r"what's new",
                r"in practice",
                r"this week in",
                r"ask the expert",
                r"without the hype",
                r"how we",
                r"why we",
            ),
            "title",
            (
                "benchmark",
                "guide",
                "tutorial",
                "deep dive",
                "retrospective",
                "primer",
                "status report",
                "introduction",
                "explained",
                "lessons learned",
                "what's new",
                "in practice",
                "this week in",
                "ask the expert",
                "without the hype",
                "how we",
                "why we",
            ),
        ),
    ),
    Intent.JOB: (
        # Not "job" alone: a scheduled job, a CI job, "it's becoming a full-time job" are no job ads.
        (
            _words(
                r"hiring",
                r"remote position",
                r"salary",
                r"who is hiring",
                r"for hire",
                r"job (?:openings?|offers?|postings?|listings?|ads?)",
                r"open (?:roles?|positions?)",
            ),
            "title",
            ("hiring", "remote position", "salary", "for hire", "job ", "open role", "open position"),
        ),
        (_JOB_AD, "any", _JOB_AD_TRIGGERS),
        (
            _words(r"salary(?: range)?:", r"apply (?:here|now|at)", r"remote position", r"we(?:'re| are) hiring"),
            "any",
            ("salary", "apply ", "remote position", "hiring"),
        ),
    ),
    Intent.PROMOTION: (
        (
            _words(r"i built", r"i made", r"i wrote", r"my new (?:course|book|ebook|video|tool)"),
            "title",
            ("i built", "i made", "i wrote", "my new "),
        ),
        (
            _words(r"check out my", r"my new course", r"use (?:promo )?code", r"discount", r"sign up (?:for|at)"),
            "any",
            ("check out my", "my new course", "use code", "use promo code", "discount", "sign up "),
        ),
    ),
    Intent.CALL_FOR_PAPERS: (
        (
            _words(
                r"call for (?:papers|proposals|presentations|speakers|talks|participation|submissions|abstracts)",
                r"cfp",
                r"submit (?:a|your) (?:talk|proposal|paper|abstract)",
                r"(?:submissions|proposals) (?:are )?(?:now )?open",
            ),
            "any",
            ("call for", "cfp", "submit ", "submissions", "proposals"),
        ),
    ),
    Intent.SOLVED: (
        (_words(r"^solved", r"solved\]"), "title", ("solved",)),
        (
            _words(
                r"\[solved\]",
                r"\(solved\)",
                r"(?:edit|update): (?:solved|fixed)",
                r"(?:problem|issue) solved",
                r"never ?mind,? (?:i )?(?:fixed|figured|solved)",
                r"figured it out",
                r"(?:fixed|solved) it myself",
            ),
            "any",
            ("solved", "fixed", "never", "figured it out"),
        ),
    ),
    Intent.EXPERIENCE: (
        (
            _words(
                r"(?:we|i) (?:migrated|switched|moved) (?:from|to|our)",
                r"our experience",
                r"post-?mortem",
                r"lessons (?:we )?learned",
                r"here's what (?:i|we) learned",
                r"after (?:\d+|a|two|three|six) (?:months|years|weeks) (?:of|with|on|running)",
            ),
            "any",
            ("migrated", "switched", "moved", "our experience", "mortem", "lessons", "learned", "after "),
        ),
    ),
}


# Every pattern in the order of _PATTERNS (intents, then each intent's patterns), with its bit in a trigger's mask.
_ORDER = tuple(
    (1 << rank, intent, pattern, scope)
    for rank, (intent, pattern, scope) in enumerate(
        (intent, pattern, scope) for intent, patterns in _PATTERNS.items() for pattern, scope, _ in patterns
    )
)


def _automaton(title: bool) -> ahocorasick.Automaton:
    """Every trigger with the mask of the patterns it may set off (in the title: all; in the text: "any" ones)."""
    masks: dict[str, int] = {}
    rank = 0
    for patterns in _PATTERNS.values():
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
_JOB_AD_BIT = next(bit for bit, _, pattern, _ in _ORDER if pattern is _JOB_AD)
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
    job = bool(
        (in_title & _JOB_AD_BIT and _JOB_AD.search(title)) or (in_text & _JOB_AD_BIT and _JOB_AD.search(opening))
    )
    found: dict[Intent, Found] = {}
    for where, haystack, mask in ((True, title, in_title), (False, opening, in_text)):
        while mask:  # the patterns set off, lowest bit (first in _PATTERNS) first
            bit = mask & -mask
            mask ^= bit
            intent, pattern, strong = _BY_BIT[bit]
            held = found.get(intent)
            if held is not None and (held.strong or not strong):
                continue
            search_in = _JOB_AD.sub(" ", haystack) if job and intent is Intent.RECOMMENDATION else haystack
            hit = pattern.search(search_in)
            if hit is not None:
                found[intent] = Found(intent, hit.group(0).lstrip(), where, strong)
    return list(found.values())
