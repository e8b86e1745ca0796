"""The reply check: a draft against the thread it answers, the community's rules and what is the team's own.

Pure functions: the draft and everything it is weighed against come in as arguments, a checklist comes out. It
never posts anything; each flag names the principle or the community rule behind it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from earshot.bot.guest.asked import Asked, Point, answered, nearness, points, thread_words, unanswered
from earshot.bot.guest.ours import Ours, ours_for
from earshot.bot.guest.rules import DISCLOSE, LIMIT_PROMOTION, NO_GENERATED, RuleCard, asking
from earshot.bot.guest.words import jaccard, links, sentences, shingles, stems, without_code, words
from earshot.bot.ports.meaning import Embedder

PRODUCT_FIRST = "product-first"
UNDISCLOSED = "undisclosed"
ABOUT_US = "about-us"
OFF_QUESTION = "off-question"
LINK_ONLY = "link-only"
MARKETING = "marketing"
DUPLICATE = "duplicate"
TOO_LONG = "too-long"
GENERATED = "generated"
FLAGS = (PRODUCT_FIRST, UNDISCLOSED, ABOUT_US, OFF_QUESTION, LINK_ONLY, MARKETING, DUPLICATE, TOO_LONG, GENERATED)

# Earshot's own principles, which every flag cites when no community rule says more.
PRINCIPLES = {
    PRODUCT_FIRST: "Answer first: offer what you make only once the question is answered and it fits.",
    UNDISCLOSED: "Say who you are: name your connection to what you recommend.",
    ABOUT_US: "Make it about them: their situation and their question, not us.",
    OFF_QUESTION: "Listen first: answer what was asked.",
    LINK_ONLY: "A link is a pointer, not an answer: say what is behind it and why it helps here.",
    MARKETING: "Get your point across without being obnoxious: no sales talk.",
    DUPLICATE: "Join as a person, not a campaign: write for this thread, not a pasted reply.",
    TOO_LONG: "Write for the venue: a reply people read to the end.",
    GENERATED: "Write it yourself: this community bans generated text.",
}

# Longest prose (words, code left out) that reads as a reply on each venue; beyond it, cut or link to a write-up.
# Stack Exchange answers are expected to be complete, chat-like venues short.
LENGTH = {
    "hackernews": 250,
    "lobsters": 250,
    "reddit": 300,
    "mastodon": 80,
    "bluesky": 60,
    "github": 350,
    "discourse": 350,
    "stackexchange": 500,
}
DEFAULT_LENGTH = 300
LINK_ONLY_WORDS = 10  # fewer words than this beside a link is a link with little else
OFF_QUESTION_WORDS = 2  # at most this many of the question's words in a draft that answers none of its points
OFF_QUESTION_NEAR = 0.60  # or, with meaning, the whole draft less near the question than this (tuned on dev)
DUPLICATE_AT = 0.4  # Jaccard of word 3-shingles from which two texts are nearly the same

_MARKETING = re.compile(
    r"game[- ]?chang\w*|sign up (?:today|now|for free|here)|best[- ]in[- ]class|world[- ]class|cutting[- ]edge|"
    r"revolutioni[sz]\w*|\brevolutionary\b|seamless(?:ly)?\b|supercharg\w*|industry[- ]leading|"
    r"next[- ]gen(?:eration)?\b|"
    r"blazing(?:ly)?[- ]fast|effortless(?:ly)?|limited[- ]time|don't miss|trusted by|enterprise[- ]grade|"
    r"all[- ]in[- ]one|look no further|to the next level|state[- ]of[- ]the[- ]art|one[- ]stop|hassle[- ]free|"
    r"\bempower\w*|free trial|\bunlock (?:the|your)|10x (?:your|faster)|start (?:your )?free|book a demo|"
    r"check (?:us|it) out today|unmatched|unparalleled|\bpowerful platform",
    re.IGNORECASE,
)
_GENERATED = re.compile(
    r"\bas an ai\b|i hope this helps|great question|\bcertainly!|in conclusion|\bdelve|it(?:'s| is) important to "
    r"note|in summary,|i'd be happy to help|feel free to reach out|here's a comprehensive|let's dive|in today's "
    r"fast-paced|\boverall, (?:the|this|it) |navigat(?:e|ing) the complexit",
    re.IGNORECASE,
)
_DISCLOSURE = re.compile(
    r"disclos|affiliat|full disclosure|\bi (?:work|worked) (?:on|at|for|with)\b|\bi'm (?:one of )?(?:the|a) "
    r"(?:author|maintainer|founder|co-?founder|creator|developer|dev|engineer|employee)s?\b|\bi (?:built|wrote|made|"
    r"maintain|created|co-?founded|founded|started|run)\b|\bmy (?:startup|employer|project|product|tool|library)\b|"
    r"\bwe (?:built|make|develop|maintain|wrote|created|sell)\b|\bour (?:startup|product|project|tool|library)\b|"
    r"\b(?:biased|bias)\b|\bi'm (?:on|with) the\b|\bdisclaimer",
    re.IGNORECASE,
)
_OUR = frozenset("our ours ourselves".split())
_WE = frozenset("we us we're we've we'd we'll".split())
_ME = frozenset("i me my mine i'm i've i'd i'll myself".split())
_YOU = frozenset("you your yours you're you've you'd you'll yourself".split())


@dataclass(frozen=True)
class Flag:
    """One thing to look at again, what it is about, and the principle or rule behind it."""

    code: str
    message: str
    because: str  # the principle, or the community rule quoted or paraphrased
    url: str | None = None  # where the rule is written, when it is a community's


@dataclass(frozen=True)
class Checklist:
    """What the check found: flags, reminders (not faults) and the cards it read."""

    flags: tuple[Flag, ...]
    reminders: tuple[str, ...] = ()
    cards: tuple[RuleCard, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """The flags' codes, in order."""
        return tuple(flag.code for flag in self.flags)


