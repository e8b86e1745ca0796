"""[retention]: how long conversations, alerts and the audit log are kept; "forever" keeps them; clear errors."""

from __future__ import annotations

from datetime import timedelta

from earshot.bot.followup.retention import RetentionPolicy

from .conftest import Load, Problems


def test_the_defaults_keep_a_year_bounded_and_forever_keeps_all(load: Load) -> None:
    assert load('[chat]\nchannel = "c"\n').retention == RetentionPolicy()
    assert RetentionPolicy() == RetentionPolicy(timedelta(days=30), timedelta(days=365), timedelta(days=365))
    kept = load('[retention]\nconversations = "2w"\nalerts = "forever"\naudit = "90d"\n').retention
    assert (kept.conversations, kept.alerts, kept.audit) == (timedelta(weeks=2), None, timedelta(days=90))
    summary = load('[retention]\nalerts = "forever"\n').redacted()["retention"]
    assert summary == {"conversations": "30d", "alerts": "forever", "audit": "365d"}


def test_bad_periods_say_what_would_be_right(problems: Problems) -> None:
    found = "\n".join(problems('[retention]\nconversations = "1d"\nalerts = 365\naudit = "never"\n'))
    assert 'retention.conversations = "1d": too short; use at least "7d", or "forever" to keep them' in found
    assert "retention.alerts = 365: not a duration; add a unit in quotes" in found
    assert 'retention.audit = "never": not a duration' in found and '"forever" to keep them' in found
