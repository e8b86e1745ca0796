"""Which language an item is written in, for ``lang:`` in topic queries.

py3langid carries its model in the package (no download). It is imported on first use, so a bot whose topics
never say ``lang:`` never loads it.
"""

from __future__ import annotations

# A few hundred characters decide the language as well as the whole text and keep detection cheap.
SAMPLE = 1000


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is most likely written in ("en", "fr", ...)."""
    import py3langid  # deferred: loading the model takes about a second

    language, _ = py3langid.classify(text[:SAMPLE])
    return str(language)