def check_reply(
    draft: str,
    asked: Asked,
    *,
    source: str,
    cards: Sequence[RuleCard] = (),
    ours: Ours | None = None,
    earlier: Sequence[str] = (),
    embedder: Embedder | None = None,
) -> Checklist:
    """The checklist for ``draft`` as a reply to ``asked`` on ``source``, under ``cards``, knowing what is ``ours``
    and the team's ``earlier`` replies (any order). With an ``embedder``, whether the asker's points are answered
    is read in meaning as well as in words; without one, in words alone."""
    ours = ours or Ours()
    flags: list[Flag] = []
    for found in (
        product_first(draft, asked, ours, cards),
        undisclosed(draft, ours, cards),
        about_us(draft, ours),
        None if link_only(draft) else off_question(draft, asked, embedder, ours),  # a bare link: one fault, one flag
        link_only(draft),
        marketing(draft, cards),
        duplicate(draft, earlier),
        too_long(draft, source),
        generated(draft, cards),
    ):
        if found is not None:
            flags.append(found)
    reminders = tuple(f"Write it yourself. {card.cite()}" for card in asking(cards, NO_GENERATED))
    return Checklist(tuple(flags), reminders, tuple(cards))


def _cited(code: str, cards: Sequence[RuleCard], ask: str | None) -> tuple[str, str | None]:
    """The rule behind a flag: the first card asking ``ask``, else Earshot's principle."""
    rules = asking(cards, ask) if ask else ()
    if rules:
        return f"{PRINCIPLES[code]} {rules[0].cite()}", rules[0].url
    return PRINCIPLES[code], None


def product_first(draft: str, asked: Asked, ours: Ours, cards: Sequence[RuleCard]) -> Flag | None:
    """Ours named or linked in the opening sentence, or before any sentence that answers one of the asker's
    points."""
    at = ours.first_mention(draft)
    if at is None:
        return None
    parts = sentences(draft)
    offset, index = 0, 0
    for i, sentence in enumerate(parts):
        start = draft.find(sentence, offset)
        if start <= at < start + len(sentence) or start > at:
            index = i
            break
        offset = start + len(sentence)
    else:
        index = len(parts) - 1
    if index == 0:
        where = "in the opening"
    else:
        asker_points = points(asked)
        before = parts[:index]
        # Answered first: a sentence before the mention touches a point, or a real answer's worth of words does.
        if any(_answers(sentence, asker_points) for sentence in before) or len(words(" ".join(before))) >= 40:
            return None
        where = "before the question is answered"
    because, url = _cited(PRODUCT_FIRST, cards, LIMIT_PROMOTION)
    return Flag(PRODUCT_FIRST, f"Names or links what is ours {where}; answer first, then mention it.", because, url)


def _answers(sentence: str, asker_points: Sequence[Point]) -> bool:
    have = stems(sentence)
    return any(answered(p, have) for p in asker_points) or (not asker_points and len(words(sentence)) >= 8)


def undisclosed(draft: str, ours: Ours, cards: Sequence[RuleCard]) -> Flag | None:
    """Ours mentioned without saying how we are connected, where the community's rules ask for that."""
    rules = asking(cards, DISCLOSE)
    if not rules or not ours.mentions(draft) or _DISCLOSURE.search(draft):
        return None
    because, url = _cited(UNDISCLOSED, cards, DISCLOSE)
    return Flag(UNDISCLOSED, 'Mentions what is ours without saying you work on it (add "I work on ...").', because, url)


