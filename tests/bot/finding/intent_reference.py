"""The intent finder as it was before the learned model (and before it was made faster): phrases alone.

Kept verbatim but for this docstring: "today's rules" before the learned model, which scripts/train_intent.py
measures on held-out data beside the model.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

OPENING = 400
"""How much of the text is read: the ask is nearly always in the title or the first lines."""


class Intent(enum.StrEnum):
    """One kind of intent, positive (an opening to join) or negative (a broadcast)."""

    QUESTION = "question"
    RECOMMENDATION = "recommendation"
    PAIN = "pain"
    ANNOUNCEMENT = "announcement"
    ARTICLE = "article"
    JOB = "job"
    PROMOTION = "promotion"


POSITIVE = (Intent.RECOMMENDATION, Intent.PAIN, Intent.QUESTION)
NEGATIVE = (Intent.JOB, Intent.PROMOTION, Intent.ANNOUNCEMENT, Intent.ARTICLE)

LABELS = {
    Intent.QUESTION: "asks a question",
    Intent.RECOMMENDATION: "asks for a recommendation",
    Intent.PAIN: "describes a problem",
    Intent.ANNOUNCEMENT: "an announcement",
    Intent.ARTICLE: "an article, not a question",
    Intent.JOB: "a job post",
    Intent.PROMOTION: "self-promotion",
}


def _words(*phrases: str) -> re.Pattern[str]:
    """One case-insensitive pattern matching any phrase as whole words (phrases are regex fragments)."""
    return re.compile(r"(?<![\w])(?:" + "|".join(phrases) + r")(?![\w])", re.IGNORECASE)


_A = r"(?:a|an)"
_ROLE = r"(?:engineers?|developers?|devs?|sres?|designers?|architects?|dbas?|programmers?|contractors?)"
_JOB_AD = _words(rf"(?:we(?:'re| are)|are) (?:looking for|hiring|seeking) {_A}?\s?[^.?!\n]{{0,40}}?{_ROLE}")

# Where a pattern is looked for: "title" patterns are only trusted in the title ("released" in a body is usually
# "since 2.0 was released, ..."), "any" patterns in the title and the opening of the text.
_PATTERNS: dict[Intent, tuple[tuple[re.Pattern[str], str], ...]] = {
    Intent.QUESTION: (
        (re.compile(r"\?(?=\s|$|\))"), "any"),
        (
            _words(r"how (?:do|can|should|would) (?:i|we|you|one)", r"how to", r"is there (?:a|an|any)", r"any way to"),
            "any",
        ),
        (
            _words(r"^ask hn", r"^ask lobsters", r"anyone (?:know|else|tried|using)", r"has anyone", r"does anyone"),
            "any",
        ),
    ),
    Intent.RECOMMENDATION: (
        (
            _words(
                r"any (?:good )?(?:tools?|librar(?:y|ies)|services?|options?) for",
                r"looking for",
                r"recommend(?:ed|ations?|s)?",
                r"suggestions?",
                r"alternatives? (?:to|for)",
                r"which [^.?!\n]{1,40} should (?:i|we)",
                r"what (?:do|does|would) (?:you|people|everyone|folks) use",
                r"best [^.?!\n]{1,30} for",
                r"worth (?:switching|migrating|it)",
            ),
            "any",
        ),
        # "X vs Y" asks which to pick in a title; in a body it is as often an article weighing the two.
        (re.compile(r"\w\s+(?:vs\.?|versus)\s+\w", re.IGNORECASE), "title"),
    ),
    Intent.PAIN: (
        (
            _words(
                r"struggling (?:with|to)",
                r"can(?:'|no)?t get",
                r"(?:doesn't|does not|don't|won't|isn't) work(?:ing)?",
                r"slow(?:er|ly|s)?",
                r"keeps? (?:failing|crashing|timing out)",
                r"frustrat(?:ed|ing)",
                r"pain(?:ful)?",
                r"any fix",
                r"stuck (?:on|with)",
                r"help(?: needed)?!?",
                r"(?:error|errors|deadlock|timeouts?|oom|bottleneck)",
            ),
            "any",
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
        ),
        (_words(r"(?:we're|we are) (?:excited|happy|proud|thrilled) to (?:announce|share|release)"), "any"),
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
        ),
    ),
    Intent.JOB: (
        (_words(r"hiring", r"jobs?", r"remote position", r"salary", r"who is hiring", r"for hire"), "title"),
        (_JOB_AD, "any"),
        (_words(r"salary(?: range)?:", r"apply (?:here|now|at)", r"remote position", r"we(?:'re| are) hiring"), "any"),
    ),
    Intent.PROMOTION: (
        (_words(r"i built", r"i made", r"i wrote", r"my new (?:course|book|ebook|video|tool)"), "title"),
        (_words(r"check out my", r"my new course", r"use (?:promo )?code", r"discount", r"sign up (?:for|at)"), "any"),
    ),
}


@dataclass(frozen=True, slots=True)
class Found:
    """An intent found, the phrase that showed it and whether it was in the title."""

    intent: Intent
    phrase: str
    in_title: bool


def find_intents(title: str, text: str) -> list[Found]:
    """Every kind of intent the title and the opening of the text show, once each, title hits first."""
    opening = text[:OPENING]
    # A job ad's "we're looking for a senior engineer" is not someone looking for a tool.
    job = _JOB_AD.search(title) or _JOB_AD.search(opening)
    found: dict[Intent, Found] = {}
    for where, haystack in (("title", title), ("text", opening)):
        if not haystack:
            continue
        for intent, patterns in _PATTERNS.items():
            if intent in found:
                continue
            for pattern, scope in patterns:
                if scope == "title" and where != "title":
                    continue
                search_in = _JOB_AD.sub(" ", haystack) if job and intent is Intent.RECOMMENDATION else haystack
                hit = pattern.search(search_in)
                if hit is not None:
                    found[intent] = Found(intent, hit.group(0), where == "title")
                    break
    return list(found.values())
