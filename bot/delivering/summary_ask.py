"""What a post is about, in its own sentences: its ask, and the problem the ask refers to.

Pure functions, offline. People write "Has anyone dealt with this?" or "Any ideas?" at the end of a post whose
point is in the sentences before; such an ask means nothing alone, so it is paired with the sentence that states
the problem (or the title). A post without an ask (a story, a launch, a write-up) is summed up by its title and
its most informative opening sentence, never by a pleasantry ("Lisbon was lovely.").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from earshot.bot.delivering.summary_prose import STOPWORDS, shorten, words

OPENING = 8  # sentences of the body read: the ask and the problem are in the opening lines
# An ask ends in "?", or opens like one: a wh-word, "any ...", or an auxiliary followed by its subject ("Would go
# back." is a statement; "Would it help to ..." is an ask).
_ASKING = re.compile(
    r"\?|^(?:how|what|which|why|where|who)\b|^any\s+\w|"
    r"^(?:is|are|was|were|does|do|did|can|could|should|would|will|has|have)\s+"
    r"(?:i|we|you|it|this|that|there|anyone|anybody|someone|somebody|people|the|my|our|your|a|an)\b",
    re.IGNORECASE,
)
# Greetings, thanks and meta lines: they carry nothing of the point.
_PLEASANTRY = re.compile(
    r"^(?:(?:hi|hello|hey|greetings|dear)\b|thanks?\b|thank you|cheers|ty\b|tia\b|long[- ]time lurker|"
    r"first (?:time )?post|sorry\b|apologies|(?:not sure|i hope) (?:if )?this is the right|edit\b|update\b|"
    r"any (?:help|advice|input|pointers)\b.*\bappreciated|(?:any )?help (?:is|would be) (?:much |greatly )?"
    r"appreciated)",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|greetings)(?: all| everyone| folks| guys| there| team| y'all)?[,!.:]?\s+", re.I
)
_TLDR = re.compile(r"^tl;?\s?dr\b[:,.\-\s]*", re.IGNORECASE)
# A sentence saying something is wrong: the usual shape of the problem an ask refers to.
_PROBLEM = re.compile(
    r"\b(?:slow\w*|fail\w*|error\w*|crash\w*|broke\w*|break\w*|timeouts?|timing out|times out|leak\w*|hang\w*|"
    r"stuck|freez\w*|can't|cannot|can not|couldn't|doesn't|don't|won't|isn't|aren't|unable|never|keeps?|"
    r"stopped|refus\w*|denied|missing|lost|corrupt\w*|exception|oom|spik\w*|bloat\w*|degrad\w*|regress\w*|"
    r"forever|hours|days|100%|doubl\w*|tripl\w*|grow\w*|grew|jump\w*|too (?:many|much|slow|long|high)|high|"
    r"wrong|issue|problem|bug)\b",
    re.IGNORECASE,
)
# Words that make an ask generic: who is asked, for what kind of help, and words that point back ("this").
GENERIC = frozenset(
    "anyone someone anybody somebody everyone else folks people guys here dealt deal dealing seen see experience "
    "experienced experiences idea ideas thought thoughts advice suggestion suggestions tip tips recommendation "
    "recommendations recommend help fix fixed solve solved solution solutions way ways better best good wrong "
    "missing something anything obvious doing done did know knows same similar happen happened happening "
    "possible normal expected ok okay right should am i'm i've i'd we're we've going go approach handle handled "
    "work works working around workaround pointers appreciated appreciate please thanks thank advance insight "
    "insights input feedback opinion opinions thing things all run ran into encounter encountered faced face hit "
    "kind sort stuff look looking make sense worth still yet now ever before other others option options "
    "alternatives out through cause causing causes reason explain explanation issue issues problem problems bug "
    "bugs try tried happens go-to even else's actually way? there's what's how's it's that's this these those "
    "that it show tell ask question questions wondering wonder curious anyone's".split()
)
_REFERRING = re.compile(r"\b(?:this|that|these|those|it|them|such)\b", re.IGNORECASE)
# Words that say how a thing felt, not what it was.
FILLER = frozenset(
    "lovely great amazing awesome nice fun cool wonderful beautiful excited happy love loved glad fantastic "
    "incredible wow yay pretty interesting exciting".split()
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a post, with what it is: an ask (generic or specific), a statement, or a pleasantry."""

    text: str
    ask: bool
    generic: bool
    pleasantry: bool
    specific: frozenset[str]

    @property
    def informative(self) -> bool:
        """Says something of its own: two or more content words beyond greetings, generic asks and feelings."""
        return not self.pleasantry and len(self.specific - FILLER) >= 2


