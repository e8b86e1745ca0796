"""The language a source declares for an item (a Mastodon status's ``language``, a Bluesky post's ``langs``, a
feed's ``<language>`` or ``xml:lang``), as the ISO 639 code the core compares."""

from __future__ import annotations

import re

# A BCP 47 tag's primary subtag: two letters (ISO 639-1), or three for languages without a two-letter code.
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


def language_code(tag: object) -> str | None:
    """ "en" for "en", "EN-us", "en_GB"; None for anything that is not a language tag ("", "und", "x-klingon")."""
    if not isinstance(tag, str):
        return None
    found = _TAG.fullmatch(tag.strip())
    if found is None:
        return None
    code = found.group(1).lower()
    return None if code in ("und", "mul", "zxx", "mis") else code
