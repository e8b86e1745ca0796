"""Topic query parsing: what is accepted, what is refused, and where."""

import pytest

from earshot.bot.errors import InvalidQuery
from earshot.bot.finding.query import MAX_DEPTH, And, Attr, Node, Not, Or, Term, fold, parse_query


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("pgvector", ["pgvector"]),
        ('"vector database" OR pgvector', ["vector database", "pgvector"]),
        ("c++ -job", ["c++"]),
        ("node.js AND (react OR vue)", ["node.js", "react", "vue"]),
        ("Café NOT (hiring OR job)", ["cafe"]),
        ('"Vector   Database" vector database', ["vector database", "vector", "database"]),
        ("NOT NOT postgres", ["postgres"]),
    ],
)
def test_positive_terms(text: str, terms: list[str]) -> None:
    assert [t.text for t in parse_query(text).terms()] == terms


def test_precedence_and_binds_tighter_than_or() -> None:
    root = parse_query("a b OR c").root
    assert isinstance(root, Or)
    assert isinstance(root.parts[0], And)
    assert isinstance(root.parts[1], Term)


def test_minus_and_not_are_the_same() -> None:
    minus = parse_query("a -b").root
    word = parse_query("a NOT b").root
    assert isinstance(minus, And) and isinstance(word, And)
    assert isinstance(minus.parts[1], Not) and isinstance(word.parts[1], Not)


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("(postgres", 0, "never closed"),
        ("postgres)", 8, "closes nothing"),
        ('"vector database', 0, "closing quote"),
        ("NOT job", 0, "only excludes"),
        ("-job -hiring", 0, "only excludes"),
        ("postgres OR", 11, "ends where"),
        ("a AND AND b", 6, "needs a word"),
        ('a ""', 2, "empty phrase"),
    ],
)
def test_bad_queries_say_where_and_why(text: str, position: int, reason: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        parse_query(text)
    assert caught.value.position == position
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"bad query at position {position + 1}:")


def test_fold_removes_case_and_accents() -> None:
    assert fold("Café NAÏVE Ünïcode") == "cafe naive unicode"