def about_us(draft: str, ours: Ours) -> Flag | None:
    """More about us (we, our, I, our product) than about them (you, your)."""
    tokens = words(without_code(draft))
    # "our" weighs most: "we tried X" is sharing experience, "our team, our customers" is talking about us.
    us = sum(1 for t in tokens if t in _OUR) + 0.5 * sum(1 for t in tokens if t in _WE)
    us += 0.25 * sum(1 for t in tokens if t in _ME) + sum(1 for t in tokens if ours.mentions(t))
    them = sum(1 for t in tokens if t in _YOU)
    if us >= 4 and us >= 2 * (them + 1):
        message = f"Mostly about us ({us:g} we/our/I against {them} you/your); turn it toward their situation."
        return Flag(ABOUT_US, message, PRINCIPLES[ABOUT_US])
    return None


def off_question(draft: str, asked: Asked, embedder: Embedder | None = None, ours: Ours | None = None) -> Flag | None:
    """The asker's points, when the draft touches none of them and hardly a word of the question.

    Words alone are a rough stand-in for meaning: an answer in other words than the question's is missed, so the
    flag waits for both signs. With an ``embedder`` a point is also answered by a sentence near it in meaning, and
    a draft that shares the question's words but is far from it as a whole (about something next to it) is
    flagged too (see benchmarks/replycheck.py for what each costs and gains).
    """

    def pitch(sentence: str) -> bool:
        return bool((ours is not None and ours.mentions(sentence)) or _MARKETING.search(sentence))

    all_points, left = unanswered(asked, draft, embedder, pitch)
    if not all_points or len(left) < len(all_points):
        return None
    few_words = len(thread_words(asked) & stems(draft)) <= OFF_QUESTION_WORDS
    if not few_words and (embedder is None or nearness(asked, draft, embedder) >= OFF_QUESTION_NEAR):
        return None
    listed = "; ".join(f'"{p.text}"' for p in left[:3])
    return Flag(OFF_QUESTION, f"Leaves unanswered what was asked: {listed}.", PRINCIPLES[OFF_QUESTION])


def link_only(draft: str) -> Flag | None:
    """A link with little else around it."""
    if not links(draft):
        return None
    if len(words(without_code(draft))) >= LINK_ONLY_WORDS:
        return None
    return Flag(LINK_ONLY, "A link with little else; say what it holds and why it fits.", PRINCIPLES[LINK_ONLY])


def marketing(draft: str, cards: Sequence[RuleCard]) -> Flag | None:
    """Sales words: "game-changer", "sign up today", "best-in-class"..."""
    found = list(dict.fromkeys(m.group(0).lower() for m in _MARKETING.finditer(draft)))
    if not found:
        return None
    because, url = _cited(MARKETING, cards, LIMIT_PROMOTION)
    return Flag(MARKETING, f"Marketing words: {', '.join(repr(w) for w in found[:4])}.", because, url)


def duplicate(draft: str, earlier: Sequence[str]) -> Flag | None:
    """Nearly the same text as one of the team's earlier replies."""
    mine = shingles(draft)
    best = max((jaccard(mine, shingles(other)) for other in earlier), default=0.0)
    if best < DUPLICATE_AT:
        return None
    message = f"Nearly the same as an earlier reply by the team ({best:.0%} the same); write this one for this thread."
    return Flag(DUPLICATE, message, PRINCIPLES[DUPLICATE])


def too_long(draft: str, source: str) -> Flag | None:
    """Longer than the venue reads (prose words; code does not count)."""
    limit = LENGTH.get(source, DEFAULT_LENGTH)
    count = len(words(without_code(draft)))
    if count <= limit:
        return None
    return Flag(TOO_LONG, f"{count} words; about {limit} reads well on {source}.", PRINCIPLES[TOO_LONG])


def generated(draft: str, cards: Sequence[RuleCard]) -> Flag | None:
    """Tell-tale phrases of generated text, where the community bans it."""
    rules = asking(cards, NO_GENERATED)
    found = list(dict.fromkeys(m.group(0).lower() for m in _GENERATED.finditer(draft)))
    if not rules or not found:
        return None
    because, url = _cited(GENERATED, cards, NO_GENERATED)
    message = f"Reads like generated text ({', '.join(repr(w) for w in found[:3])}); write it in your own words."
    return Flag(GENERATED, message, because, url)


def discloses(text: str) -> bool:
    """Whether the text says how its author is connected ("I work on", "I'm the author", "disclosure: ...")."""
    return bool(_DISCLOSURE.search(text))


def manners(text: str, ours: Ours) -> tuple[bool, bool]:
    """(promoted, disclosed) of a reply the team posted: it named or linked what is ours; it said how we are
    connected. A reply that mentions nothing of ours is not promoting, whatever else it says."""
    return ours.mentions(text), discloses(text)


def manners_judge(ours: Ours, people: Mapping[str, Ours]) -> Callable[[str, str], tuple[bool | None, bool | None]]:
    """The participation checks' judge of a reply's manners (text, member id): (promoted, disclosed), both unknown
    (None) for a person for whom nothing counts as ours."""

    def judge(text: str, member: str) -> tuple[bool | None, bool | None]:
        theirs = ours_for(ours, people, member)
        return manners(text, theirs) if theirs else (None, None)

    return judge
