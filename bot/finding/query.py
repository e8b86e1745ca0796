"""Topic queries, Lucene-style: parsed by luqum, turned into our own small tree, evaluated by
earshot.bot.finding.matching.

What a query may say::

    postgres sqlite             both words (juxtaposition means AND)
    postgres OR sqlite          either word
    postgres -job  / NOT job    exclude a word; +word is the same as word
    "vector database"           an exact phrase
    (react OR vue) typescript   grouping; AND (and juxtaposition) binds tighter than OR
    recommend*                  a word beginning: recommend, recommended, recommendation
    title:rust  text:rust       only in the title / only in the body (title:(a OR "b c") works too)
    author:pg                   the author, exactly (case-insensitive)
    source:hackernews           the feed kind, or the feed's name
    lang:fr                     the language of the title and text

Terms match whole words, case-insensitively, with accents folded, so ``c++``, ``node.js``, ``.net`` and ``c#``
work. A query that only excludes (``NOT spam``) is refused: it would match nearly everything. Fuzzy and
proximity searches, ranges, boosts, regular expressions and leading wildcards are refused with the reason.

Lucene also spells AND, OR and NOT as ``&&``, ``||`` and ``!``. Earshot has one spelling of each operator, so
those are refused with the word to write instead (``!spam`` is answered "write NOT or -"); a word that really
begins with '!' is written in quotes (``"!important"``), and a '!' inside or at the end of a word is part of it
(``yahoo!``). A query nested more than 32 levels deep (MAX_DEPTH: parentheses, NOT, -, + and fields) is
refused: no one writes one, and walking it would exhaust the stack; so is one longer than 1,000 characters
(MAX_LENGTH), the config file's limit, which bounds the time a parse takes wherever a query comes from.
"""

from __future__ import annotations

import dataclasses
import decimal
import re
import unicodedata
from dataclasses import dataclass

from luqum import tree
from luqum.exceptions import IllegalCharacterError, ParseSyntaxError
from luqum.parser import lexer as luqum_lexer
from luqum.thread import parse as luqum_parse

from earshot.bot.errors import InvalidQuery

TEXT_FIELDS = ("title", "text")
ITEM_FIELDS = ("author", "source", "lang")
FIELDS = TEXT_FIELDS + ITEM_FIELDS
MAX_LENGTH = 1000  # characters; luqum's parse time grows with the square of the number of terms
MAX_DEPTH = 32  # levels of parentheses, NOT, -, + and fields; the deepest query converted and matched fits the stack


@dataclass(frozen=True, slots=True)
class Term:
    """A word, a word beginning (``prefix``) or an exact phrase, already folded; ``field`` None means title or text."""

    text: str
    pattern: re.Pattern[str]
    field: str | None = None
    prefix: bool = False

    @property
    def label(self) -> str:
        """The term as a person would write it: ``title:recommend*``."""
        field = f"{self.field}:" if self.field else ""
        return f"{field}{self.text}{'*' if self.prefix else ''}"


@dataclass(frozen=True, slots=True)
class Attr:
    """A property of the item rather than of its words: ``author``, ``source`` or ``lang``, with a folded value."""

    field: str
    value: str


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


