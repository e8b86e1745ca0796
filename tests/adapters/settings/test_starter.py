"""The starter file `earshot init` writes: it loads cleanly, teaches every key, and is not overwritten by accident."""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from earshot.adapters.settings import load_settings, starter_config, write_starter
from earshot.adapters.settings.guest import RuleEntry
from earshot.adapters.settings.model import ConfigFile, FeedEntry, TeamEntry, TopicEntry
from earshot.bot.errors import ConfigError


def test_the_starter_file_loads_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "earshot.toml"
    write_starter(path)
    settings = load_settings(path, {})
    assert settings.chat.platform == "console"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    hn, blog = settings.feeds
    assert (hn.kind, hn.query, hn.options) == ("hackernews", None, {"tags": ["story", "comment"]})
    assert (blog.kind, blog.url) == ("rss", "https://blog.rust-lang.org/feed.xml")
    assert blog.every == timedelta(minutes=15)
    assert len(settings.topics) == 2
    assert all(feed.origin == "config" for feed in settings.feeds)


def test_the_starter_file_names_every_key_once_set_or_commented() -> None:
    text = starter_config()
    defaults = ConfigFile()
    for section in ConfigFile.model_fields:
        # [[team]] names real people's accounts and [[rules]] a real community's rules: the starter shows them
        # commented out.
        prefix = "# " if section in ("team", "rules") else ""
        assert re.search(rf"^{prefix}\[\[?{section}\]\]?$", text, re.MULTILINE), section
        entries: dict[str, type[BaseModel]] = {
            "feeds": FeedEntry,
            "topics": TopicEntry,
            "team": TeamEntry,
            "rules": RuleEntry,
        }
        entry = entries.get(section) or type(getattr(defaults, section))
        for key in entry.model_fields:
            assert re.search(rf"^#? ?{key} = |^#\s+{key}\s", text, re.MULTILINE), f"{section}.{key}"


def test_the_starter_file_shows_the_defaults() -> None:
    data = tomllib.loads(starter_config())
    defaults = ConfigFile().model_dump()
    for section in ("fetch", "schedule", "delivery"):
        settings = ConfigFile.model_validate({section: data[section]}).model_dump()
        assert settings[section] == defaults[section], section


def test_write_starter_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "earshot.toml"
    path.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"earshot.toml exists already; pass --force to overwrite$"):
        write_starter(path)
    assert path.read_text(encoding="utf-8") == "# mine\n"
    write_starter(path, force=True)
    assert path.read_text(encoding="utf-8") == starter_config()


def test_write_starter_reports_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot be written"):
        write_starter(tmp_path / "nope" / "earshot.toml")
