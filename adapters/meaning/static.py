"""A static embedding table: a text's vector is the normalised sum of its WordPiece tokens' rows.

The table (``static_minilm.npz`` next to this file, built by ``scripts/distill_embeddings.py``) holds one int8 row
and a scale per token of all-MiniLM-L6-v2's uncased WordPiece vocabulary, SIF weights baked in. Tokenising is
BERT's (lower case, accents stripped, punctuation split, greedy longest-match word pieces) in pure Python,
memoised per word in a bounded cache, so a feed's words are split once. Loaded lazily, once, on first use.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from collections.abc import Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

TABLE = Path(__file__).with_name("static_minilm.npz")
WORD_CACHE = 100_000
"""Distinct words (runs of non-space characters) whose token ids are kept (a few tens of MB at most); the least
recently used go first."""
MAX_WORD = 100
"""Longer "words" (a hash, a base64 blob) are one unknown token, as in BERT."""

_PLAIN = re.compile(r"[a-z0-9]+")
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F))
_CJK_MORE = ((0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
Array = npt.NDArray[np.float32]
_ENGLISH = frozenset({"en"})


def _alone(char: str) -> bool:
    """Whether BERT makes ``char`` a token of its own: punctuation (ASCII's, or Unicode's P* categories) and CJK
    ideographs; controls are dropped before."""
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    if unicodedata.category(char).startswith("P"):
        return True
    return any(low <= code <= high for low, high in _CJK + _CJK_MORE)


def split_words(chunk: str) -> list[str]:
    """One run of non-space characters split as BERT's basic tokenizer splits it (punctuation and CJK ideographs
    apart; control characters dropped)."""
    if _PLAIN.fullmatch(chunk):
        return [chunk]
    words: list[str] = []
    current: list[str] = []
    for char in chunk:
        if char == "\ufffd" or unicodedata.category(char).startswith("C"):
            continue
        if _alone(char):
            if current:
                words.append("".join(current))
                current = []
            words.append(char)
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words


class StaticEmbedder:
    """Embeds text as a unit float32 vector from the shipped static table (the Embedder port)."""

    def __init__(self, path: Path = TABLE, word_cache: int = WORD_CACHE) -> None:
        self.path = path
        self._loaded: tuple[Array, dict[str, int], dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self._ids = functools.lru_cache(maxsize=word_cache)(self._chunk_ids)

    # ---- loading ----
    def _load(self) -> tuple[Array, dict[str, int], dict[str, Any]]:
        loaded = self._loaded
        if loaded is None:
            with self._lock:
                if self._loaded is None:
                    with np.load(self.path) as data:
                        rows = data["rows"].astype(np.float32)
                        rows *= data["scales"][:, None]
                        vocab = bytes(data["vocab"]).decode("utf-8").split("\n")
                        meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                    self._loaded = (rows, {token: i for i, token in enumerate(vocab)}, meta)
                loaded = self._loaded
        return loaded

    @property
    def dims(self) -> int:
        """The vectors' length."""
        return int(self._load()[0].shape[1])

    @property
    def languages(self) -> frozenset[str]:
        """English only: the teacher, all-MiniLM-L6-v2, was trained on English (measured: docs/meaning.md)."""
        return _ENGLISH

    @property
    def about(self) -> dict[str, Any]:
        """What the table says of itself: teacher, version, licence, recipe."""
        return dict(self._load()[2])

    # ---- tokenising ----
    def _word_ids(self, word: str) -> tuple[int, ...]:
        """One word's WordPiece ids (greedy longest match first), or the unknown token's."""
        vocab = self._load()[1]
        if not word.isascii():
            word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
            if not word:
                return ()
        unk = (vocab["[UNK]"],)
        if len(word) > MAX_WORD:
            return unk
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return unk
            ids.append(found)
            start = end
        return tuple(ids)

    def _chunk_ids(self, chunk: str) -> tuple[int, ...]:
        """The ids of one lower-cased run of non-space characters ("(postgres)." is four tokens)."""
        word_ids = self._word_ids
        return tuple(i for word in split_words(chunk) for i in word_ids(word))

    def cached_words(self) -> int:
        """How many distinct words' token ids the cache holds."""
        return int(self._ids.cache_info().currsize)

    def token_ids(self, text: str) -> list[int]:
        """The text's WordPiece ids, as the teacher's uncased BERT tokenizer splits it."""
        # Split at spaces (at C speed) and look each run up in the cache; only a new run is split further.
        return list(chain.from_iterable(map(self._ids, text.lower().split())))

    # ---- the port ----
    def embed(self, text: str) -> Array:
        """The unit vector of ``text``; all zeros when it has no words."""
        rows = self._load()[0]
        # The ids straight into an array (no list between): the same ids as token_ids gives.
        ids = np.fromiter(chain.from_iterable(map(self._ids, text.lower().split())), dtype=np.intp)
        if not ids.size:
            return np.zeros(rows.shape[1], dtype=np.float32)
        vector: Array = np.add.reduce(rows.take(ids, axis=0))
        norm = float(np.sqrt(vector @ vector))
        return vector / norm if norm > 0 else vector

    def stack(self, vectors: Sequence[Array]) -> Array:
        """Vectors as the rows of one matrix, for :meth:`similarities`."""
        if not vectors:
            return np.zeros((0, self.dims), dtype=np.float32)
        return np.ascontiguousarray(np.stack(vectors), dtype=np.float32)

    def similarities(self, vector: Array, matrix: Array) -> list[float]:
        """The cosine of ``vector`` with each row of ``matrix`` (all unit vectors): one matrix product."""
        result: list[float] = (matrix @ vector).tolist()
        return result

    def nearest(self, vector: Array, matrix: Array, at_least: float, margin: float) -> list[tuple[int, float]]:
        """The rows at least ``at_least`` close to ``vector`` and within ``margin`` of the closest, closest first."""
        if not len(matrix):
            return []
        scores = matrix @ vector
        top = int(scores.argmax())
        best = float(scores[top])
        if best < at_least:
            return []
        if margin <= 0:
            return [(top, best)]
        rows = np.flatnonzero(scores >= max(at_least, best - margin))
        return sorted(((int(i), float(scores[i])) for i in rows), key=lambda pair: -pair[1])

    def similarity(self, a: Array, b: Array) -> float:
        """The cosine of two unit vectors."""
        return float(a @ b)

    def mean(self, vectors: Sequence[Array], away: Sequence[Array] = (), push: float = 0.0) -> Array:
        """The normalised mean of ``vectors``, moved away from the mean of ``away`` by ``push``."""
        total: Array = np.zeros(self.dims, dtype=np.float32)
        for vector in vectors:
            total += vector / max(1, len(vectors))
        for vector in away if push else ():
            total -= push * vector / len(away)
        norm = float(np.sqrt(total @ total))
        return (total / norm).astype(np.float32) if norm > 0 else total.astype(np.float32)


_DEFAULT: StaticEmbedder | None = None


def default_embedder() -> StaticEmbedder:
    """The one process-wide embedder over the shipped table (its table loads on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = StaticEmbedder()
    return _DEFAULT
