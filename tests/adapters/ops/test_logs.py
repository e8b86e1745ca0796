"""Log lines: known secrets masked, URLs stripped of passwords and secret query values, JSON one object a line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from earshot.adapters.cli.logs import setup_logging


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line]


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    yield
    setup_logging()


def test_known_secrets_and_secrets_in_urls_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(secrets=["s3cr3t-webhook-token"])
    log = logging.getLogger("earshot")
    log.warning("posting to https://hooks.example.com/s3cr3t-webhook-token failed")
    log.warning("feed https://reader:hunter2@feeds.example.com/f.xml?token=abc123&page=2 failed")
    logging.getLogger("httpx").warning('HTTP Request: GET https://example.com/feed.xml?api_key=k-999&q=rust "200"')
    try:
        raise ValueError("bad https://u:pw-in-traceback@db.example.com/x")
    except ValueError:
        log.exception("unexpected")
    out = "\n".join(lines(capsys))
    for secret in ("s3cr3t-webhook-token", "hunter2", "abc123", "k-999", "pw-in-traceback"):
        assert secret not in out
    assert "https://hooks.example.com/***" in out
    assert "https://reader:***@feeds.example.com/f.xml?token=***&page=2" in out
    assert "GET https://example.com/feed.xml " in out  # client lines lose the whole query
    assert "ValueError" in out


def test_json_lines_are_one_object_each_with_the_masking_applied(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(secrets=["topsecret-value"], format="json")
    log = logging.getLogger("earshot.test")
    log.info("value %s\nsecond line", "topsecret-value")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("failed")
    entries = [json.loads(line) for line in lines(capsys)]
    assert [e["message"].splitlines()[0] for e in entries] == ["value ***", "failed"]
    assert entries[0]["level"] == "info" and entries[0]["logger"] == "earshot.test"
    assert entries[0]["time"].endswith("+00:00")
    assert "RuntimeError: boom" in entries[1]["message"] + entries[1].get("exception", "")


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:///earshot.db",
        "sqlite+aiosqlite:///./data/earshot.db",
        "sqlite+aiosqlite:////var/lib/earshot/earshot.db",
        "file:///etc/feed.xml",
    ],
)
def test_a_url_without_a_host_is_logged_as_written(capsys: pytest.CaptureFixture[str], url: str) -> None:
    # sqlite:///earshot.db is relative to the working directory; sqlite:/earshot.db would read as the root's
    setup_logging()
    logging.getLogger("earshot").warning("database %s: schema brought up", url)
    assert f"database {url}: schema" in lines(capsys)[0]


@pytest.mark.parametrize(("verbose", "internals_shown"), [(0, False), (1, False), (2, True)])
def test_the_database_drivers_internals_show_only_at_vv(
    capsys: pytest.CaptureFixture[str], verbose: int, internals_shown: bool
) -> None:
    setup_logging(verbose=verbose)
    logging.getLogger("earshot").debug("ours")
    for name in ("sqlalchemy.engine.Engine", "aiosqlite", "asyncpg", "httpcore.connection"):
        logging.getLogger(name).debug("internals of %s", name)
    logging.getLogger("httpx").info("HTTP Request: GET https://example.com/feed.xml")
    out = "\n".join(lines(capsys))
    assert ("ours" in out) == (verbose > 0)
    assert ("HTTP Request" in out) == (verbose > 0)  # -v shows the requests made
    for name in ("sqlalchemy.engine.Engine", "aiosqlite", "asyncpg", "httpcore.connection"):
        assert (f"internals of {name}" in out) == internals_shown