Node = Term | Attr | And | Or | Not


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: the source text and its tree."""

    text: str
    root: Node
    _terms: tuple[Term, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unique = {t.label: t for t in _positive(self.root, negated=False) if isinstance(t, Term)}
        object.__setattr__(self, "_terms", tuple(unique.values()))  # asked for every match: computed once

    def terms(self) -> tuple[Term, ...]:
        """The positive terms, in order, once each: the words whose presence can make the query match."""
        return self._terms


def fold(text: str) -> str:
    """Case-fold and strip accents, so "Café" and "cafe" compare equal."""
    if text.isascii():
        return text.lower()  # the common case, without decomposing every character
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def term_pattern(term: str, *, prefix: bool = False) -> re.Pattern[str]:
    """A regex finding ``term`` as a whole word (or, with ``prefix``, as the beginning of a word).

    No word character may touch either end; a trailing ``+`` or ``#`` counts as part of a word, so ``c`` does not
    match inside ``c++`` or ``c#``.
    """
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + ("" if prefix else r"(?![\w+#])"))


def parse_query(text: str) -> Query:
    """Parse a topic query; raise InvalidQuery with the position and reason when it is malformed."""
    if not text.strip():
        raise InvalidQuery(text, 0, "the query is empty; give at least one word or phrase")
    if len(text) > MAX_LENGTH:
        reason = f"the query is longer than {MAX_LENGTH} characters; split it into several topics"
        raise InvalidQuery(text, MAX_LENGTH, reason)
    try:
        parsed = luqum_parse(text)
    except IllegalCharacterError as exc:
        raise _illegal_character(text, str(exc)) from None
    except ParseSyntaxError as exc:
        raise _syntax_error(text, str(exc)) from None
    except (ValueError, ArithmeticError):  # luqum reads the number after ~ or ^ while parsing: "a~." or "a^1.2.3"
        raise _bad_number(text) from None
    _check_depth(text, parsed)  # before anything walks the tree recursively
    # Juxtaposition (luqum's UnknownOperation) means AND; the converter says so itself rather than running luqum's
    # resolver first, whose visitor spends about 11 stack frames a level.
    root = _Converter(text).convert(parsed, None)
    if not _positive(root, negated=False):
        raise InvalidQuery(text, 0, "the query only excludes words; say what to look for, e.g. 'postgres -job'")
    return Query(text, root)


def _positive(node: Node, *, negated: bool) -> list[Term | Attr]:
    if isinstance(node, Term | Attr):
        return [] if negated else [node]
    if isinstance(node, Not):
        return _positive(node.part, negated=not negated)
    return [t for part in node.parts for t in _positive(part, negated=negated)]


def _check_depth(text: str, parsed: tree.Item) -> None:
    """Refuse a tree nested deeper than MAX_DEPTH, found without recursion; AND/OR add no level of their own."""
    stack: list[tuple[tree.Item, int]] = [(parsed, 0)]
    while stack:
        node, depth = stack.pop()
        children = list(node.children)
        if children and not isinstance(node, tree.BaseOperation):
            depth += 1  # a group, field, NOT, - or + (or a modifier refused later)
            if depth > MAX_DEPTH:
                levels = "levels deep (parentheses, NOT, -, +, fields)"
                raise InvalidQuery(text, node.pos or 0, f"nested more than {MAX_DEPTH} {levels}; simplify the query")
        stack.extend((child, depth) for child in reversed(children))  # the leftmost offender is reported


_UNSUPPORTED = {
    tree.Fuzzy: "fuzzy matching (word~) is not supported; list the spellings with OR",
    tree.Proximity: 'proximity search ("..."~N) is not supported; use an exact phrase or AND',
    tree.Boost: "boosts (^) are not supported; every term weighs the same",
    tree.Range: "ranges ([a TO b]) are not supported",
    tree.Regex: "regular expressions (/.../) are not supported; use words, phrases and a trailing *",
    tree.OpenRange: "ranges (>x, >=x, <x, <=x) are not supported",
}
_ESCAPED = re.compile(r"\\(.)")
_LANG = re.compile(r"[a-z]{2,3}")


class _Converter:
    """Turns luqum's tree into ours, refusing what we do not support at the position where it was written."""

    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, node: tree.Item, reason: str) -> InvalidQuery:
        return InvalidQuery(self.text, node.pos or 0, reason)

    def convert(self, node: tree.Item, field: str | None) -> Node:
        if isinstance(node, tree.Group | tree.FieldGroup):
            return self.convert(node.expr, field)
        if isinstance(node, tree.AndOperation | tree.OrOperation | tree.UnknownOperation):
            # luqum lets juxtaposition bind looser than OR ("a b OR c" is "a AND (b OR c)"), while an explicit AND
            # binds tighter; re-group the flat run so both mean "(a AND b) OR c", as search users expect.
            disjuncts = [self._conjunction(part, field) for part in _disjuncts(node)]
            return disjuncts[0] if len(disjuncts) == 1 else Or(tuple(disjuncts))
        if isinstance(node, tree.Not | tree.Prohibit):
            return Not(self.convert(node.a, field))
        if isinstance(node, tree.Plus):
            return self.convert(node.a, field)  # required; with AND as the implicit operator, +x is just x
        if isinstance(node, tree.SearchField):
            return self.search_field(node, field)
        if isinstance(node, tree.Word):
            return self.word(node, field)
        if isinstance(node, tree.Phrase):
            return self.leaf(node, node.value[1:-1], field, prefix=False)
        for kind, reason in _UNSUPPORTED.items():
            if isinstance(node, kind):
                raise self.fail(node, reason)
        raise self.fail(node, f"{type(node).__name__} is not supported here")

    def _conjunction(self, items: list[tree.Item], field: str | None) -> Node:
        parts = tuple(self.convert(item, field) for item in items)
        return parts[0] if len(parts) == 1 else And(parts)

    def search_field(self, node: tree.SearchField, field: str | None) -> Node:
        name = str(node.name)
        if field is not None:
            raise self.fail(node, f"the field '{name}' is inside the field '{field}'; give one field per term")
        if name.lower() not in FIELDS:
            raise self.fail(
                node,
                f"unknown field '{name}'; use title, text, author, source or lang "
                "(to search for a word with ':' in it, put it in quotes)",
            )
        return self.convert(node.expr, name.lower())

    def word(self, node: tree.Word, field: str | None) -> Node:
        raw = str(node.value)
        if raw in {"&&", "||"}:
            raise self.fail(node, f"'{raw}' is not supported; write AND or OR")
        if raw.startswith("!"):
            raise self.fail(node, "'!' is not supported; write NOT or - (quote a word that begins with '!')")
        chars: list[tuple[str, bool]] = []  # (character, escaped)
        escaped = False
        for ch in raw:
            if escaped or ch != "\\":
                chars.append((ch, escaped))
                escaped = False
            else:
                escaped = True
        wild = [i for i, (ch, esc) in enumerate(chars) if ch in "*?" and not esc]
        if any(chars[i][0] == "?" for i in wild):
            raise self.fail(node, "'?' wildcards are not supported; end a word with * (recommend*) or quote the '?'")
        if wild and wild[0] == 0:
            raise self.fail(node, "leading wildcards are not supported; a * may only end a word (recommend*)")
        if wild and wild != [len(chars) - 1]:
            raise self.fail(node, "a * may only end a word (recommend*), once")
        prefix = bool(wild)
        value = "".join(ch for ch, _ in (chars[:-1] if prefix else chars))
        return self.leaf(node, value, field, prefix=prefix)

    def leaf(self, node: tree.Item, value: str, field: str | None, *, prefix: bool) -> Node:
        folded = " ".join(fold(_ESCAPED.sub(r"\1", value) if "\\" in value else value).split())
        if not folded:
            raise self.fail(node, "empty phrase")
        if field in ITEM_FIELDS:
            if prefix:
                raise self.fail(node, f"wildcards are not supported in {field}:; give the whole value")
            if field == "lang" and _LANG.fullmatch(folded) is None:
                raise self.fail(node, f"lang: takes a language code such as en, fr or de, not {value!r}")
            return Attr(field, folded)
        return Term(folded, term_pattern(folded, prefix=prefix), field, prefix)


