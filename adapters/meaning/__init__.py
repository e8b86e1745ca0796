"""Meaning: the offline text embedder (a static table distilled from all-MiniLM-L6-v2, shipped in the package).

``shipped_embedder()`` is what the application uses: it loads the table, and numpy, on first use. The table itself
(``StaticEmbedder``, ``default_embedder``) is imported from here only when asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from earshot.adapters.meaning.lazy import LazyEmbedder, shipped_embedder

if TYPE_CHECKING:
    from earshot.adapters.meaning.static import StaticEmbedder, default_embedder

__all__ = ["LazyEmbedder", "StaticEmbedder", "default_embedder", "shipped_embedder"]


def __getattr__(name: str) -> Any:
    if name in ("StaticEmbedder", "default_embedder"):
        from earshot.adapters.meaning import static

        return getattr(static, name)
    raise AttributeError(name)
