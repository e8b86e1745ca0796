"""The kinds registry: every built-in kind declares itself once, and a package can add one through the
``earshot.sources`` entry point group, found the way pip-installed packages are (a dist-info on sys.path)."""

from __future__ import annotations

import logging
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from earshot.adapters.http import FetchPolicy, SafeHttp
from earshot.adapters.settings import load_settings, starter_config
from earshot.adapters.sources import KINDS, SECRET_ENV, build_sources, declarations
from earshot.adapters.sources.registry import BUILT_IN, ENTRY_POINT_GROUP, load_plugins, plugins, secret_env
from earshot.bot.actions.feed_targets import feed_target
from earshot.bot.errors import ConfigError
from earshot.bot.ports import ThreadSource

PLUGIN_MODULE = '''
"""A third-party source, as a package outside Earshot would write it."""
from earshot.bot.domain import FetchResult
from earshot.bot.errors import ConfigError
from earshot.bot.ports import EnvVar, Option, SourceKind, TargetRule
from earshot.adapters.sources.plugin import SourcePlugin

DECLARATION = SourceKind(
    kind="gopher",
    title="Gopher",
    summary="menus of a gopher hole",
    target=TargetRule.URL,
    every="20m",
    half_life=__import__("datetime").timedelta(hours=3),
    env=(EnvVar("GOPHER_TOKEN", "a token"),),
    options=(Option("selector", "text", "/", "the menu to read"),),
    url_means="its proxy address",
    url_example="https://gopher.example",
)


class GopherSource:
    kind = "gopher"

    def __init__(self, http, env):
        self.token = env.get("GOPHER_TOKEN")

    def check(self, feed):
        if not (feed.url or "").startswith("https://"):
            raise ConfigError(f"feed {feed.name!r}: a gopher feed needs an https:// proxy url")

    async def fetch(self, feed, cursor, *, seeding):
        return FetchResult([], dict(cursor))


PLUGIN = SourcePlugin(DECLARATION, GopherSource)
NOT_A_PLUGIN = DECLARATION
TAKES_RSS = SourcePlugin(__import__("dataclasses").replace(DECLARATION, kind="rss"), GopherSource)
'''


def install(root: Path, entries: dict[str, str]) -> None:
    """Write the plugin module and a dist-info naming ``entries`` in the entry point group, as pip would."""
    (root / "earshot_gopher.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    info = root / "earshot_gopher-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: earshot-gopher\nVersion: 1.0\n", encoding="utf-8")
    lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}", encoding="utf-8")


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A plugin package on sys.path; the registry's cache is cleared before and after."""
    install(tmp_path, {"gopher": "earshot_gopher:PLUGIN"})
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins.cache_clear()
    yield tmp_path
    plugins.cache_clear()
    sys.modules.pop("earshot_gopher", None)


def test_every_built_in_kind_is_registered_once_in_its_order() -> None:
    assert KINDS[:2] == ("hackernews", "rss")
    assert set(KINDS) >= {d.declaration.kind for d in BUILT_IN}
    assert len(set(KINDS)) == len(KINDS)


async def test_each_source_is_what_its_declaration_says() -> None:
    async with SafeHttp(FetchPolicy()) as http:
        sources = build_sources(http, {})
    for kind, declared in declarations().items():
        assert sources[kind].kind == kind
        assert isinstance(sources[kind], ThreadSource) == declared.threads, kind
        assert declared.docs and (Path(__file__).parents[3] / "docs" / declared.docs).is_file(), kind