def _disjuncts(node: tree.Item) -> list[list[tree.Item]]:
    """The operands of a run of AND/OR operations without parentheses, split at each OR."""
    if isinstance(node, tree.OrOperation):
        return [run for child in node.children for run in _disjuncts(child)]
    if isinstance(node, tree.AndOperation | tree.UnknownOperation):  # juxtaposition means AND
        runs: list[list[tree.Item]] = [[]]
        for child in node.children:
            first, *rest = _disjuncts(child)
            runs[-1].extend(first)
            runs.extend(rest)
        return runs
    return [[node]]


_UNEXPECTED = re.compile(r"unexpected\s+'(?P<token>.*)' at position (?P<pos>\d+)")
_ILLEGAL = re.compile(r"Illegal character '(?P<token>.*)' at position (?P<pos>\d+)", re.DOTALL)


def _syntax_error(text: str, message: str) -> InvalidQuery:
    """A readable reason and a position for luqum's syntax errors; unbalanced parentheses are found first."""
    unbalanced = _unbalanced_parenthesis(text)
    if unbalanced is not None:
        pos, paren = unbalanced
        reason = "this '(' is never closed" if paren == "(" else "this ')' closes nothing"
        return InvalidQuery(text, pos, reason)
    found = _UNEXPECTED.search(message)
    if found is None:  # "unexpected end of expression ... at the end"
        return InvalidQuery(text, len(text), "the query ends where a word, phrase or '(' was expected")
    what, pos = found["token"], int(found["pos"])
    if what in {"AND", "OR", "NOT"}:
        return InvalidQuery(text, pos, f"'{what}' needs a word, phrase or '(' after it, not here")
    if what == ")":
        return InvalidQuery(text, pos, "this ')' ends a group with nothing in it")
    if what in {"[", "]", "{", "}"}:
        return InvalidQuery(text, pos, f"'{what}' is kept for ranges, which are not supported; quote a word with one")
    if what == ":":
        return InvalidQuery(text, pos, "a ':' needs a field name before it (title:rust); quote a word that has one")
    return InvalidQuery(text, pos, f"unexpected {what!r}")


