"""Where the shared recorded fixtures and public corpora live: ``<repo>/../shared``, beside the repository.

They are not ours to carry, so the repository does not hold them. Tests that read them are conformance tests:
they ask for a path with ``shared_path``, which skips the test with the reason when the folder is not there
(a fresh clone with nothing beside it), and runs it where it is (as in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = SHARED / "fixtures"
CORPORA = SHARED / "corpora"


def fixture_path(*parts: str) -> Path:
    """The path of a shared fixture, e.g. ``fixture_path("rss", "archlinux_news.rss.xml")``."""
    return FIXTURES.joinpath(*parts)


def shared_path(*parts: str) -> Path:
    """The path of a file or folder under ``../shared``; skips the calling test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"conformance data ../shared/{'/'.join(parts)} is not beside the repository (CI has it)")
    return path
