"""The one JSON decoder of third-party bodies: lone surrogates and bytes that are not UTF-8 cost one character each."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earshot.adapters.http import FetchError, HttpResponse, load_json

SURROGATE = re.compile("[\ud800-\udfff]")


def strings_in(value: Any) -> list[str]:
    """Every string of a parsed JSON value, keys included."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            found.extend(item)
            stack.extend(item.values())
    return found


def replaced(value: Any, escaped: bool) -> Any:
    """What the decoder should give for ``value`` sent with surrogates ``escaped`` (``\\ud83d``) or as raw bytes.

    Escaped, a high and a low surrogate side by side are one character and each lone one a U+FFFD; raw, each
    surrogate is three bytes that are not UTF-8, each a U+FFFD.
    """
    if isinstance(value, str):
        if escaped:
            return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return SURROGATE.sub("\ufffd" * 3, value)
    if isinstance(value, list):
        return [replaced(v, escaped) for v in value]
    if isinstance(value, dict):
        return {replaced(k, escaped): replaced(v, escaped) for k, v in value.items()}
    return value


# Text with lone surrogates, emoji (pairs when escaped), backslashes and quotes: what breaks naive escape handling.
texts = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
        st.sampled_from(["\\", '"', "u", "d", "8", "3", "😀", "é", "\x00", "a"]),
    ),
    max_size=12,
)
values = st.recursive(
    st.one_of(texts, st.integers(), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)


@given(value=values, ascii_escapes=st.booleans())
@settings(max_examples=300, deadline=None)
def test_any_json_with_lone_surrogates_decodes_to_the_same_value_with_them_replaced(
    value: Any, ascii_escapes: bool
) -> None:
    body = json.dumps(value, ensure_ascii=ascii_escapes).encode("utf-8", "surrogatepass")
    decoded = load_json(body)
    assert decoded == replaced(value, ascii_escapes)
    assert not any(SURROGATE.search(s) for s in strings_in(decoded))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"title": "half an emoji \\ud83d"}', {"title": "half an emoji \ufffd"}),
        (b'{"title": "\\uDE00 low first \\uD83D"}', {"title": "\ufffd low first \ufffd"}),
        (b'{"title": "a whole one \\ud83d\\ude00"}', {"title": "a whole one \U0001f600"}),
        (b'{"title": "not an escape \\\\ud83d"}', {"title": "not an escape \\ud83d"}),
        (b'{"\\ud83d": 1}', {"\ufffd": 1}),
        (b'{"title": "raw \xed\xa0\xbd"}', {"title": "raw \ufffd\ufffd\ufffd"}),
        (b'{"title": "latin-1 caf\xe9", "ok": "fine"}', {"title": "latin-1 caf\ufffd", "ok": "fine"}),
        (b'\xef\xbb\xbf{"bom": true}', {"bom": True}),
        ('{"utf16": "é"}'.encode("utf-16"), {"utf16": "é"}),
    ],
)
def test_bodies_real_apis_send_decode_to_storable_text(body: bytes, expected: Any) -> None:
    assert load_json(body) == expected


def test_a_body_that_is_not_json_is_still_refused() -> None:
    with pytest.raises(ValueError):
        load_json(b"<html>busy</html>")
    response = HttpResponse(200, "https://api.example/x", httpx.Headers(), b"<html>busy</html>")
    with pytest.raises(FetchError, match="not valid JSON"):
        response.json()


def test_a_response_decodes_its_body_through_the_same_decoder() -> None:
    response = HttpResponse(200, "https://api.example/x", httpx.Headers(), b'["\\ud83d", "\xff"]')
    assert response.json() == ["\ufffd", "\ufffd"]
