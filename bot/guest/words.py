"""Plain-text helpers for the reply check: words, sentences, links, shingles and their Jaccard similarity."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_LINK = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_WORD = re.compile(r"[a-z0-9][a-z0-9'+#./-]*[a-z0-9+#]|[a-z0-9]", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9`])|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)

# Words too common to say what a sentence is about; kept short on purpose (a question's nouns must survive).
STOP = frozenset(
    """a an the and or but if then than so of to in on at by for with from into onto about as is are was were be
    been being am do does did done have has had having it its it's this that these those there here what which who
    whom whose when where why how can could should would will shall may might must not no nor i me my mine we us our
    ours you your yours he she they them their his her any some all each every more most other such only own same
    just also very too really quite much many lot lots get got getting use using used want wanted need needed like
    anyone anybody someone something thing things way ways one ones make makes made know think see look looking
    trying tried try going go me i'm i've i'd we're we've you're you've it'll that's there's what's don't doesn't
    didn't can't won't isn't aren't wasn't weren't etc e.g i.e vs via per up out over now well even still yet""".split()
)


def without_code(text: str) -> str:
    """The text with code blocks and inline code removed (they are answers, but not prose to weigh)."""
    return _CODE.sub(" ", text)


def links(text: str) -> list[str]:
    """Every URL in the text, Markdown links included, in order."""
    found = [m.group(2) for m in _MD_LINK.finditer(text)]
    found += [m.group(0).rstrip(".,;:!?") for m in _LINK.finditer(_MD_LINK.sub(" ", text))]
    return found


def host(url: str) -> str:
    """The lower-case host of a URL (``www.`` added when it had no scheme)."""
    target = url if "://" in url else f"https://{url}"
    return (urlsplit(target).hostname or "").lower()


def words(text: str) -> list[str]:
    """Lower-case words of the prose, links left out."""
    return [w.lower() for w in _WORD.findall(_LINK.sub(" ", _MD_LINK.sub(r"\1", text)))]


def content_words(text: str) -> list[str]:
    """The words that carry meaning: no stop words, no one-letter words."""
    return [w for w in words(text) if w not in STOP and len(w) > 1]


def stem(word: str) -> str:
    """A rough stem, enough to match "retries" with "retry", "queues" with "queued" and "Postgres" with itself."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def stems(text: str) -> set[str]:
    """The stems of the content words, hyphenated and slashed words also taken apart ("Postgres-backed")."""
    found: set[str] = set()
    for w in content_words(text):
        found.add(stem(w))
        if "-" in w or "/" in w:
            found.update(stem(part) for part in re.split(r"[-/]", w) if len(part) > 1 and part not in STOP)
    return found


def sentences(text: str) -> list[str]:
    """The text split into sentences and list items, blank ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s and s.strip()]


def shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    """The set of ``size``-word runs in the text (the whole text when shorter)."""
    w = words(text)
    if len(w) < size:
        return {tuple(w)} if w else set()
    return {tuple(w[i : i + size]) for i in range(len(w) - size + 1)}


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    """How much two shingle sets overlap, from 0 (nothing) to 1 (the same)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
