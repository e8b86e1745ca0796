"""Which language an item is written in: for ``lang:`` in topic queries, and to hold items the team cannot read.

The source's own word comes first (``Conversation.language``, which Mastodon and Bluesky declare); otherwise
py3langid guesses from the text. py3langid carries its model in the package (no download). It is imported on first
use, so a bot that never asks (no ``lang:``, no languages set) never loads it; each text is read once, however many
topics ask (a small cache keyed by the text).

An item is held for its language only when the guess is confident: a short title ("Postgres at scale") says little,
and holding a post the team could read is worse than posting one it cannot.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

from earshot.bot.domain import Conversation
from earshot.bot.records import Reason, ReasonKind

# A few hundred characters decide the language as well as the whole text and keep detection cheap.
SAMPLE = 1000
CONFIDENT = 0.5
"""How sure the guess must be (probability of the likeliest language) before an item is held for its language."""
READABLE = 0.1
"""The chance, by the guess, that the item is in one of the wanted languages below which it is held."""

NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian", "bg": "Bulgarian", "bn": "Bengali",
    "bs": "Bosnian", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
    "ka": "Georgian", "kk": "Kazakh", "ko": "Korean", "la": "Latin", "lb": "Luxembourgish", "lt": "Lithuanian",
    "lv": "Latvian", "mk": "Macedonian", "ms": "Malay", "mt": "Maltese", "nl": "Dutch", "nn": "Norwegian Nynorsk",
    "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek",
    "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip


def language_name(code: str) -> str:
    """ "German (de)" for "de"; the code alone for a language without a name here."""
    name = NAMES.get(code)
    return f"{name} ({code})" if name else code


def _sample(conversation: Conversation) -> str:
    return f"{conversation.title}\n{conversation.text}"[:SAMPLE]


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # deferred: loading the model takes a second

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@functools.lru_cache(maxsize=4096)  # one entry per item read lately: each text is guessed once for every topic
def _ranked(sample: str) -> tuple[tuple[str, float], ...]:
    """Every language the model knows, likeliest first, with its probability."""
    return tuple((str(code), float(p)) for code, p in _identifier().rank(sample))


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is most likely written in ("en", "fr", ...)."""
    return _ranked(text[:SAMPLE])[0][0]


def declared(conversation: Conversation) -> str | None:
    """The language the source declares for the item ("en" from "en-US"), or None."""
    if not conversation.language:
        return None
    code = conversation.language.strip().lower().replace("_", "-").split("-")[0]
    return code or None


def language_of(conversation: Conversation) -> str:
    """The item's language: as its source declares it, else the likeliest guess from its title and text."""
    return declared(conversation) or detect_language(_sample(conversation))


def unreadable(conversation: Conversation, wanted: Collection[str]) -> str | None:
    """The language the item is written in when it is confidently none of ``wanted``; None when it is one of them,
    or when the guess is unsure."""
    said = declared(conversation)
    if said is not None:
        return None if said in wanted else said
    ranked = _ranked(_sample(conversation))
    best, chance = ranked[0]
    if best in wanted or chance < CONFIDENT:
        return None
    if sum(p for code, p in ranked if code in wanted) >= READABLE:
        return None
    return best


def language_hold(
    conversation: Conversation, topic_languages: Collection[str], team_languages: Collection[str] | None
) -> Reason | None:
    """Why the item is held for its language, in plain words ("written in German (de); the team reads en"), or
    None. A topic's own languages replace the team's; with neither, every language is read."""
    wanted = {code.lower() for code in topic_languages or team_languages or ()}
    if not wanted:
        return None
    found = unreadable(conversation, wanted)
    if found is None:
        return None
    who = "this topic reads" if topic_languages else "the team reads"
    return Reason(f"written in {language_name(found)}; {who} {', '.join(sorted(wanted))}", -100, ReasonKind.LANGUAGE)


def known_language(
    conversation: Conversation, topic_languages: Collection[str], team_languages: Collection[str] | None
) -> str | None:
    """The item's language when knowing it costs nothing more: declared by its source, or already guessed to see
    whether the topic or team can read it (the guess is cached); None when nobody asked."""
    if topic_languages or team_languages:
        return language_of(conversation)
    return declared(conversation)
