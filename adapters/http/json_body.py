"""Every JSON body Earshot reads from a third party is decoded here, into text any database and encoder accepts.

Two things in real JSON are valid to the parser yet unusable afterwards: a lone UTF-16 surrogate escape
(``"\\ud83d"``, an emoji cut in half by an API's truncation), which Python keeps as a lone surrogate that
neither SQLite, PostgreSQL nor ``str.encode`` accepts; and bytes that are not UTF-8, which make ``json.loads``
refuse the whole body for one bad byte in one field. Both become U+FFFD, the replacement character, so one bad
field costs at most that field.
"""

from __future__ import annotations

import json
import re
from typing import Any

from earshot.bot.text import without_surrogates

# An escaped backslash (kept, so the "u" after it is not read as an escape), a surrogate pair (kept: the parser
# joins it into one character), or a lone surrogate escape (replaced).
_ESCAPES = re.compile(
    r"\\\\|(\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})|(\\u[dD][89a-fA-F][0-9a-fA-F]{2})"
)
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def load_json(content: bytes | str) -> Any:
    """Parse a JSON body: bytes decoded as JSON's encoding (undecodable bytes replaced), lone surrogates replaced.

    Raises ValueError (not JSON) or RecursionError (nested deeper than the parser goes), like ``json.loads``.
    """
    if isinstance(content, bytes | bytearray):
        # utf-8 with "replace" also turns encoded surrogates (b"\xed\xa0\xbd") into U+FFFD; json.loads(bytes)
        # would keep them ("surrogatepass").
        text = bytes(content).decode(json.detect_encoding(content), "replace")
    else:
        text = without_surrogates(content)
    if _MAYBE_SURROGATE.search(text):
        text = _ESCAPES.sub(_fix_escape, text)
    return json.loads(text)


def _fix_escape(match: re.Match[str]) -> str:
    if match.group(2) is not None:
        return "\\ufffd"
    return match.group(0)
