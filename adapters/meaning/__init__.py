"""Meaning: the offline text embedder (a static table distilled from all-MiniLM-L6-v2, shipped in the package)."""

from earshot.adapters.meaning.static import StaticEmbedder, default_embedder

__all__ = ["StaticEmbedder", "default_embedder"]
