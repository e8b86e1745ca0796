"""What a post is trying to do: ask, seek a recommendation, compare, describe a pain, or announce, hire, promote.

Two layers. A learned model (bot/finding/intent_model.py, trained by scripts/train_intent.py on public speech-act
labelled posts and our own development items) reads the title and the opening of the text and says whether the post
asks a question or makes a request. Phrases (bot/finding/intent_phrases.py) say which kind of ask it is and
recognise the broadcasts (job ads, launches, calls for papers, solved threads, ...).

How they combine: a post asks when the model says so, or when a strong phrase asks by itself ("advice wanted", "has
anyone", "how do I", "which ... should we"), or when a weaker asking phrase ("looking for", "how to", "X vs Y") is
backed by the model at PHRASE_BACKING of its threshold. The kind of ask (a recommendation, a comparison,
a problem) is named by its phrase, only in a post that asks; a strong problem phrase ("keeps crashing", "can't get")
counts by itself. So no single word decides alone: "slow" in a travel story or "recommend" in advice given does not
make an ask. A call for papers asks for nothing. Pure: the model's weights are read once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from earshot.bot.finding.intent_phrases import ASKING as ASKING
from earshot.bot.finding.intent_phrases import LABELS as LABELS
from earshot.bot.finding.intent_phrases import NEGATIVE as NEGATIVE
from earshot.bot.finding.intent_phrases import OPENING as OPENING
from earshot.bot.finding.intent_phrases import POSITIVE as POSITIVE
from earshot.bot.finding.intent_phrases import Found as Found
from earshot.bot.finding.intent_phrases import Intent as Intent
from earshot.bot.finding.intent_phrases import find_phrases, model_text

if TYPE_CHECKING:
    from earshot.bot.finding.intent_model import IntentModel

PHRASE_BACKING = 0.5
"""A weak asking phrase counts from this fraction of the model's threshold: the model must lean towards an ask."""
LEARNED = "asks (learned)"
_ASK_PHRASES = frozenset((Intent.QUESTION, Intent.RECOMMENDATION, Intent.COMPARISON))
"""The phrase shown for an ask the model found without a phrase."""


def shipped() -> IntentModel:
    """The shipped model, loaded on first use: numpy and the weights load only where items are scored, so a
    command that scores nothing (`earshot topics list`) starts without them."""
    from earshot.bot.finding.intent_model import shipped as load

    return load()


def asks_probability(title: str, text: str) -> float:
    """The model's probability that the post asks a question or makes a request."""
    return shipped().probabilities(model_text(title, text))["asks"]


def find_intents(title: str, text: str) -> list[Found]:
    """Every kind of intent the title and the opening of the text show, once each.

    ``title`` is the item's own title, "" when it has none (a comment, or a post whose title is only its text's
    opening): title-only phrases (a launch, a job ad) are then not looked for in the body.
    """
    phrases = find_phrases(title, text)
    kinds = {f.intent for f in phrases}
    if Intent.CALL_FOR_PAPERS in kinds:
        asks = False  # "we are looking for talks on ..." asks the reader for nothing they would answer
    elif any(f.strong and f.intent in _ASK_PHRASES for f in phrases):
        asks = True  # the model could only agree: it is not asked (it is most of the cost)
    else:
        model = shipped()
        probability = model.probabilities(model_text(title, text))["asks"]
        threshold = float(model.thresholds[0])
        weak_ask = any(f.intent in _ASK_PHRASES for f in phrases)  # a pain word alone is no sign of an ask
        asks = probability >= threshold or (weak_ask and probability >= threshold * PHRASE_BACKING)
    found = [f for f in phrases if f.intent not in ASKING or asks or (f.intent is Intent.PAIN and f.strong)]
    if asks and Intent.QUESTION not in kinds:
        found.append(Found(Intent.QUESTION, LEARNED, bool(title) and "?" in title))
    return found
