"""The one way Earshot hands a feed body to feedparser: as data, decoded once, with what breaks its parsers removed.

feedparser takes a body through two parsers (expat, then a forgiving SGML one when expat refuses it) and an HTML
sanitizer. Before any of them sees the body, it is decoded to UTF-8 as feedparser would decode it, then:

- the DOCTYPE is removed (its entities are how "billion laughs" feeds blow up memory);
- characters XML forbids outright (NUL and other C0 controls) are dropped: storage refuses NUL;
- numeric character references are made valid: an emoji written as two UTF-16 surrogate references becomes the
  emoji, and a reference no character has (a lone surrogate, past U+10FFFF, thousands of digits, ``&#0;``) becomes
  U+FFFD. feedparser's SGML parser turns references into characters with ``chr()`` and ``int()``, which raise on
  those, and the whole feed would fail every poll while that one item is in it.
"""

from __future__ import annotations

import io
import re
from typing import Any

import feedparser
from feedparser.encodings import convert_to_utf8

from earshot.adapters.sources.text import html_to_text
from earshot.bot.errors import FeedError

# Where the prolog ends for feedparser: it looks for entity declarations before the first "<" and a word character.
_FIRST_ELEMENT = re.compile(rb"<\w")
_SPACE = re.compile(rb"[ \t\r\n]*")
_DOCTYPE_KEYWORD = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# In a DOCTYPE: a quote (a literal follows), a bracket (the internal subset), a comment or PI, or its end.
_DOCTYPE_PART = re.compile(rb"[\"'\[\]>]|<!--|<\?")
# What a DOCTYPE keyword the scan could not remove becomes: no parser reads it as a declaration, it holds no "--"
# (it may sit in a comment) and, whatever surrounds it, it cannot form a new "<!DOCTYPE".
_INERT = b"<!doc-type"

