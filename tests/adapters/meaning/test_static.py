"""The shipped static embedding table, read by the adapter: real weights, no fakes."""

from __future__ import annotations

import importlib.resources
import math

import numpy as np
import pytest

from earshot.adapters.meaning import StaticEmbedder, default_embedder
from earshot.adapters.meaning.static import TABLE


@pytest.fixture(scope="module")
def embedder() -> StaticEmbedder:
    return default_embedder()


def cos(embedder: StaticEmbedder, a: str, b: str) -> float:
    return embedder.similarity(embedder.embed(a), embedder.embed(b))


def test_the_table_ships_inside_the_package_and_names_its_teacher_and_licence(embedder: StaticEmbedder) -> None:
    shipped = importlib.resources.files("earshot.adapters.meaning") / "static_minilm.npz"
    assert shipped.is_file() and TABLE.stat().st_size < 16_000_000
    assert embedder.about["licence"] == "Apache-2.0"
    assert "all-MiniLM-L6-v2" in embedder.about["teacher"]
    assert embedder.dims == 256
    notice = importlib.resources.files("earshot.adapters.meaning") / "NOTICE"
    assert "Apache License" in notice.read_text(encoding="utf-8")


def test_a_vector_is_a_unit_vector_and_the_same_text_always_gives_the_same_one(embedder: StaticEmbedder) -> None:
    first = embedder.embed("How do I tune autovacuum on a busy Postgres table?")
    again = StaticEmbedder().embed("How do I tune autovacuum on a busy Postgres table?")  # a fresh load
    assert math.isclose(float(np.linalg.norm(first)), 1.0, rel_tol=1e-5)
    assert np.array_equal(first, again)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_text_without_words_is_the_zero_vector(embedder: StaticEmbedder, text: str) -> None:
    vector = embedder.embed(text)
    assert vector.shape == (256,) and not vector.any()
    assert embedder.similarity(vector, embedder.embed("postgres")) == 0.0


@pytest.mark.parametrize(
    ("anchor", "similar", "unrelated"),
    [
        (
            "Which vector database should we pick for 20M embeddings?",
            "Comparing pgvector and Qdrant for semantic search over embeddings",
            "Best way to split logs for the fireplace this winter",
        ),
        (
            "Our Kubernetes pods keep getting OOMKilled after the upgrade",
            "Containers in the cluster restart with out-of-memory errors",
            "My sourdough starter smells like nail polish",
        ),
        (
            "Emails from our domain land in Gmail spam despite SPF and DKIM",
            "Why do my DMARC reports show failures for mail sent from our domain?",
            "Which sunscreen for a week at the beach with the kids?",
        ),
    ],
)
def test_a_paraphrase_is_closer_than_an_unrelated_post(
    embedder: StaticEmbedder, anchor: str, similar: str, unrelated: str
) -> None:
    assert cos(embedder, anchor, similar) > cos(embedder, anchor, unrelated) + 0.1


def test_words_are_split_as_the_teachers_bert_tokenizer_splits_them(embedder: StaticEmbedder) -> None:
    vocab = embedder._load()[1]  # the table's own vocabulary
    ids = embedder.token_ids("Unaffable, Café!")
    names = {i: token for token, i in vocab.items()}
    # Lower case, accents stripped, punctuation its own token, greedy longest-match word pieces (BERT's example).
    assert [names[i] for i in ids] == ["una", "##ffa", "##ble", ",", "cafe", "!"]
    assert embedder.token_ids("x" * 101) == [vocab["[UNK]"]]
    # Symbols that are not punctuation stay in their word; CJK ideographs stand alone; controls are dropped.
    assert [names[i] for i in embedder.token_ids("100°F £90")] == ["100", "##°", "##f", "£", "##90"]
    assert [names[i] for i in embedder.token_ids("用法x\u200b")] == ["[UNK]", "法", "x"]  # as the teacher splits it


def test_nearest_gives_the_closest_rows_above_the_floor(embedder: StaticEmbedder) -> None:
    rows = embedder.stack([embedder.embed(t) for t in ("postgres vacuum", "kubernetes pods", "sourdough bread")])
    item = embedder.embed("autovacuum is slow on our postgres database")
    [(row, similarity)] = embedder.nearest(item, rows, at_least=0.1, margin=0.0)
    assert row == 0 and similarity == pytest.approx(embedder.similarities(item, rows)[0])
    assert embedder.nearest(item, rows, at_least=0.99, margin=0.0) == []
    assert embedder.nearest(item, embedder.stack([]), at_least=0.0, margin=0.0) == []
