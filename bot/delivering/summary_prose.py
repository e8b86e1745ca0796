"""Plain-text helpers of the summaries: sentences, content words, and shortening at a word boundary."""

from __future__ import annotations

import re

from earshot.bot.text import clean

_SPACE = re.compile(r"\s+")
# A sentence ends at . ! ? (or a run of them) followed by space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[a-z0-9][a-z0-9'+#.-]*[a-z0-9+#]|[a-z0-9]", re.IGNORECASE)
_QUOTE_LINE = re.compile(r"^\s*>.*$", re.MULTILINE)  # quoted text repeats the parent, not what the reply says
_URL = re.compile(r"https?://\S+")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:e\.g|i\.e|etc|vs|cf|approx|mr|mrs|ms|dr|st|[a-z])\.$", re.IGNORECASE)
STOPWORDS = frozenset(
    "a an and are as at be but by can do does for from has have how i if in is it its me my not of on or so "
    "that the this to was we what when where which who why will with would you your our they them their there "
    "just like any some about into than then been also more most very really one get got use using re hn".split()
)


def sentences(text: str) -> list[str]:
    """``text`` split into sentences, whitespace flattened, quoted lines and empty pieces dropped."""
    body = _QUOTE_LINE.sub("", clean(text))
    found: list[str] = []
    glue = False
    for piece in (_SPACE.sub(" ", p).strip() for p in _SENTENCE_END.split(body)):
        if not piece:
            continue
        if glue and found:
            found[-1] = f"{found[-1]} {piece}"
        else:
            found.append(piece)
        # "e.g." or "U.S." end a piece without ending the sentence.
        glue = bool(_ABBREVIATION.search(found[-1]))
    return found


def words(text: str) -> set[str]:
    """The content words of ``text``, lowercased, without stopwords and links."""
    return {w.lower() for w in _WORD.findall(_URL.sub(" ", text))} - STOPWORDS


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary within ``limit`` characters, with an ellipsis when cut."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"
