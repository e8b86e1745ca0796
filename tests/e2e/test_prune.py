"""`earshot db prune`: what [retention] lets go, counted with --dry-run or removed, through the real command."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Earshot

pytestmark = pytest.mark.any_database

CONFIG = '[chat]\nplatform = "console"\nchannel = "general"\n'


def test_prune_counts_then_removes_and_a_bad_period_is_a_config_error(earshot: Earshot) -> None:
    earshot.write_config(CONFIG)
    assert earshot("db", "upgrade").returncode == 0
    dry = earshot("db", "prune", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == "would go:"
    assert "0      alerts (with their outcomes, checks and sightings)" in dry.stdout and "kept 365d" in dry.stdout
    assert "a dry run: nothing was removed" in dry.stdout
    done = earshot("db", "prune")
    assert done.returncode == 0 and done.stdout.startswith("removed:"), done.stderr

    earshot.write_config(CONFIG + '[retention]\nconversations = "forever"\nalerts = "forever"\naudit = "forever"\n')
    kept = earshot("db", "prune")
    assert kept.returncode == 0 and "keeps everything" in kept.stdout

    earshot.write_config(CONFIG + '[retention]\nalerts = "10d"\n')
    bad = earshot("db", "prune", "--dry-run")
    assert bad.returncode == 2
    assert 'retention.alerts = "10d": too short; use at least "30d", or "forever" to keep them' in bad.stderr
