"""HTML to plain text for feed items: paragraphs kept as line breaks, entities decoded, scripts dropped."""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser

# Elements whose content is never text a person reads in the item.
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head"})
# Block elements: a blank line around them, as paragraphs in a plain-text mail.
_PARAGRAPH = frozenset(
    {
        "p",
        "div",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "dl",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "main",
        "figure",
        "figcaption",
        "hr",
        "address",
        "details",
        "summary",
        "form",
        "fieldset",
    }
)
# Elements that end a line but do not open a paragraph.
_LINE = frozenset({"br", "li", "tr", "dt", "dd", "option", "caption"})
_CELL = frozenset({"td", "th"})

_SPACES = re.compile(r"\s+")


def html_to_text(html: str | None) -> str:
    """Turn an HTML fragment into plain text: one line per line break, a blank line between paragraphs."""
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:
        return _SPACES.sub(" ", html).strip()
    root = LexborHTMLParser(html).root
    if root is None:
        return ""
    out = _Writer()
    # An explicit stack, not recursion: a hostile feed can nest elements deeper than Python's recursion limit.
    stack: list[tuple[Any, bool]] = [(root, True)]
    pre_depth = 0
    while stack:
        node, entering = stack.pop()
        tag: str = node.tag
        if not entering:
            if tag == "pre":
                pre_depth -= 1
            out.block_break(tag)
            continue
        if tag == "-text":
            out.text(node.text_content or "", preformatted=pre_depth > 0)
            continue
        if tag in _SKIP or tag.startswith("-"):  # comments, doctype
            continue
        out.block_break(tag)
        if tag == "br" or tag == "hr":
            continue
        if tag == "pre":
            pre_depth += 1
        stack.append((node, False))
        children = list(node.iter(include_text=True))
        stack.extend((child, True) for child in reversed(children))
    return out.result()


class _Writer:
    """Collects text runs and pending line breaks, so breaks never pile up and spaces never double."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = 0  # newlines owed before the next text

    def block_break(self, tag: str) -> None:
        if tag in _PARAGRAPH:
            self.pending = max(self.pending, 2)
        elif tag in _LINE:
            self.pending = max(self.pending, 1)
        elif tag in _CELL:
            self._space()

    def _space(self) -> None:
        if self.parts and not self.parts[-1].endswith((" ", "\n")):
            self.parts.append(" ")

    def text(self, value: str, *, preformatted: bool) -> None:
        if preformatted:
            lines = [line.rstrip() for line in value.split("\n")]
            for i, line in enumerate(lines):
                if i:
                    self.pending = max(self.pending, 1)
                self._write(line, collapse=False)
            return
        self._write(_SPACES.sub(" ", value), collapse=True)

    def _write(self, value: str, *, collapse: bool) -> None:
        if not value or (collapse and value == " " and self.pending):
            return
        if self.pending:
            if self.parts:
                self.parts[-1] = self.parts[-1].rstrip(" ")
                self.parts.append("\n" * self.pending)
            self.pending = 0
            if collapse:
                value = value.lstrip(" ")
        elif collapse and self.parts and self.parts[-1].endswith((" ", "\n")):
            value = value.lstrip(" ")
        if value:
            self.parts.append(value)

    def result(self) -> str:
        text = "".join(self.parts)
        return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n ")
