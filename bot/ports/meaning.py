"""The embedder port: text to a unit vector, and the few operations on vectors the core needs.

Vectors are opaque to the core (an adapter's array type): it only hands them back to the embedder that made them,
so the core needs no numerical library and an embedder may change its representation freely.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeAlias

Vector: TypeAlias = Any
"""A unit vector made by an Embedder; only that embedder reads it."""
Matrix: TypeAlias = Any
"""Vectors stacked as rows by :meth:`Embedder.stack`, for one matrix product."""


class Embedder(Protocol):
    """Embeds text offline (no network, weights shipped with the package); deterministic for a given text.

    ``embed`` returns a unit vector (all zeros for text without words), so the cosine of two vectors is their dot
    product. It may load its weights on first use.
    """

    @property
    def languages(self) -> frozenset[str]:
        """The languages (ISO 639-1) whose meaning the embedder reads; an item in another is judged without it."""
        ...

    def embed(self, text: str) -> Vector:
        """The unit vector of ``text``."""
        ...

    def mean(self, vectors: Sequence[Vector], away: Sequence[Vector] = (), push: float = 0.0) -> Vector:
        """The normalised mean of ``vectors``, moved away from the mean of ``away`` by ``push`` (0: not at all)."""
        ...

    def similarity(self, a: Vector, b: Vector) -> float:
        """The cosine of two vectors, -1 to 1."""
        ...

    def stack(self, vectors: Sequence[Vector]) -> Matrix:
        """The vectors as one matrix, to compare a vector with all of them at once."""
        ...

    def similarities(self, vector: Vector, matrix: Matrix) -> list[float]:
        """The cosine of ``vector`` with each of the stacked vectors, in their order."""
        ...

    def nearest(self, vector: Vector, matrix: Matrix, at_least: float, margin: float) -> list[tuple[int, float]]:
        """The rows of ``matrix`` whose cosine with ``vector`` is at least ``at_least`` and within ``margin`` of
        the highest, as (row, cosine), nearest first: one matrix product, for many rows."""
        ...
