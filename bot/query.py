"""Topic queries: terms, "exact phrases", AND, OR, NOT, -term and parentheses.

The grammar, loosest binding first::

    query := or
    or    := and ("OR" and)*
    and   := unary (["AND"] unary)*        # juxtaposition means AND
    unary := ("NOT" | "-") unary | "(" or ")" | PHRASE | WORD

Terms match whole words, case-insensitively, with accents folded, so ``c++``, ``node.js`` and ``.net`` work.
A query that only excludes (``NOT spam``) is refused: it would match nearly everything.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.errors import InvalidQuery


@dataclass(frozen=True, slots=True)
class Term:
    """A word or an exact phrase, already folded."""

    text: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class And:
    """Every part must match."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Any part may match."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The part must not match."""

    part: Node


Node = Term | And | Or | Not


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: the source text and its tree."""

    text: str
    root: Node

    def terms(self) -> tuple[Term, ...]:
        """The positive terms, in order, once each: the words whose presence can make the query match."""
        unique = {t.text: t for t in _positive_terms(self.root, negated=False)}
        return tuple(unique.values())


def fold(text: str) -> str:
    """Case-fold and strip accents, so "Café" and "cafe" compare equal."""
    if text.isascii():
        return text.lower()  # the common case, without decomposing every character
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def term_pattern(term: str) -> re.Pattern[str]:
    """A regex finding ``term`` as a whole word: no word character may touch either end.

    A trailing ``+`` or ``#`` counts as part of a word, so ``c`` does not match inside ``c++`` or ``c#``.
    """
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?![\w+#])")


_TOKEN = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<phrase>[^"]*)(?P<closed>")?|(?P<word>[^\s()"]+))')
_OPERATORS = {"AND", "OR", "NOT"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # lp | rp | phrase | word | op | minus | end
    value: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        start = m.start(m.lastgroup or 0)
        if m.group("lp"):
            tokens.append(_Token("lp", "(", start))
        elif m.group("rp"):
            tokens.append(_Token("rp", ")", start))
        elif m.group("phrase") is not None:
            if m.group("closed") is None:
                raise InvalidQuery(text, start - 1, 'this phrase has no closing quote (")')
            tokens.append(_Token("phrase", m.group("phrase"), start - 1))
        else:
            word = m.group("word")
            if word in _OPERATORS:
                tokens.append(_Token("op", word, start))
            elif word.startswith("-") and len(word) > 1:
                tokens.append(_Token("minus", "-", start))
                tokens.append(_Token("word", word[1:], start + 1))
            else:
                tokens.append(_Token("word", word, start))
        pos = m.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, token: _Token, reason: str) -> InvalidQuery:
        return InvalidQuery(self.text, token.pos, reason)

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise InvalidQuery(self.text, 0, "the query is empty; give at least one word or phrase")
        node = self.parse_or()
        token = self.peek()
        if token.kind == "rp":
            raise self.fail(token, "this ')' closes nothing")
        if token.kind != "end":
            raise self.fail(token, f"unexpected {token.value!r}")
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek().kind == "op" and self.peek().value == "OR":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_unary()]
        while True:
            token = self.peek()
            if token.kind == "op" and token.value == "AND":
                self.take()
            elif token.kind in {"end", "rp"} or (token.kind == "op" and token.value == "OR"):
                break
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self) -> Node:
        token = self.take()
        if token.kind == "minus" or (token.kind == "op" and token.value == "NOT"):
            return Not(self.parse_unary())
        if token.kind == "lp":
            node = self.parse_or()
            closing = self.take()
            if closing.kind != "rp":
                raise self.fail(token, "this '(' is never closed")
            return node
        if token.kind in {"word", "phrase"}:
            folded = " ".join(fold(token.value).split())
            if not folded:
                raise self.fail(token, "empty phrase")
            return Term(folded, term_pattern(folded))
        if token.kind == "end":
            raise self.fail(token, "the query ends where a word, phrase or '(' was expected")
        raise self.fail(token, f"{token.value!r} needs a word, phrase or '(' after it, not here")


def _positive_terms(node: Node, *, negated: bool) -> list[Term]:
    if isinstance(node, Term):
        return [] if negated else [node]
    if isinstance(node, Not):
        return _positive_terms(node.part, negated=not negated)
    return [t for part in node.parts for t in _positive_terms(part, negated=negated)]


def parse_query(text: str) -> Query:
    """Parse a topic query; raise InvalidQuery with the position and reason when it is malformed."""
    root = _Parser(text).parse()
    query = Query(text, root)
    if not query.terms():
        raise InvalidQuery(text, 0, "the query only excludes words; say what to look for, e.g. 'postgres -job'")
    return query