def test_the_declared_figures_are_the_ones_earshot_always_used() -> None:
    h = timedelta(hours=1)
    expected = {
        "hackernews": ("2m", 6 * h),
        "rss": ("15m", 48 * h),
        "stackexchange": ("10m", 48 * h),
        "github": ("5m", 72 * h),
        "discourse": ("10m", 72 * h),
        "lobsters": ("10m", 12 * h),
        "reddit": ("5m", 12 * h),
        "mastodon": ("5m", 6 * h),
        "bluesky": ("5m", 6 * h),
    }
    # The kinds Earshot had before the declarations keep their figures; a kind added later brings its own.
    assert {kind: (d.every, d.half_life) for kind, d in declarations().items() if kind in expected} == expected
    assert SECRET_ENV[:6] == (
        "STACKEXCHANGE_KEY",
        "GITHUB_TOKEN",
        "DISCOURSE_API_KEY",
        "REDDIT_CLIENT_SECRET",
        "MASTODON_TOKEN",
        "BLUESKY_APP_PASSWORD",
    )


def test_each_declared_example_is_a_feed_the_settings_accept(tmp_path: Path) -> None:
    path = tmp_path / "earshot.toml"
    examples = [d.example for d in declarations().values() if d.example]
    assert len(examples) >= 7
    path.write_text("\n".join(examples), encoding="utf-8")
    feeds = load_settings(path, {}).feeds
    assert [f.kind for f in feeds] == [k for k, d in declarations().items() if d.example]


def test_the_starter_file_names_every_kind_and_shows_each_example() -> None:
    text = starter_config()
    for kind, declared in declarations().items():
        assert f'"{kind}"' in text.split("#   every")[0].split("#   kind")[1]
        if declared.example:
            assert textwrap.indent(declared.example.strip(), "# ") in text
    tomllib.loads(text)


def test_a_plugin_from_an_entry_point_is_registered_after_the_built_in_kinds(installed: Path) -> None:
    found = load_plugins()
    assert [p.declaration.kind for p in found] == [*[p.declaration.kind for p in BUILT_IN], "gopher"]
    assert declarations()["gopher"].every == "20m"
    assert "GOPHER_TOKEN" in secret_env()  # masked in logs like the built-in kinds' secrets


async def test_a_plugin_kind_is_configured_checked_and_built_like_a_built_in_one(installed: Path) -> None:
    path = installed / "earshot.toml"
    path.write_text(
        '[[feeds]]\nname = "hole"\nkind = "gopher"\nurl = "https://gopher.example"\noptions = { selector = "/news" }\n',
        encoding="utf-8",
    )
    (feed,) = load_settings(path, {}).feeds
    assert (feed.kind, feed.url, feed.every) == ("gopher", "https://gopher.example", timedelta(minutes=20))
    path.write_text('[[feeds]]\nname = "hole"\nkind = "gopher"\nbase_url = "https://x.example"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"url: missing; a gopher feed needs its proxy address") as raised:
        load_settings(path, {})
    assert '"hole".base_url: a gopher feed takes its proxy address as url' in str(raised.value)
    assert feed_target("gopher", "https://g.example", None, declarations()).url == "https://g.example"
    async with SafeHttp(FetchPolicy()) as http:
        source = build_sources(http, {"GOPHER_TOKEN": "t"})["gopher"]
    assert source.token == "t"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("earshot_gopher:NOT_A_PLUGIN", "is a SourceKind, not an earshot.adapters.sources.plugin.SourcePlugin"),
        ("earshot_gopher:TAKES_RSS", "kind 'rss' is already registered"),
        ("earshot_gopher:MISSING", "could not be loaded (AttributeError"),
        ("no_such_module_here:PLUGIN", "could not be loaded (ModuleNotFoundError"),
    ],
)
def test_a_bad_plugin_is_a_warning_and_the_others_still_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, value: str, says: str
) -> None:
    install(tmp_path, {"bad": value, "gopher": "earshot_gopher:PLUGIN"})
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with caplog.at_level(logging.WARNING, logger="earshot.adapters.sources.registry"):
            found = load_plugins()
    finally:
        sys.modules.pop("earshot_gopher", None)
    assert [p.declaration.kind for p in found][-1] == "gopher"
    assert len(found) == len(BUILT_IN) + 1
    (record,) = caplog.records
    assert "source plugin 'bad'" in record.getMessage() and says in record.getMessage()
    assert "it is skipped" in record.getMessage()
