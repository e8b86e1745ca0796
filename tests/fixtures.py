"""Where test data lives: ours in ``tests/data``, the shared recordings and corpora in ``<repo>/../shared``.

``tests/data`` holds payloads we wrote ourselves in the real shapes of each platform; every ordinary test and fake
reads only those (``data_path``), so a fresh clone with nothing beside it runs its tests.

The recorded third-party payloads and public corpora beside the repository are not ours to carry, so the
repository does not hold them. Tests that read them are conformance tests: they ask for a path with
``shared_path`` inside the test (never at import or collection), which skips the test with the reason when the
folder is not there, and runs it where it is (as in CI).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
# EARSHOT_SHARED_DIR points elsewhere: at an empty folder, the suite runs as in a fresh clone with nothing beside it.
SHARED = Path(os.environ.get("EARSHOT_SHARED_DIR") or REPO.parent / "shared")


def data_path(*parts: str) -> Path:
    """The path of a payload we wrote in ``tests/data``, e.g. ``data_path("rss", "project_news.rss.xml")``."""
    return DATA.joinpath(*parts)


def shared_path(*parts: str) -> Path:
    """The path of a file or folder under ``../shared``; skips the calling test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"conformance data ../shared/{'/'.join(parts)} is not beside the repository (CI has it)")
    return path
