"""The printable summary masks every secret and keeps the rest readable."""

from __future__ import annotations

from .conftest import Load

SECRET = "SECRETTOKEN"


def test_redacted_hides_the_webhook_path_the_signing_secret_and_the_db_password(load: Load) -> None:
    text = f"""
[chat]
platform = "webhook"
webhook_url = "https://hooks.example.com/services/{SECRET}?sig={SECRET}"
[[feeds]]
name = "private"
kind = "rss"
every = "5m"
url = "https://reader:{SECRET}@feeds.example.com/feed.xml?token={SECRET}&page=2"
"""
    env = {
        "EARSHOT_WEBHOOK_SECRET": SECRET,
        "EARSHOT_DATABASE_URL": f"postgresql+asyncpg://earshot:{SECRET}@db:5432/earshot?sslpassword={SECRET}",
    }
    settings = load(text, env)
    assert settings.chat.webhook_secret == SECRET
    summary = settings.redacted()
    assert SECRET not in str(summary)
    assert SECRET not in repr(settings.chat)
    assert "database_url" not in repr(settings)  # repr=False: a stray log line cannot print the password
    assert summary["database_url"] == "postgresql+asyncpg://earshot:***@db:5432/earshot?sslpassword=***"
    assert summary["chat"] == {
        "platform": "webhook",
        "channel": "conversations",
        "webhook_url": "https://hooks.example.com/***",
        "webhook_secret": "***",
    }
    assert summary["feeds"][0]["url"] == "https://reader:***@feeds.example.com/feed.xml?token=***&page=2"


def test_redacted_is_a_readable_summary(load: Load) -> None:
    summary = load('[fetch]\ndeadline = "1m30s"\n[[topics]]\nname = "t"\nquery = "pgvector"\n').redacted()
    assert summary["path"] == "earshot.toml"
    assert summary["database_url"] == "sqlite+aiosqlite:///earshot.db"
    assert summary["chat"]["webhook_url"] is None
    assert summary["chat"]["webhook_secret"] is None
    assert summary["fetch"]["deadline"] == "1m30s"
    assert summary["fetch"]["max_body"] == "5MB"
    assert summary["schedule"]["max_backoff"] == "6h"
    assert summary["delivery"]["lease"] == "1m"
    assert summary["topics"] == [{"name": "t", "query": "pgvector", "channel": None, "enabled": True, "min_score": 50}]
    assert summary["scoring"] == {"team_accounts": [], "languages": []}
