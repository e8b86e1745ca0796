"""Every field of one item of a JSON page, mutated one way at a time: missing, null, the wrong type, huge, not
UTF-8, a lone surrogate (escaped, and as raw bytes), NUL, and a few values real parsers trip on.

Deterministic: :func:`mutated_bodies` enumerates every field path of the item (lists: their first entry)
and every mutation that applies, and gives the raw body each makes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

MISSING = object()
_RAW = "EARSHOT-RAW-BYTES-"  # a placeholder in the dumped body, replaced by bytes json.dumps cannot write
MB = 1024 * 1024
RAW_BYTES = {
    "not-utf8": b"caf\xe9 \xff\xfe",
    "raw-surrogate": b"half \xed\xa0\xbd an emoji",
}


@dataclass(frozen=True)
class Mutation:
    """One way to break a value: ``make(old)`` is the new value, MISSING to delete it."""

    name: str
    make: Callable[[Any], Any]
    applies: Callable[[Any], bool] = lambda old: True


def _not(kind: type | tuple[type, ...]) -> Callable[[Any], bool]:
    return lambda old: not isinstance(old, kind) or (kind is int and isinstance(old, bool))


def _is_str(old: Any) -> bool:
    return isinstance(old, str)


MUTATIONS: tuple[Mutation, ...] = (
    Mutation("missing", lambda old: MISSING),
    Mutation("null", lambda old: None, lambda old: old is not None),
    Mutation("a string", lambda old: "text", _not(str)),
    Mutation("an int", lambda old: 7, lambda old: not isinstance(old, int) or isinstance(old, bool)),
    Mutation("a list", lambda old: ["text", 7], _not(list)),
    Mutation("an object", lambda old: {"text": 7}, _not(dict)),
    Mutation("a bool", lambda old: True, _not(bool)),
    Mutation("10**30", lambda old: 10**30),
    Mutation("1e308", lambda old: 1e308),
    Mutation("a 1 MB string", lambda old: "x" * MB),
    Mutation("a string with 5,000 more digits", lambda old: f"{old}{'9' * 5000}", _is_str),
    Mutation("not UTF-8", lambda old: _RAW + "not-utf8"),
    Mutation("a raw surrogate", lambda old: _RAW + "raw-surrogate"),
    Mutation("an escaped lone surrogate", lambda old: f"{old}\ud83d" if isinstance(old, str) else "\ud83d"),
    Mutation("NUL", lambda old: f"a\x00{old}" if isinstance(old, str) else "\x00"),
    Mutation("a malformed URL", lambda old: "http://[::1", _is_str),
    Mutation("a time at the end of datetime", lambda old: "9999-12-31T23:59:59-14:00", _is_str),
)

# An int no float holds: for the fields around the items (counts, backoffs), whose arithmetic mixes in floats.
BEYOND_FLOAT = Mutation("10**400", lambda old: 10**400)

Path = tuple[str | int, ...]


def field_paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every path below ``value``: object keys, and the first entry of each list (the others have its shape)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from field_paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:1]):
            yield (*prefix, index)
            yield from field_paths(inner, (*prefix, index))


def get(value: Any, path: Path) -> Any:
    """The value at ``path``."""
    for step in path:
        value = value[step]
    return value


def dump(page: Any) -> bytes:
    """The page as the raw body a server sends, with placeholders turned into their raw bytes."""
    body = json.dumps(page, ensure_ascii=True).encode()
    if _RAW.encode() in body:
        for name, raw in RAW_BYTES.items():
            body = body.replace((_RAW + name).encode(), raw)
    return body


def mutated_bodies(
    page: Any, item_path: Path, mutations: tuple[Mutation, ...] = MUTATIONS
) -> Iterator[tuple[str, str, bytes]]:
    """(field path, mutation, raw body) for every field of the item at ``item_path`` and every mutation."""
    item = get(page, item_path)
    for path in field_paths(item):
        old = get(item, path)
        for mutation in mutations:
            if not mutation.applies(old):
                continue
            copied = copy.deepcopy(page)
            parent = get(get(copied, item_path), path[:-1])
            new = mutation.make(old)
            if new is MISSING:
                del parent[path[-1]]
            else:
                parent[path[-1]] = new
            yield "/".join(map(str, path)), mutation.name, dump(copied)
