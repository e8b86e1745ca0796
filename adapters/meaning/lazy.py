"""An embedder that loads the shipped table on first use, for the composition root.

Every command builds the same services, and most never score an item or check a reply (`topics list`, `db`
commands): handing them this instead of the table itself keeps numpy and the table out of their start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from earshot.bot.ports.meaning import Embedder, Matrix, Vector


class LazyEmbedder:
    """An Embedder made by ``make`` the first time any of its operations is used."""

    def __init__(self, make: Callable[[], Embedder]) -> None:
        self._make = make
        self._made: Embedder | None = None

    @property
    def loaded(self) -> Embedder:
        """The embedder itself, made now if it was not yet."""
        if self._made is None:
            self._made = self._make()
        return self._made

    @property
    def languages(self) -> frozenset[str]:
        """See :class:`earshot.bot.ports.meaning.Embedder`."""
        return self.loaded.languages

    def embed(self, text: str) -> Vector:
        """See :class:`earshot.bot.ports.meaning.Embedder`."""
        return self.loaded.embed(text)

    def mean(self, vectors: Sequence[Vector], away: Sequence[Vector] = (), push: float = 0.0) -> Vector:
        """See :class:`earshot.bot.ports.meaning.Embedder`."""
        return self.loaded.mean(vectors, away, push)

    def similarity(self, a: Vector, b: Vector) -> float:
        """See :class:`earshot.bot.ports.meaning.Embedder`."""
        return self.loaded.similarity(a, b)

    def stack(self, vectors: Sequence[Vector]) -> Matrix:
        """See :class:`earshot.bot.ports.meaning.Embedder`."""
        return self.loaded.stack(vectors)

    def similarities(self, vector: Vector, matrix: Matrix) -> list[float]:
        """See :class:`earshot.bot.ports.meaning.Embedder`."""
        return self.loaded.similarities(vector, matrix)

    def nearest(self, vector: Vector, matrix: Matrix, at_least: float, margin: float) -> list[tuple[int, float]]:
        """See :class:`earshot.bot.ports.meaning.Embedder`."""
        return self.loaded.nearest(vector, matrix, at_least, margin)


def shipped_embedder() -> Embedder:
    """The shipped table's embedder, loaded (with numpy) on first use."""

    def make() -> Embedder:
        from earshot.adapters.meaning.static import default_embedder

        return default_embedder()

    return LazyEmbedder(make)
