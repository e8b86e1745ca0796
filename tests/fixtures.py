"""Where the shared recorded fixtures live: ``<repo>/../shared/fixtures``."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / ".." / "shared" / "fixtures"


def fixture_path(*parts: str) -> Path:
    """The path of a shared fixture, e.g. ``fixture_path("rss", "archlinux_news.rss.xml")``."""
    return FIXTURES.joinpath(*parts)
