"""The phrase tables of intent: what a post does (the intents), and the whole-word phrase patterns that say so, each
with where it is trusted (title or text), whether it is strong, and its literal triggers. The matcher that reads
them is :mod:`earshot.bot.finding.intent_phrases`; ``words`` builds a pattern as it expects (see its docstring).
"""

from __future__ import annotations

import enum
import re


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


def words(*phrases: str) -> re.Pattern[str]:
    """One pattern matching any phrase as whole words in lowercased text with a space in front (see above).

    Phrases are lowercase regex fragments; "^" in one means the start of the text (right after that space).
    """
    alternatives = [rf"(?<=^\W){p[1:]}" if p.startswith("^") else p for p in phrases]
    return re.compile(r"\W(?:" + "|".join(alternatives) + r")(?!\w)")


_A = r"(?:a|an)"
_ROLE = r"(?:engineers?|developers?|devs?|sres?|designers?|architects?|dbas?|programmers?|contractors?)"
JOB_AD = words(rf"(?:we(?:'re| are)|are) (?:looking for|hiring|seeking) {_A}?\s?[^.?!\n]{{0,40}}?{_ROLE}")
JOB_AD_TRIGGERS = ("looking for", "hiring", "seeking")

# Where a pattern is looked for: "title" patterns are only trusted in the title ("released" in a body is usually
# "since 2.0 was released, ..."), "any" patterns in the title and the opening of the text. A scope ending in "!" marks
# a strong phrase: one that asks (or names a problem) by itself, several words long; the others need the model.
#
# Each pattern carries its triggers: literal pieces of lowercased text, one of which every match of the pattern
# contains. One Aho-Corasick pass finds the triggers present, and only their patterns are searched (most text
# holds few of them). tests/bot/finding/test_intent_speedup.py checks the result against the plain search of every
# pattern.
PATTERNS: dict[Intent, tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...]] = {
    Intent.QUESTION: (
        (
            words(
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
            words(r"how (?:would|can|should|do) (?:we|you|one)", r"is there (?:a|an|any)", r"any way to"),
            "any!",
            ("how would ", "how can ", "how should ", "how do ", "is there ", "any way to"),
        ),
        (words(r"how to"), "any", ("how to",)),  # "How to shard Postgres" is as often a tutorial's title
    ),
    Intent.RECOMMENDATION: (
        (
            words(
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
            words(
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
            words(r"which (?:one )?is better", r"or should (?:i|we)", r"compared to"),
            "any",
            ("better", "should ", "compared"),
        ),
    ),
    Intent.PAIN: (
        (
            words(
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
            words(
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
            words(
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
            words(r"(?:we're|we are) (?:excited|happy|proud|thrilled) to (?:announce|share|release)"),
            "any",
            ("excited", "happy", "proud", "thrilled"),
        ),
    ),
    # Write-ups: a blog post's title that asks a question answers it itself.
    Intent.ARTICLE: (
        (
            words(
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
            words(
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
        (JOB_AD, "any", JOB_AD_TRIGGERS),
        (
            words(r"salary(?: range)?:", r"apply (?:here|now|at)", r"remote position", r"we(?:'re| are) hiring"),
            "any",
            ("salary", "apply ", "remote position", "hiring"),
        ),
    ),
    Intent.PROMOTION: (
        (
            words(r"i built", r"i made", r"i wrote", r"my new (?:course|book|ebook|video|tool)"),
            "title",
            ("i built", "i made", "i wrote", "my new "),
        ),
        (
            words(r"check out my", r"my new course", r"use (?:promo )?code", r"discount", r"sign up (?:for|at)"),
            "any",
            ("check out my", "my new course", "use code", "use promo code", "discount", "sign up "),
        ),
    ),
    Intent.CALL_FOR_PAPERS: (
        (
            words(
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
        (words(r"^solved", r"solved\]"), "title", ("solved",)),
        (
            words(
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
            words(
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
