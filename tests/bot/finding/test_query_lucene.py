"""The query syntax examples of Lucene's classic query parser page and Elasticsearch's query_string docs.

Each is either accepted with the meaning documented there, in Earshot's terms (see earshot.bot.finding.query:
juxtaposition means AND, where Lucene and Elasticsearch default to OR; fields are title, text, author, source and
lang), or refused with InvalidQuery at a position and with a reason, never another exception. The expected tree is
spelled as in test_query.describe; a refusal as "refused at <position>: <the reason up to its first ';'>".
"""

from __future__ import annotations

import pytest

from earshot.bot.domain import Conversation
from earshot.bot.errors import InvalidQuery
from earshot.bot.finding.matching import match
from earshot.bot.finding.query import parse_query
from tests.bot.finding.test_query import describe

EXAMPLES = [
    # Lucene, "Query Parser Syntax" (classic): terms, fields, wildcards, fuzzy, proximity, ranges, boosts,
    # boolean operators (with their symbol spellings), grouping, field grouping, escapes, regular expressions
    ("jakarta apache", "(jakarta & apache)"),
    ('title:"The Right Way" AND text:go', '("title:the right way" & text:go)'),
    ('title:"Do it right" AND right', '("title:do it right" & right)'),
    ("title:Do it right", "(title:do & it & right)"),
    ("te?t", "refused at 0: '?' wildcards are not supported"),
    ("test*", "test*"),
    ("te*t", "refused at 0: a * may only end a word (recommend*), once"),
    ("*est", "refused at 0: leading wildcards are not supported"),
    ("roam~", "refused at 0: fuzzy matching (word~) is not supported"),
    ("roam~1", "refused at 0: fuzzy matching (word~) is not supported"),
    ("roam~0.8", "refused at 0: fuzzy matching (word~) is not supported"),
    ('"jakarta apache"~10', 'refused at 0: proximity search ("..."~N) is not supported'),
    ('"foo bar"~4', 'refused at 0: proximity search ("..."~N) is not supported'),
    ("mod_date:[20020101 TO 20030101]", "refused at 0: unknown field 'mod_date'"),
    ("title:{Aida TO Carmen}", "refused at 6: ranges ([a TO b]) are not supported"),
    ("[a TO b]", "refused at 0: ranges ([a TO b]) are not supported"),
    ("{a TO b}", "refused at 0: ranges ([a TO b]) are not supported"),
    ("jakarta^4 apache", "refused at 0: boosts (^) are not supported"),
    ('"jakarta apache"^4 "Apache Lucene"', "refused at 0: boosts (^) are not supported"),
    ('"jakarta apache" jakarta', '("jakarta apache" & jakarta)'),
    ('"jakarta apache" OR jakarta', '("jakarta apache" | jakarta)'),
    ('"jakarta apache" AND "Apache Lucene"', '("jakarta apache" & "apache lucene")'),
    ('"jakarta apache" && "Apache Lucene"', "refused at 17: '&&' is not supported"),
    ('"jakarta apache" || "Apache Lucene"', "refused at 17: '||' is not supported"),
    ("+jakarta lucene", "(jakarta & lucene)"),
    ('"jakarta apache" NOT "Apache Lucene"', '("jakarta apache" & -"apache lucene")'),
    ('"jakarta apache" ! "Apache Lucene"', "refused at 17: '!' is not supported"),
    ('NOT "jakarta apache"', "refused at 0: the query only excludes words"),
    ('"jakarta apache" -"Apache Lucene"', '("jakarta apache" & -"apache lucene")'),
    ("(jakarta OR apache) AND website", "((jakarta | apache) & website)"),
    ('title:(+return +"pink panther")', '(title:return & "title:pink panther")'),
    ("\\(1\\+1\\)\\:2", "(1+1):2"),
    ("/[mb]oat/", "refused at 0: regular expressions (/.../) are not supported"),
    ("/joh?n/", "refused at 0: regular expressions (/.../) are not supported"),
    # Elasticsearch, query_string syntax: field names, wildcards, regular expressions, fuzziness, proximity,
    # ranges (and the one-sided >, >=, <, <= forms), boosting, boolean operators, grouping, reserved characters
    ("status:active", "refused at 0: unknown field 'status'"),
    ("title:(quick OR brown)", "(title:quick | title:brown)"),
    ('author:"John Smith"', "author=john smith"),
    ("first\\ name:Alice", r"refused at 0: unknown field 'first\ name'"),
    ("book.\\*:(quick OR brown)", r"refused at 0: unknown field 'book.\*'"),
    ("_exists_:title", "refused at 0: unknown field '_exists_'"),
    ("qu?ck bro*", "refused at 0: '?' wildcards are not supported"),
    ("name:/joh?n(ath[oa]n)/", "refused at 0: unknown field 'name'"),
    ("quikc~ brwn~ foks~", "refused at 0: fuzzy matching (word~) is not supported"),
    ("quikc~1", "refused at 0: fuzzy matching (word~) is not supported"),
    ('"fox quick"~5', 'refused at 0: proximity search ("..."~N) is not supported'),
    ("date:[2012-01-01 TO 2012-12-31]", "refused at 0: unknown field 'date'"),
    ("count:[1 TO 5]", "refused at 0: unknown field 'count'"),
    ("tag:{alpha TO omega}", "refused at 0: unknown field 'tag'"),
    ("count:[10 TO *]", "refused at 0: unknown field 'count'"),
    ("date:{* TO 2012-01-01}", "refused at 0: unknown field 'date'"),
    ("count:[1 TO 5}", "refused at 0: unknown field 'count'"),
    ("age:>10", "refused at 0: unknown field 'age'"),
    ("age:>=10", "refused at 0: unknown field 'age'"),
    ("age:<10", "refused at 0: unknown field 'age'"),
    ("age:<=10", "refused at 0: unknown field 'age'"),
    ("age:(>=10 AND <20)", "refused at 0: unknown field 'age'"),
    ("age:(+>=10 +<20)", "refused at 0: unknown field 'age'"),
    ("date:>2012-01-01", "refused at 0: unknown field 'date'"),
    ("title:>m", "refused at 6: ranges (>x, >=x, <x, <=x) are not supported"),
    ("title:[a TO m]", "refused at 6: ranges ([a TO b]) are not supported"),
    ("quick^2 fox", "refused at 0: boosts (^) are not supported"),
    ('"john smith"^2 (foo bar)^4', "refused at 0: boosts (^) are not supported"),
    ("quick brown +fox -news", "(quick & brown & fox & -news)"),
    ("+quick -brown", "(quick & -brown)"),
    ("((quick AND fox) OR (brown AND fox) OR fox) AND NOT news", "(((quick & fox) | (brown & fox) | fox) & -news)"),
    ("status:(active OR pending) title:(full text search)^2", "refused at 0: unknown field 'status'"),
    ("\\(1\\+1\\)\\=2", "(1+1)=2"),
    ("(new york city) OR (big apple)", "((new & york & city) | (big & apple))"),
    # the symbol spellings of the operators, alone and before a word
    ("quick && brown", "refused at 6: '&&' is not supported"),
    ("quick || brown", "refused at 6: '||' is not supported"),
    ("quick !brown", "refused at 6: '!' is not supported"),
    ("!brown quick", "refused at 0: '!' is not supported"),
    ("NOT brown", "refused at 0: the query only excludes words"),
]


