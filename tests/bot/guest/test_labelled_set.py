"""The labelled drafts: big enough, half of them fine, split the same way every time, and the check holds on dev."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from benchmarks.replycheck import evaluate
from earshot.bot.guest.check import FLAGS
from tests.fixtures import data_path


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(data_path("replies", "drafts.json").read_text(encoding="utf-8"))
    return data


def test_at_least_150_drafts_about_half_without_fault() -> None:
    drafts = load()["drafts"]
    good = sum(1 for d in drafts if not d["expected"])
    assert len(drafts) >= 150
    assert 0.4 <= good / len(drafts) <= 0.6


def test_every_label_is_a_flag_and_every_draft_answers_a_known_thread() -> None:
    data = load()
    threads = {t["id"] for t in data["threads"]}
    for draft in data["drafts"]:
        assert draft["thread"] in threads, draft["id"]
        assert set(draft["expected"]) <= set(FLAGS), draft["id"]


def test_the_split_is_a_function_of_the_id() -> None:
    for draft in load()["drafts"]:
        even = int(hashlib.sha256(draft["id"].encode()).hexdigest()[:8], 16) % 2 == 0
        assert draft["split"] == ("dev" if even else "test"), draft["id"]


def test_the_check_keeps_its_overall_precision_on_dev() -> None:
    overall = evaluate(load(), "dev")["overall"]
    assert (overall.precision() or 0) >= 0.9
    assert (overall.recall() or 0) >= 0.8


def test_meaning_finds_more_drafts_off_the_question_on_dev_and_keeps_precision() -> None:
    from earshot.adapters.meaning import default_embedder

    words = evaluate(load(), "dev")["off-question"]
    meaning = evaluate(load(), "dev", embedder=default_embedder())["off-question"]
    assert (meaning.recall() or 0) > (words.recall() or 0)
    assert (meaning.precision() or 0) >= 0.9
