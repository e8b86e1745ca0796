"""Conformance: every file of feedparser's test suite and feed-rs's fixtures through Earshot's feed path.

The corpora are in ``../shared/corpora`` (see SOURCES.md there); without them these tests skip. Run with ``-s`` to
see the counts, or ``python -m tests.adapters.sources.feed_corpora``.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import feedparser
import pytest

from earshot.adapters.sources.feed_reader import read_feed
from earshot.adapters.sources.rss.source import parse_feed
from tests.adapters.sources.feed_corpora import FEED_URL, Tally, content_type_of, corpus_files, run
from tests.fixtures import shared_path

# feedparser's test files state the expected result as a Python expression over its result, e.g.
# "Expect: not bozo and entries[0]['description'] == '<!DOCTYPE'".
_EXPECT = re.compile(rb"^Expect:\s*(.*?)\s*$", re.MULTILINE)
# Files that need feedparser's test HTTP server (a document URL, other headers) to hold; Content-type is passed.
_NEEDS_SERVER = re.compile(rb"^(?:SkipUnless:|Header:\s*(?!Content-type:))", re.MULTILINE | re.IGNORECASE)
# What Earshot does differently from feedparser on purpose: it strips the DOCTYPE, and with it the entities it
# declares (the "billion laughs" defence) and the Netscape RSS 0.91 version it names.
DOCTYPE_ONLY = {"wellformed/rss/entity_in_doctype.xml", "wellformed/rss/rss_version_091_netscape.xml"}


def test_no_corpus_file_crashes_the_feed_path() -> None:
    tallies = {name: run(shared_path("corpora", name)) for name in ("feedparser", "feed-rs")}
    for name, tally in tallies.items():
        print(f"\n{name}: {tally.summary()}")
    crashes = [
        f"{o.path.name}: {type(o.crash).__name__}: {o.crash}" for t in tallies.values() for o in t.outcomes if o.crash
    ]
    assert crashes == []
    feedparser_counts, feed_rs_counts = (t.counts for t in tallies.values())
    # Most files are feeds that read; the refusals are the non-feeds (CDF, plain XML, JSON Feed, text/plain).
    assert feedparser_counts["files"] > 2000 and feedparser_counts["refused"] < 30
    assert feed_rs_counts["files"] > 60 and feed_rs_counts["refused"] < 10
    assert _refused(tallies["feed-rs"], shared_path("corpora", "feed-rs")) >= {
        "jsonfeed/jsonfeed_spec_1.json",  # JSON Feed is not a kind Earshot reads: refused with a message
        "xml/xml_sample_1.xml",
    }


def _refused(tally: Tally, root: Path) -> set[str]:
    return {str(o.path.relative_to(root)) for o in tally.outcomes if o.refused is not None}


def _expectation(path: Path) -> str | None:
    head = path.read_bytes()[:4000]
    match = _EXPECT.search(head)
    return match.group(1).decode() if match and not _NEEDS_SERVER.search(head) else None


def _holds(expectation: str, result: Any) -> bool:
    # The expressions come from feedparser's pinned test suite; they see the result's keys and no builtins.
    try:
        return bool(eval(expectation, {"__builtins__": {"len": len}}, dict(result)))
    except Exception:
        return False


def test_every_expectation_of_feedparsers_suite_feedparser_meets_holds_on_earshots_path_too() -> None:
    root = shared_path("corpora", "feedparser")
    checked, broken = 0, set()
    for path in corpus_files(root):
        expectation = _expectation(path)
        if expectation is None:
            continue
        data = path.read_bytes()
        content_type = content_type_of(data)
        headers = {"content-type": content_type} if content_type else {}
        if not _holds(expectation, feedparser.parse(io.BytesIO(data), response_headers=headers)):
            continue
        checked += 1
        if not _holds(expectation, read_feed(data, content_type=content_type)):
            broken.add(str(path.relative_to(root)))
    print(f"\nfeedparser expectations checked on Earshot's path: {checked}, not met: {sorted(broken)}")
    assert checked > 1800
    assert broken == DOCTYPE_ONLY


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("item_description_not_a_doctype.xml", '&lt;!\' <a href="foo">'),
        ("item_description_not_a_doctype2.xml", "<!DOCTYPE"),
    ],
)
def test_a_doctype_in_an_items_text_stays_in_the_text(name: str, expected: str) -> None:
    path = shared_path("corpora", "feedparser", "wellformed", "rss", name)
    parsed = read_feed(path.read_bytes())
    assert not parsed.bozo
    assert parsed.entries[0].description == expected


def test_every_plain_text_title_feed_rs_reads_is_earshots_title_too() -> None:
    # feed-rs keeps its reading of each feed beside it (<name>.serde.json), with each title's type.
    root = shared_path("corpora", "feed-rs")
    checked, missing = 0, []
    for expected_path in sorted(root.rglob("*.serde.json")):
        feed_path = expected_path.with_name(expected_path.name.removesuffix(".serde.json") + ".xml")
        if not feed_path.exists():
            continue
        ours = {item.url: item.title for item in parse_feed(feed_path.read_bytes(), feed_url=FEED_URL)}
        for entry in json.loads(expected_path.read_text()).get("entries", []):
            title, links = entry.get("title") or {}, entry.get("links") or []
            url = links[0].get("href") if links else None
            if title.get("content_type") != "text/plain" or url not in ours:
                continue
            checked += 1
            if ours[url] != " ".join(title["content"].split()):
                missing.append((feed_path.name, title["content"], ours[url]))
    assert checked > 50
    assert missing == []