# Characters XML 1.0 forbids even written out, in UTF-8: C0 controls but tab, LF and CR; U+FFFE and U+FFFF.
_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
# A numeric character reference, or one escaped once ("&amp;#...;" in escaped HTML, which the sanitizer parses
# again after the XML parser). Group 1 is the prefix up to "#", 2 the hex digits, 3 the decimal ones.
_CHAR_REF = re.compile(rb"(&(?:amp;|#0*38;|#[xX]0*26;)?#)(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
# Longer spellings are rewritten even when valid: Python's int() refuses more than 4,300 digits.
_LONGEST_SPELLING = 8
_REPLACEMENT = 0xFFFD


def read_feed(data: bytes, *, content_type: str | None = None) -> Any:
    """feedparser's result (a FeedParserDict) for a feed body; FeedError when its parsers fail on it anyway."""
    headers = {"content-type": content_type} if content_type else {}
    decoding: dict[str, Any] = {}
    try:
        body = clean(convert_to_utf8(headers, bytes(data), decoding)) if data else b""
        # A file-like object: given bytes or a str, feedparser first tries to open it as a file name (a body of
        # "/dev/zero" would read until memory runs out) or to fetch it as a URL. The body is UTF-8 now, and says
        # so in its XML declaration, so no header is passed: it would only make feedparser decode it again.
        parsed = feedparser.parse(io.BytesIO(body))
    except Exception as e:  # the last safety net: a parser bug on hostile bytes is this feed's error, not a crash
        raise FeedError(f"the feed parser failed on it ({type(e).__name__}: {str(e)[:200]})") from e
    # The encoding found, and what the decoding found wrong (not an XML media type, a wrong charset), are in the
    # result as if feedparser had decoded the body itself; an error of the parse proper takes precedence.
    parsed["encoding"] = decoding.get("encoding", parsed.get("encoding"))
    if decoding.get("bozo") and not parsed.get("bozo"):
        parsed["bozo"] = True
        parsed["bozo_exception"] = decoding.get("bozo_exception")
    return parsed


def text_of(container: Any, key: str) -> str:
    """A text field of a feedparser result (``title``, ``summary``...) as plain text, by the type it was given."""
    detail = container.get(f"{key}_detail")
    return as_text(container.get(key), detail.get("type") if isinstance(detail, dict) else None)


def as_text(value: object, kind: object) -> str:
    """Text of a given MIME type as plain text: only HTML is parsed as HTML, so "Vector<T>" keeps its "<T>"."""
    if not isinstance(value, str):
        return ""
    # feedparser gives text/plain for text it found no markup in (RSS) or that says so (Atom type="text"): its
    # entities are decoded already, and a "<" left in it is a character, not a tag.
    if kind == "text/plain":
        return " ".join(value.split())
    return html_to_text(value)


def clean(data: bytes) -> bytes:
    """A UTF-8 feed body without its DOCTYPE, forbidden characters or impossible character references."""
    # Forbidden characters go first: removing them must not join the pieces of a DOCTYPE keyword back together.
    return fix_char_refs(strip_doctype(_FORBIDDEN.sub(b"", data)))


def strip_doctype(data: bytes) -> bytes:
    """Remove the DOCTYPE declaration from the prolog, internal subset included: no entity is defined or expanded.

    Only the prolog (before the root element) can hold a DOCTYPE: "<!DOCTYPE" in a CDATA section or a comment
    further on is text, and is left alone.
    """
    kept: list[bytes] = []
    done = pos = removed = 0
    while True:
        space = _SPACE.match(data, pos)
        pos = space.end() if space else pos
        if data.startswith(b"<?", pos):
            end = _after(data, b"?>", pos + 2)
        elif data.startswith(b"<!--", pos):
            end = _after(data, b"-->", pos + 4)
        elif _DOCTYPE_KEYWORD.match(data, pos):
            end = _doctype_end(data, pos + len(b"<!DOCTYPE"))
            if end is not None:
                kept.append(data[done:pos])
                removed += end - pos
                done = end
        else:
            break
        if end is None:
            break
        pos = end
    kept.append(data[done:])
    stripped = b"".join(kept)
    # expat's prolog ends where the scan stopped; feedparser's own DOCTYPE handling reads up to the first "<\w",
    # which can lie further on (after junk, or when the root's name is not ASCII). A keyword the scan could not
    # remove there (unterminated, or after junk) is made inert: neither may find a DOCTYPE.
    first = _FIRST_ELEMENT.search(stripped)
    head = max(pos - removed, first.start() if first else 0)
    return _DOCTYPE_KEYWORD.sub(_INERT, stripped[:head]) + stripped[head:]


def _after(data: bytes, closing: bytes, start: int) -> int | None:
    """The position just after ``closing``, from ``start`` on; None when it never comes."""
    at = data.find(closing, start)
    return None if at < 0 else at + len(closing)


def _doctype_end(data: bytes, pos: int) -> int | None:
    """The position just after the DOCTYPE whose keyword ends at ``pos``; None when it is never closed."""
    in_subset = False
    while (part := _DOCTYPE_PART.search(data, pos)) is not None:
        token = part.group()
        if token in (b'"', b"'"):
            end = _after(data, token, part.end())
        elif token == b"<!--":
            end = _after(data, b"-->", part.end()) if in_subset else part.end()
        elif token == b"<?":
            end = _after(data, b"?>", part.end()) if in_subset else part.end()
        else:
            if token == b">" and not in_subset:
                return part.end()
            in_subset = token == b"[" or (in_subset and token != b"]")
            end = part.end()
        if end is None:
            return None
        pos = end
    return None


def fix_char_refs(data: bytes) -> bytes:
    """Numeric character references made valid XML: a surrogate pair joined, anything impossible U+FFFD."""
    out: list[bytes] = []
    done = 0
    refs = list(_CHAR_REF.finditer(data))
    skip = False
    for i, ref in enumerate(refs):
        if skip:
            skip = False
            continue
        code = _code_point(ref)
        if 0xD800 <= code <= 0xDBFF and i + 1 < len(refs) and refs[i + 1].start() == ref.end():
            low = _code_point(refs[i + 1])
            if 0xDC00 <= low <= 0xDFFF and _escaped(refs[i + 1]) == _escaped(ref):
                out += [data[done : ref.start()], _spell(ref, 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))]
                done, skip = refs[i + 1].end(), True
                continue
        if not _is_xml_char(code) or _long(ref):
            out += [data[done : ref.start()], _spell(ref, code if _is_xml_char(code) else _REPLACEMENT)]
            done = ref.end()
    if not out:
        return data
    out.append(data[done:])
    return b"".join(out)


def _code_point(ref: re.Match[bytes]) -> int:
    """The code point a reference names; -1 when it names none (too many digits to be one)."""
    hex_digits, decimal = ref.group(2), ref.group(3)
    digits = (hex_digits or decimal).lstrip(b"0") or b"0"
    if len(digits) > _LONGEST_SPELLING:
        return -1
    return int(digits, 16) if hex_digits else int(digits)


def _long(ref: re.Match[bytes]) -> bool:
    return len(ref.group(2) or ref.group(3)) > _LONGEST_SPELLING or len(ref.group(1)) > _LONGEST_SPELLING


def _escaped(ref: re.Match[bytes]) -> bool:
    return len(ref.group(1)) > 2


def _spell(ref: re.Match[bytes], code: int) -> bytes:
    return (b"&amp;#" if _escaped(ref) else b"&#") + f"x{code:X};".encode()


def _is_xml_char(code: int) -> bool:
    """Whether XML 1.0 allows the character (its Char production)."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
