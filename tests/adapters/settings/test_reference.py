"""The configuration reference page is generated from the declarations and the starter file, and kept current."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from earshot.adapters.settings import reference
from earshot.adapters.sources.registry import BUILT_IN

ROOT = Path(__file__).parents[3]


def test_the_committed_reference_page_is_what_the_declarations_give() -> None:
    page = (ROOT / reference.PAGE).read_text(encoding="utf-8")
    assert page == reference.built_in_page(), f"run `{reference.COMMAND}` and commit {reference.PAGE}"


def test_a_changed_declaration_makes_the_page_out_of_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reference.md"
    assert reference.main(["--path", str(path)]) == 0
    assert reference.main(["--check", "--path", str(path)]) == 0
    first = BUILT_IN[0]
    slower = (replace(first, declaration=replace(first.declaration, every="3m")), *BUILT_IN[1:])
    assert reference.built_in_page(slower) != path.read_text(encoding="utf-8")
    assert "| `every` (default) | `3m` |" in reference.built_in_page(slower)
    path.write_text(path.read_text(encoding="utf-8").replace("`2m`", "`1m`"), encoding="utf-8")
    assert reference.main(["--check", "--path", str(path)]) == 1
    assert "is out of date" in capsys.readouterr().err


def test_every_kind_and_its_secrets_are_on_the_page() -> None:
    page = reference.built_in_page()
    for plugin in BUILT_IN:
        declared = plugin.declaration
        assert f"### {declared.title} (`{declared.kind}`)" in page
        for var in declared.env:
            assert f"| `{var.name}` |" in page
        for option in declared.options:
            assert f"| `{option.name}` |" in page
    assert "# <kinds>" not in page and '#   kind     "hackernews"' in page