def outcome(text: str) -> str:
    """The tree of an accepted query, or where and why it was refused; any other exception fails the test."""
    try:
        return describe(parse_query(text).root)
    except InvalidQuery as refused:
        return f"refused at {refused.position}: {refused.reason.split(';')[0]}"


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_a_documented_example_is_accepted_with_its_meaning_or_refused_with_a_reason(text: str, expected: str) -> None:
    assert outcome(text) == expected


@pytest.mark.parametrize(
    ("text", "title", "matches"),
    [
        ('"jakarta apache" -"Apache Lucene"', "Jakarta Apache, not Apache Lucene", False),
        ('"jakarta apache" -"Apache Lucene"', "Jakarta Apache is retired", True),
        ("((quick AND fox) OR (brown AND fox) OR fox) AND NOT news", "A quick fox", True),
        ("((quick AND fox) OR (brown AND fox) OR fox) AND NOT news", "Fox news", False),
        ("\\(1\\+1\\)\\=2", "Why (1+1)=2 in Peano arithmetic", True),
        ("\\(1\\+1\\)\\:2", "Why (1+1)=2 in Peano arithmetic", False),
        ("test*", "Testing in production", True),
        ('title:(+return +"pink panther")', "The Return of the Pink Panther", True),
    ],
)
def test_an_accepted_example_matches_as_documented(text: str, title: str, matches: bool) -> None:
    found = match(parse_query(text), Conversation("fake", "1", "https://forum.example.com/1", title))
    assert (found is not None) == matches
