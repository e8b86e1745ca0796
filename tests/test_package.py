"""Earshot installs one top-level package, ``earshot``: its parts are never importable under generic names."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import tomllib

import earshot
from tests.fixtures import REPO


def test_the_package_finder_installs_earshot_alone() -> None:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert settings["packages"]["find"]["include"] == ["earshot*"]
    for top in ("bot", "adapters", "migrations"):
        link = REPO / "earshot" / top
        assert link.is_symlink() and link.resolve() == (REPO / top).resolve(), f"earshot/{top} must link to {top}/"


def test_every_module_imports_under_earshot_and_nothing_under_a_generic_name() -> None:
    # In a fresh interpreter: import every module of the package, then look for any bot, adapters or migrations
    # module that came in under its bare name (a stray `import bot.x` would load a second copy of it).
    script = """
import importlib, pkgutil, sys
import earshot
names = [m.name for m in pkgutil.walk_packages(earshot.__path__, "earshot.") if ".migrations.versions" not in m.name
         and not m.name.startswith("earshot.migrations.env")]
for name in names:
    importlib.import_module(name)
bare = sorted(n for n in sys.modules if n.split(".")[0] in ("bot", "adapters", "migrations"))
print(len(names), bare)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd="/", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count, bare = done.stdout.split(" ", 1)
    assert int(count) > 150 and bare.strip() == "[]"


def test_the_package_data_the_app_reads_is_found_through_earshot() -> None:
    from importlib.resources import files

    assert files("earshot.adapters.settings").joinpath("starter.toml").is_file()
    assert files("earshot.migrations").joinpath("script.py.mako").is_file()
    assert files("earshot.adapters.meaning").joinpath("static_minilm.npz").is_file()
    # ...and a wheel carries it: setuptools' package data names it (no download at run time).
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    shipped = [p for pattern in data["earshot.adapters"] for p in (REPO / "adapters").glob(pattern)]
    assert {"static_minilm.npz", "NOTICE"} <= {p.name for p in shipped}
    assert importlib.import_module("earshot.adapters.cli.main").main
    assert [m.name for m in pkgutil.iter_modules(earshot.__path__)] == ["adapters", "bot", "migrations"]
