"""Helpers: write a config file into a temporary working directory and load it as `earshot.toml`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from earshot.adapters.settings import ConfigProblems, Settings, load_settings

Load = Callable[..., Settings]
Problems = Callable[..., list[str]]


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working directory, so messages name the file as `earshot.toml`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def load(config_dir: Path) -> Load:
    """Write ``text`` to ./earshot.toml and load it with ``env``."""

    def run(text: str, env: Mapping[str, str] | None = None) -> Settings:
        Path("earshot.toml").write_text(text, encoding="utf-8")
        return load_settings(Path("earshot.toml"), env or {})

    return run


@pytest.fixture
def problems(load: Load) -> Problems:
    """Write ``text``, expect loading to fail, and return the problem lines."""

    def run(text: str, env: Mapping[str, str] | None = None) -> list[str]:
        with pytest.raises(ConfigProblems) as caught:
            load(text, env)
        assert str(caught.value) == "\n".join(caught.value.problems)
        return list(caught.value.problems)

    return run
