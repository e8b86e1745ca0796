"""[judge]: off by default, checked once with clear errors, its key read from the variable it names and masked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import Load, Problems

ON = '[judge]\nenabled = true\nurl = "http://127.0.0.1:8080/v1"\nmodel = "qwen2.5-7b-instruct"\n'
KEY = "sk-proj-abcdef0123456789"


def test_the_judge_is_off_by_default(load: Load) -> None:
    judge = load('[log]\nlevel = "info"\n').judge
    assert (judge.enabled, judge.url, judge.model, judge.api_key) == (False, None, None, None)
    assert (judge.min_score, judge.timeout, judge.per_hour, judge.max_chars) == (60, timedelta(seconds=10), 60, 1000)


def test_an_enabled_judge_reads_its_key_from_the_variable_it_names(load: Load) -> None:
    text = ON + 'api_key_env = "OPENAI_API_KEY"\nmin_score = 70\ntimeout = "4s"\nper_hour = 30\nmax_chars = 500\n'
    settings = load(text, {"OPENAI_API_KEY": f" {KEY} "})
    judge = settings.judge
    assert (judge.enabled, judge.url, judge.model, judge.api_key) == (
        True,
        "http://127.0.0.1:8080/v1",
        "qwen2.5-7b-instruct",
        KEY,
    )
    assert (judge.min_score, judge.timeout, judge.per_hour, judge.max_chars) == (70, timedelta(seconds=4), 30, 500)
    shown = settings.redacted()["judge"]
    assert shown["api_key"] == "***" and shown["api_key_env"] == "OPENAI_API_KEY"
    assert KEY not in repr(settings) and KEY not in str(settings.redacted())


def test_suggestions_on_drafts_are_off_by_default_and_need_no_judging(load: Load) -> None:
    off = load('[log]\nlevel = "info"\n').judge
    assert (off.suggest, off.suggest_per_hour) == (False, 30)
    text = '[judge]\nsuggest = true\nsuggest_per_hour = 5\nurl = "http://127.0.0.1:8080/v1"\nmodel = "m"\n'
    judge = load(text).judge
    assert (judge.enabled, judge.suggest, judge.suggest_per_hour) == (False, True, 5)


def test_a_local_judge_needs_no_key(load: Load) -> None:
    assert load(ON).judge.api_key is None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[judge]\nenabled = true\nmodel = 'm'\n", "judge.url: missing; enabled = true needs the endpoint to ask"),
        ("[judge]\nenabled = true\nurl = 'http://x.org/v1'\n", "judge.model: missing; enabled = true needs a model"),
        ("[judge]\nurl = 'x.org'\n", 'judge.url = "x.org": '),
        ("[judge]\nenabled = 'yes'\n", 'judge.enabled = "yes": not true or false'),
        ("[judge]\nmin_score = 101\n", "judge.min_score = 101: out of range"),
        ("[judge]\nper_hour = -1\n", "judge.per_hour = -1: out of range"),
        ("[judge]\ntimeout = '10m'\n", 'judge.timeout = "10m": '),
        ("[judge]\napi_key = 'k'\n", "the API key comes only from the environment: name its variable in api_key_env"),
        (
            ON + "api_key_env = 'OPENAI_API_KEY'\n",
            "judge.api_key_env: the environment variable OPENAI_API_KEY is not set",
        ),
        ("[judge]\nmodle = 'm'\n", 'unknown key; did you mean "model"?'),
        ("[judge]\nsuggest = true\nmodel = 'm'\n", "judge.url: missing; suggest = true needs the endpoint to ask"),
        ("[judge]\nsuggest_per_hour = -2\n", "judge.suggest_per_hour = -2: out of range"),
    ],
)
def test_each_bad_judge_value_is_named_with_a_hint(problems: Problems, text: str, line: str) -> None:
    found = problems(text)
    assert len(found) == 1, found
    assert line in found[0]


def test_a_key_written_where_its_variable_name_goes_is_never_shown_back(problems: Problems) -> None:
    [line] = problems(f'[judge]\napi_key_env = "{KEY}"\n')
    assert KEY not in line
    assert line.startswith('earshot.toml: judge.api_key_env = "***": expected the name of an environment variable')


def test_commands_that_never_ask_the_judge_need_not_hold_its_key(config_dir: object) -> None:
    from pathlib import Path

    from earshot.adapters.settings import load_settings

    Path("earshot.toml").write_text(ON + 'api_key_env = "OPENAI_API_KEY"\n', encoding="utf-8")
    settings = load_settings(Path("earshot.toml"), {}, chat_tokens=False)  # `earshot db upgrade`
    assert settings.judge.enabled and settings.judge.api_key is None