def read(text: str) -> Sentence:
    """One sentence classified."""
    bare = _GREETING.sub("", text.strip())
    pleasantry = bool(_PLEASANTRY.search(bare)) or not words(bare)
    specific = frozenset(words(bare) - GENERIC - STOPWORDS)
    ask = not pleasantry and bool(_ASKING.search(bare))
    generic = ask and (not specific or (len(specific) == 1 and bool(_REFERRING.search(bare))))
    return Sentence(bare, ask, generic, pleasantry, specific)


def the_point(title: str, body: Sequence[str], limit: int) -> str:
    """The post's point within ``limit`` characters: its specific asks, a generic ask with its problem, or its gist."""
    head = read(title) if title else None
    lines = [read(s) for s in body[:OPENING]]
    tldr = next((read(_capital(_TLDR.sub("", s.text))) for s in lines if _TLDR.match(s.text)), None)
    sentences_ = ([head] if head else []) + lines
    specific = [s for s in sentences_ if s.ask and not s.generic]
    if specific:
        asks = specific[:2]
        if head is not None and head not in asks and len(asks) == 1 and _states_problem(head):
            return _paired([head], asks[0].text, limit)  # the title says what is wrong, the ask what is wanted
        return shorten(" ".join(_end(s.text) for s in asks), limit)
    generic = next((s for s in sentences_ if s.generic), None)
    statements = [s for s in lines if not s.ask and s.informative and not _TLDR.match(s.text)]
    if generic is not None:
        return _paired(_problem(head, statements, tldr), generic.text, limit)
    return shorten(" ".join(_end(s.text) for s in _gist(head, statements, tldr)), limit)


def _problem(head: Sentence | None, statements: list[Sentence], tldr: Sentence | None) -> list[Sentence]:
    """The sentences stating what a generic ask is about: the TL;DR, or the title and the problem sentence."""
    if tldr is not None and tldr.informative:
        return [tldr]
    picked = [head] if head is not None and head.informative and not head.ask else []
    if picked and _states_problem(picked[0]):
        return picked
    body = [s for s in statements if not picked or not _alike(s, picked[0])]
    problem = next((s for s in body if _states_problem(s)), body[0] if body else None)
    return picked + ([problem] if problem else [])


def _gist(head: Sentence | None, statements: list[Sentence], tldr: Sentence | None) -> list[Sentence]:
    """What a post without an ask is about: its title and its most informative opening sentence (or its TL;DR)."""
    picked = [head] if head is not None and not head.pleasantry and head.specific - FILLER else []  # not "Help!"
    lead = tldr if tldr is not None and tldr.informative else None
    fresh = [s for s in statements[:3] if not picked or not _alike(s, picked[0])]
    # Of the opening sentences, the one saying the most ("cut p99 latency by 30%" over "it took six months").
    lead = lead or max(fresh, key=lambda s: len(s.specific - FILLER), default=None)
    if lead is None:
        return picked
    if picked or head is not None:
        return [*picked, lead]
    # No title (a comment): the lead and the first other sentence that says something, in their order.
    other = next((s for s in statements if s is not lead), None)
    return [s for s in statements if s is lead or s is other]


def _paired(context: Sequence[Sentence], ask: str, limit: int) -> str:
    """``context`` then ``ask``, the context shortened first so the ask is read whole."""
    tail = shorten(_end(ask), limit)
    if not context:
        return tail
    room = limit - len(tail) - 1
    if room < 20:
        return tail
    return f"{shorten(' '.join(_end(s.text) for s in context), room)} {tail}"


def _states_problem(sentence: Sentence) -> bool:
    return sentence.informative and bool(_PROBLEM.search(sentence.text))


def _alike(a: Sentence, b: Sentence) -> bool:
    """Two sentences sharing most of their content words say the same thing."""
    if not a.specific or not b.specific:
        return False
    return len(a.specific & b.specific) / min(len(a.specific), len(b.specific)) >= 0.6


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _end(sentence: str) -> str:
    return sentence if sentence[-1:] in ".!?…" else sentence + "."
