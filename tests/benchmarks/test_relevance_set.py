"""The evaluation set keeps its promises: its schema, its size, every kind of trap in both parts, a split that never
moves, and items every source adapter can read."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from types import ModuleType
from typing import Any

import pytest

from earshot.bot.domain import Topic
from earshot.bot.finding.matching import compile_topics, match
from tests.e2e.conftest import REPO


def load_set() -> ModuleType:
    """benchmarks/relevance_set.py as a module (benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("relevance_set", REPO / "benchmarks" / "relevance_set.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


rs = load_set()
ITEMS: list[dict[str, Any]] = rs.load_items()
TOPICS: dict[str, dict[str, Any]] = rs.load_topics()
CASES = list(rs.cases(ITEMS))

# The fields each source really has, that the set's items must carry (the adapters read them).
REQUIRED = {
    "hackernews": {"objectID", "created_at_i", "_tags", "author"},
    "reddit": {"kind", "data"},
    "stackexchange": {"question_id", "creation_date", "link", "title", "body", "tags", "is_answered"},
    "github": {"number", "title", "body", "state", "html_url", "repository_url", "created_at"},
    "discourse": {"users", "topic_list"},
    "lobsters": {"short_id", "title", "created_at", "comments_url", "tags"},
    "mastodon": {"id", "uri", "url", "content", "created_at", "account"},
    "bluesky": {"uri", "author", "record", "indexedAt"},
    "rss": {"feed", "title", "link", "guid", "description", "pubDate"},
}


def test_every_item_has_the_schema() -> None:
    ids = [item["id"] for item in ITEMS]
    assert len(ids) == len(set(ids))
    for item in ITEMS:
        assert item["source"] in rs.SOURCES, item["id"]
        assert REQUIRED[item["source"]] <= set(item["raw"]), item["id"]
        assert item["labels"], item["id"]
        for topic, label in item["labels"].items():
            assert topic in TOPICS, item["id"]
            assert label["trap"] in rs.TRAPS, item["id"]
            assert isinstance(label["worth_joining"], bool), item["id"]


def test_posts_without_a_title_are_stored_without_one() -> None:
    for item in ITEMS:
        if item["source"] == "mastodon":
            assert "title" not in item["raw"]
        if item["source"] == "bluesky":
            assert "title" not in item["raw"] and item["raw"]["record"]["text"]


def test_the_topics_say_what_they_mean_and_their_queries_parse() -> None:
    compiled = compile_topics(Topic(name, spec["query"]) for name, spec in TOPICS.items())
    assert len(compiled) == len(TOPICS) >= 8
    for name, spec in TOPICS.items():
        assert spec["about"].strip(), name
        assert 2 <= len(spec["examples"]) <= 4, name
        assert {e["worth_joining"] for e in spec["examples"]} == {True, False}, name


def test_the_set_is_large_enough_and_covers_every_source() -> None:
    assert len(CASES) >= 1000
    assert set(Counter(c.topic for c in CASES)) == set(TOPICS)
    assert set(Counter(item["source"] for item in ITEMS)) == set(rs.SOURCES)


def test_every_kind_of_trap_and_every_topic_is_in_both_parts() -> None:
    for part in rs.PARTS:
        inside = [c for c in CASES if c.part == part]
        assert {c.trap for c in inside} == set(rs.TRAPS), part
        assert {c.topic for c in inside} == set(TOPICS), part
        assert {c.worth_joining for c in inside if c.trap == "other_language"} == {True, False}, part
    dev = sum(c.part == "dev" for c in CASES) / len(CASES)
    assert 0.5 < dev < 0.7


def test_the_split_is_a_fixed_function_of_the_item_id() -> None:
    # Pinned: a change to the hash or the share would move items between the parts and leak the test part.
    assert [rs.part_of(i) for i in ("reddit-0001", "mastodon-0002", "hackernews-0003")] == ["test", "test", "dev"]
    assert [rs.part_of(f"x{i}") for i in range(6)] == ["test", "dev", "test", "dev", "dev", "test"]
    assert [c.part for c in rs.cases(list(reversed(ITEMS)))] == [c.part for c in reversed_cases()]


def reversed_cases() -> list[Any]:
    """The cases of the items in reverse order, computed item by item."""
    return [c for item in reversed(ITEMS) for c in rs.cases([item])]


def test_a_tenth_of_the_relevant_posts_use_none_of_the_query_words() -> None:
    positives = [c for c in CASES if c.worth_joining]
    without = [c for c in positives if c.trap == "no_keyword"]
    assert len(without) >= 0.1 * len(positives)


@pytest.mark.parametrize("source", rs.SOURCES)
def test_every_item_is_read_by_its_source_adapter(source: str) -> None:
    queries = {c.topic.name: c.query for c in compile_topics(Topic(n, s["query"]) for n, s in TOPICS.items())}
    for item in (i for i in ITEMS if i["source"] == source):
        conversation = rs.conversation(item)
        assert conversation.source == source
        assert conversation.title, item["id"]
        link_story = source == "hackernews" and item["raw"].get("url")  # a link on Hacker News has no text
        assert conversation.text or link_story, item["id"]
        for topic, label in item["labels"].items():
            # "no_keyword" means exactly that: the topic's query does not match the item.
            if label["trap"] == "no_keyword":
                assert match(queries[topic], conversation) is None, (item["id"], topic)


def load_evaluate() -> ModuleType:
    """benchmarks/evaluate.py as a module."""
    spec = importlib.util.spec_from_file_location("evaluate_benchmark", REPO / "benchmarks" / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_script_counts_each_system_against_the_labels(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    lines = []
    for source in ("hackernews", "mastodon"):  # one relevant ask and one homonym, both mentioning the word
        item = next(i for i in ITEMS if i["source"] == source)
        raw = dict(item["raw"])
        if source == "hackernews":
            raw.update(title="Ask HN: which Rust web framework?", story_text="<p>Axum or actix?</p>", url=None)
        else:
            raw.update(content="<p>Found rust on my old bike frame today.</p>")
        labels = {"rust": {"worth_joining": source == "hackernews", "trap": "plain"}}
        lines.append(json.dumps({**item, "raw": raw, "labels": labels}))
    (tmp_path / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "topics.json").write_text('{"rust": {"query": "rust"}}', encoding="utf-8")
    evaluate = load_evaluate()
    assert evaluate.main(["--items", str(tmp_path / "items.jsonl"), "--topics", str(tmp_path / "topics.json")]) == 0
    out = capsys.readouterr().out
    assert "2 items, 2 labelled (item, topic) cases, part: all" in out
    overall = next(line for line in out.splitlines() if line.strip().startswith("all "))
    assert overall.split("|")[1].strip().startswith("P 0.50 R 1.00")  # the keyword bot alerts on both