def _bad_number(text: str) -> InvalidQuery:
    """Where luqum found an unreadable number after ~ or ^ (a modifier refused anyway), and what it was."""
    lexer = luqum_lexer.clone()
    lexer.input(text)
    previous = None
    try:
        for token in iter(lexer.token, None):
            if token.type in ("APPROX", "BOOST") and not _is_number(token.value.value, proximity=previous == "PHRASE"):
                kind = tree.Boost if token.type == "BOOST" else tree.Proximity if previous == "PHRASE" else tree.Fuzzy
                return InvalidQuery(text, token.lexpos, _UNSUPPORTED[kind])
            previous = token.type
    except IllegalCharacterError:
        pass
    return InvalidQuery(text, 0, "an unreadable number after '~' or '^', which are not supported")


def _is_number(value: str | None, *, proximity: bool) -> bool:
    """Whether luqum can read the number after ~ (a whole number after a phrase) or ^."""
    if value is None:
        return True
    try:
        int(value) if proximity else decimal.Decimal(value).normalize()
    except (ValueError, ArithmeticError):
        return False
    return True


def _illegal_character(text: str, message: str) -> InvalidQuery:
    found = _ILLEGAL.search(message)
    pos = int(found["pos"]) if found else 0
    token = found["token"] if found else ""
    if token.startswith('"'):
        return InvalidQuery(text, pos, 'this phrase has no closing quote (")')
    return InvalidQuery(text, pos, f"unexpected character {token[:1]!r}")


def _unbalanced_parenthesis(text: str) -> tuple[int, str] | None:
    """The first ')' that closes nothing, or else the first '(' never closed; quotes and escapes respected."""
    opened: list[int] = []
    in_phrase = escaped = False
    for pos, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            in_phrase = not in_phrase
        elif in_phrase:
            continue
        elif ch == "(":
            opened.append(pos)
        elif ch == ")":
            if not opened:
                return pos, ")"
            opened.pop()
    return (opened[0], "(") if opened else None