def describe(node: Node) -> str:
    """A compact, unambiguous spelling of a tree, for tables."""
    if isinstance(node, Term):
        return f'"{node.label}"' if " " in node.text or "*" in node.text else node.label
    if isinstance(node, Attr):
        return f"{node.field}={node.value}"
    if isinstance(node, Not):
        return f"-{describe(node.part)}"
    joiner = " & " if isinstance(node, And) else " | "
    return "(" + joiner.join(describe(p) for p in node.parts) + ")"


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("postgres", "postgres"),
        ("a b c", "(a & b & c)"),
        ("a AND b OR c", "((a & b) | c)"),
        ("a b OR c", "((a & b) | c)"),  # juxtaposition binds like AND: tighter than OR
        ("a OR b c", "(a | (b & c))"),
        ("a b OR c d", "((a & b) | (c & d))"),
        ("a (b OR c)", "(a & (b | c))"),
        ("+must -not", "(must & -not)"),
        ("+must NOT not", "(must & -not)"),
        ("a -(b OR (c d))", "(a & -(b | (c & d)))"),
        ("((a))", "a"),
        ("recommend*", "recommend*"),
        ("C++ OR C# OR .NET OR Node.js", "(c++ | c# | .net | node.js)"),
        ('"C++  Templates"', '"c++ templates"'),
        ("Crème brûlée", "(creme & brulee)"),
        ("title:rust", "title:rust"),
        ("TEXT:rust", "text:rust"),
        ('title:(rust OR "go lang")', '(title:rust | "title:go lang")'),
        ("title:recommend*", "title:recommend*"),
        ("author:PG", "author=pg"),
        ('author:"Ada Lovelace"', "author=ada lovelace"),
        ("source:hackernews", "source=hackernews"),
        ("source:(hackernews OR reddit) postgres", "((source=hackernews | source=reddit) & postgres)"),
        ("lang:FR postgres", "(lang=fr & postgres)"),
        ("postgres -source:reddit", "(postgres & -source=reddit)"),
        ("a\\:b", "a:b"),
        ('"recommend*"', '"recommend*"'),  # no wildcards inside phrases
    ],
)
def test_syntax(text: str, tree: str) -> None:
    assert describe(parse_query(text).root) == tree


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("recommend* -recommendation", ["recommend*"]),
        ("title:rust rust", ["title:rust", "rust"]),
        ("source:hackernews", []),
        ("author:pg OR postgres", ["postgres"]),
    ],
)
def test_positive_terms_carry_field_and_wildcard(text: str, terms: list[str]) -> None:
    assert [t.label for t in parse_query(text).terms()] == terms


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("titel:x", 0, "unknown field 'titel'; use title, text, author, source or lang"),
        ("rust Author:x titel:y", 14, "unknown field 'titel'"),
        ("http://example.com", 0, "unknown field 'http'"),
        ("title:text:x", 6, "inside the field 'title'"),
        ("*sql", 0, "leading wildcards are not supported"),
        ("rust *", 5, "leading wildcards are not supported"),
        ("post*gres", 0, "a * may only end a word"),
        ("postgre?", 0, "'?' wildcards are not supported"),
        ("author:pg*", 7, "wildcards are not supported in author:"),
        ("rust postgres~", 5, "fuzzy matching (word~) is not supported"),
        ('"vector database"~3', 0, "proximity search"),
        ("rust^2", 0, "boosts (^) are not supported"),
        ("year:[2020 TO 2024]", 0, "unknown field 'year'"),
        ("rust [a TO z]", 5, "ranges ([a TO b]) are not supported"),
        ("rust /ru?st/", 5, "regular expressions (/.../) are not supported"),
        ("lang:english", 5, "lang: takes a language code"),
        ("rust && go", 5, "'&&' is not supported; write AND or OR"),
        ("rust ()", 6, "ends a group with nothing in it"),
        ("postgres OR ${HOME}", 18, "'}' is kept for ranges"),
        ("rust OR OR go", 8, "'OR' needs a word"),
        ("title:", 6, "the query ends where"),
        ("a (b (c)", 2, "never closed"),
        ("a ) (b", 2, "closes nothing"),
        ('a "b" "c', 6, "closing quote"),
        ("-source:reddit", 0, "only excludes"),
        ("NOT author:bot", 0, "only excludes"),
        # a number after ~ or ^ that luqum cannot read: refused where it is written, like the readable ones
        ("a^.", 1, "boosts (^) are not supported"),
        ("a~.", 1, "fuzzy matching (word~) is not supported"),
        ('"a b"~.', 5, "proximity search"),
        ('"a b"~1.5', 5, "proximity search"),
        ("rust go^1.2.3", 7, "boosts (^) are not supported"),
        # Lucene's '!' for NOT, refused like '&&' and '||' with the word to write
        ("!spam", 0, "'!' is not supported; write NOT or -"),
        ("rust !job", 5, "'!' is not supported; write NOT or -"),
        ("rust ! job", 5, "'!' is not supported"),
        ("rust !(job OR hiring)", 5, "'!' is not supported"),
        ('rust !"job offer"', 5, "'!' is not supported"),
        ("title:!job", 6, "'!' is not supported"),
        (">5", 0, "ranges (>x, >=x, <x, <=x) are not supported"),
        ("rust " * 201, 1000, "the query is longer than 1000 characters; split it into several topics"),
        ("rust <=b", 5, "ranges (>x, >=x, <x, <=x) are not supported"),
    ],
)
def test_refused_syntax_says_where_and_why(text: str, position: int, reason: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        parse_query(text)
    assert (caught.value.position, reason in caught.value.reason) == (position, True), caught.value.reason


@pytest.mark.parametrize(
    "text",
    [
        "(" * 300 + "rust" + ")" * 300,
        "NOT " * 200 + "rust",
        "rust " + "-" * 300 + "job",
        "rust " + "+" * 300 + "go",
        "rust " + "-(" * 150 + "job" + ")" * 150,
        "title:" + "(" * 300 + "rust" + ")" * 300,
        "rust^1" + "^1" * 300,
    ],
)
def test_a_query_nested_hundreds_of_levels_deep_is_refused_not_crashed(text: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        parse_query(text)
    assert caught.value.reason.startswith(f"nested more than {MAX_DEPTH} levels deep")
    assert "simplify the query" in caught.value.reason


def test_the_depth_limit_is_exact_and_names_the_first_level_too_deep() -> None:
    deepest = "(" * MAX_DEPTH + "rust" + ")" * MAX_DEPTH
    assert describe(parse_query(deepest).root) == "rust"
    assert describe(parse_query("NOT " * MAX_DEPTH + "rust").root) == "-" * MAX_DEPTH + "rust"
    with pytest.raises(InvalidQuery) as caught:
        parse_query("go (" + deepest + ")")
    assert caught.value.position == 3 + MAX_DEPTH  # the '(' one level too deep
    with pytest.raises(InvalidQuery, match="nested more than"):
        parse_query(f"title:{deepest}")  # the field is a level too


def test_and_or_runs_add_no_depth() -> None:
    flat = " OR ".join(f"{i} {i}x" for i in range(70))  # 140 terms, one level, 1,000 characters at most
    assert len(parse_query(flat).terms()) == 140
