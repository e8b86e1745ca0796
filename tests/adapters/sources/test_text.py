"""HTML to text, by table."""

from __future__ import annotations

import pytest

from earshot.adapters.sources.text import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (None, ""),
        ("", ""),
        ("   \n ", ""),
        ("plain   text\n with  spaces", "plain text with spaces"),
        ("a &amp; b &lt;c&gt; &#8217;s &quot;q&quot;", 'a & b <c> \u2019s "q"'),
        ("non&nbsp;breaking &nbsp; space", "non breaking space"),
        ("<p>one</p>\n\n  <p>two   three\n four</p>", "one\n\ntwo three four"),
        # Hacker News writes paragraphs as bare <p> separators.
        ("first<p>second<p>third", "first\n\nsecond\n\nthird"),
        ("line<br>next<br/>third", "line\nnext\nthird"),
        ("<script>alert(1)</script>hello<style>p { color: red }</style> world", "hello world"),
        ("<p>before <noscript>enable js</noscript>after</p>", "before after"),
        ("<ul><li>one</li><li>two</li></ul>after", "one\ntwo\n\nafter"),
        ("<div><p><b>bold</b> and <a href='x'>a <i>nested</i> link</a></p></div>", "bold and a nested link"),
        ("x <b>y</b> z", "x y z"),
        ("<!-- a comment -->text", "text"),
        ("a<p></p><p></p><p></p>b", "a\n\nb"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<h1>Title</h1>body", "Title\n\nbody"),
        ("<pre><code>x = 1\ny = 2</code></pre>", "x = 1\ny = 2"),
    ],
)
def test_html_to_text(html: str | None, text: str) -> None:
    assert html_to_text(html) == text


def test_deep_nesting_does_not_recurse() -> None:
    html = "<div>" * 5000 + "deep" + "</div>" * 5000
    assert html_to_text(html) == "deep"
