"""The learned part of intent: a linear model over hashed word and character n-grams, shipped as a small .npz.

``features`` turns an item's text into the bucket numbers of its n-grams; ``IntentModel`` adds up the weights of
those buckets per head and returns a probability per head ("asks" first). The training script
(scripts/train_intent.py) calls the same ``features``, so what is learned and what runs are the same function.

The text is read as UTF-8 bytes, lowercased, links and handles folded to one token each. Its n-grams: bytes 2 to 5
long (a few letters across word edges: "?", "how ", "pls", "¿qu" say a lot in any language) and whole words, alone
and in pairs. Each n-gram is hashed with a polynomial hash in 64-bit wrap-around arithmetic, computed for all
positions at once with numpy (no Python loop per n-gram), then spread over 2**BITS buckets by a multiplicative hash
of its kind's seed. Collisions are few and the same at training and at run time. Pure: no state but the weights.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

BITS = 18
"""2**BITS buckets per head."""
MAX_BYTES = 1200
"""The longest text read, in UTF-8 bytes (a title and the opening, see intent.OPENING)."""
CHAR_SIZES = (2, 3, 4, 5)

_P = np.uint64(0x100000001B3)  # the FNV-1 64-bit prime: the polynomial's base
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Knuth's multiplicative-hash constant (2**64 / golden ratio)
_SHIFT = np.uint64(64 - BITS)
_SEEDS = {n: np.uint64(0x51ED0000 + n) for n in (*CHAR_SIZES, 100, 200)}  # a seed per kind: chars of n, words, pairs
_PAIR = np.uint64(0xC2B2AE3D27D4EB4F)

_LINK = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@[\w.]+")

# Powers of the base and of its inverse modulo 2**64 (the base is odd, so it has one), for hashing any span at once:
# hash(b[i:j]) = P**(j-1) * (S[j] - S[i]), S[k] = sum of b[m] * P**-m for m < k (the polynomial of b[i:j] in P).
_INV = np.uint64(pow(int(_P), -1, 2**64))
_POW = np.concatenate(([np.uint64(1)], np.cumprod(np.full(MAX_BYTES + 8, _P, dtype=np.uint64))))  # P**0, P**1, ...
_IPOW = np.concatenate(([np.uint64(1)], np.cumprod(np.full(MAX_BYTES + 8, _INV, dtype=np.uint64))))
# Every n-gram of 2 to 5 bytes starting at i, in one gather: S at i+2, ..., i+5 (less S at i); the powers P**(i+n-1).
_SPANS = np.arange(MAX_BYTES)[:, None] + np.array(CHAR_SIZES)[None, :]  # the ends: S at i+2, ..., i+5
_SPAN_POW = _POW[np.arange(MAX_BYTES)[:, None] + np.array(CHAR_SIZES)[None, :] - 1]
_CHAR_SEEDS = np.array([0x51ED0000 + n for n in CHAR_SIZES], dtype=np.uint64)
_VALUE = np.arange(1, 257, dtype=np.uint64)  # a byte's value in the polynomial: byte + 1 (never 0)
_IS_WORD = np.array([(chr(c).isascii() and (chr(c).isalnum() or c == 39)) or c >= 128 for c in range(256)], np.int8)


def normalise(text: str) -> str:
    """Lowercase, links as "http", handles as "@u", runs of white space as one space, within spaces."""
    text = text.lower()
    if "http" in text or "www." in text:
        text = _LINK.sub(" http ", text)
    if "@" in text:
        text = _HANDLE.sub("@u", text)
    return " " + " ".join(text.split()) + " "


def _bucket(hashes: npt.NDArray[np.uint64], seed: np.uint64 | npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    return ((hashes ^ seed) * _MIX) >> _SHIFT  # type: ignore[no-any-return]


def features(text: str) -> npt.NDArray[np.int64]:
    """The bucket of every n-gram of the text (repeats kept: a count is how often a bucket occurs).

    About 30 numpy operations whatever the length, no Python loop per n-gram: the cost is their call overhead.
    """
    data = normalise(text).encode("utf-8")[:MAX_BYTES]
    if len(data) <= 2:
        return np.zeros(0, dtype=np.int64)  # no text: nothing but the two spaces around it
    raw = np.frombuffer(data + b"   ", dtype=np.uint8)  # padded: every gram of the text starts 5 bytes from the end
    size = raw.size
    prefix = np.empty(size + 1, dtype=np.uint64)
    prefix[0] = 0
    np.cumsum(_VALUE[raw] * _IPOW[:size], out=prefix[1:])
    # Bytes 2 to 5 long, from each position that has all four (the padding's own grams are the same in every text).
    # In place, on one contiguous (positions, 4) array: fewer temporaries than the expression (the same numbers).
    grams = size - 4
    chars: npt.NDArray[np.uint64] = prefix[_SPANS[:grams]]
    chars -= prefix[:grams, None]
    chars *= _SPAN_POW[:grams]
    chars ^= _CHAR_SEEDS
    chars *= _MIX
    chars >>= _SHIFT
    chars = chars.reshape(-1)
    # Words: runs of ASCII letters, digits, apostrophes and non-ASCII bytes (the text opens and ends with a space).
    word = _IS_WORD[raw]
    edges = np.flatnonzero(word[1:] != word[:-1])  # word[k] != word[k + 1]
    if edges.size < 2:
        return chars.view(np.int64)  # buckets are below 2**BITS: the same numbers, in the type indexing wants
    starts = edges[0::2] + 1
    ends = edges[1::2] + 1
    words = _POW[ends - 1] * (prefix[ends] - prefix[starts[: ends.size]])
    if words.size == 1:
        return np.concatenate((chars, _bucket(words, _SEEDS[100]))).view(np.int64)
    pairs = words[:-1] * _PAIR + words[1:]
    return np.concatenate((chars, _bucket(words, _SEEDS[100]), _bucket(pairs, _SEEDS[200]))).view(np.int64)


@dataclass(frozen=True, slots=True)
class IntentModel:
    """Per-head weights over the buckets (stored as float16 times a scale per head) and a bias per head."""

    heads: tuple[str, ...]
    weights: npt.NDArray[np.float32]  # (len(heads), 2**BITS), a row per head; float32 in memory: faster to gather
    scales: npt.NDArray[np.float32]  # (len(heads),)
    biases: npt.NDArray[np.float32]  # (len(heads),)
    thresholds: npt.NDArray[np.float32]  # (len(heads),): the probability from which a head says yes

    def probabilities(self, text: str) -> dict[str, float]:
        """Each head's probability for the text (Python floats after one gather per head: numpy's per-call cost
        is most of the time here)."""
        found = features(text)
        norm = math.sqrt(found.size) if found.size else 1.0
        probs = {}
        for head, row, scale, bias in zip(
            self.heads, self.weights, self.scales.tolist(), self.biases.tolist(), strict=True
        ):
            logit = float(row.take(found).sum()) * scale / norm + bias if found.size else bias
            probs[head] = 1.0 / (1.0 + math.exp(-logit))
        return probs

    def says(self, text: str) -> frozenset[str]:
        """The heads whose probability reaches their threshold."""
        probs = self.probabilities(text)
        return frozenset(h for h, t in zip(self.heads, self.thresholds.tolist(), strict=True) if probs[h] >= t)

    def save(self, path: Path) -> None:
        """Write the model as a compressed .npz (what the training script ships)."""
        np.savez_compressed(
            path,
            heads=np.array(self.heads),
            weights=self.weights.astype(np.float16),
            scales=self.scales,
            biases=self.biases,
            thresholds=self.thresholds,
            bits=np.array(BITS),
        )


WEIGHTS = "intent_weights.npz"


def load(path: Path | None = None) -> IntentModel:
    """The model from ``path``, or the one shipped with the package; a clear error if it does not fit this code."""
    source = path or Path(str(resources.files("earshot.bot.finding").joinpath(WEIGHTS)))
    with np.load(source, allow_pickle=False) as data:
        if int(data["bits"]) != BITS or data["weights"].shape[1] != 2**BITS:
            raise ValueError(f"{source}: intent weights for {int(data['bits'])} bits, this code hashes into {BITS}")
        return IntentModel(
            heads=tuple(str(h) for h in data["heads"]),
            weights=np.ascontiguousarray(data["weights"], dtype=np.float32),
            scales=data["scales"].astype(np.float32),
            biases=data["biases"].astype(np.float32),
            thresholds=data["thresholds"].astype(np.float32),
        )


@functools.cache
def shipped() -> IntentModel:
    """The shipped model, loaded once."""
    return load()
