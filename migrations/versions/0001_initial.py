"""Initial schema: topics, feeds, conversations, alerts (the outbox and claims), outcomes, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here rather than imported from the application, so this revision stays what it was when the
# application's types change.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIME = sa.DateTime(timezone=True)
NAME = sa.String(length=200)
ORIGIN = "origin IN ('config', 'cli')"


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("channel", NAME, nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(ORIGIN, name=op.f("ck_topics_origin")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("name", name=op.f("uq_topics_name")),
    )
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("cursor", JSON, nullable=False),
        sa.Column("seeded", sa.Boolean(), nullable=False),
        sa.Column("next_poll_at", TIME, nullable=True),
        sa.Column("last_polled_at", TIME, nullable=True),
        sa.Column("last_success_at", TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("lease_owner", NAME, nullable=True),
        sa.Column("lease_until", TIME, nullable=True),
        sa.CheckConstraint(ORIGIN, name=op.f("ck_feeds_origin")),
        sa.CheckConstraint("every_seconds > 0", name=op.f("ck_feeds_every_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("name", name=op.f("uq_feeds_name")),
    )
    op.create_table(
        "conversations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.Text(), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("community", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", TIME, nullable=True),
        sa.Column("thread_size", sa.Integer(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("feed", NAME, nullable=False),
        sa.Column("first_seen_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_conversations_source_external_id")),
        sa.UniqueConstraint("url_key", name=op.f("uq_conversations_url_key")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("topic", NAME, nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", BIG_ID, nullable=False),
        sa.Column("channel", NAME, nullable=True),
        sa.Column("matched", JSON, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=True),
        sa.Column("lease_owner", NAME, nullable=True),
        sa.Column("lease_until", TIME, nullable=True),
        sa.Column("delivered_at", TIME, nullable=True),
        sa.Column("message_ref", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", NAME, nullable=True),
        sa.Column("claimed_at", TIME, nullable=True),
        sa.CheckConstraint("state IN ('pending', 'delivered')", name=op.f("ck_alerts_state")),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"], name=op.f("fk_alerts_conversation_id_conversations")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_alerts_topic_id_topics"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("topic", "conversation_id", name=op.f("uq_alerts_topic_conversation_id")),
    )
    op.create_index(op.f("ix_alerts_state_next_attempt_at"), "alerts", ["state", "next_attempt_at"])
    op.create_index(op.f("ix_alerts_topic_id"), "alerts", ["topic_id"])
    op.create_table(
        "outcomes",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("alert_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor", NAME, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_outcomes_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    op.create_index(op.f("ix_outcomes_alert_id"), "outcomes", ["alert_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("actor", NAME, nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("subject", NAME, nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )


def downgrade() -> None:
    """Drop every table."""
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_outcomes_alert_id"), table_name="outcomes")
    op.drop_table("outcomes")
    op.drop_index(op.f("ix_alerts_topic_id"), table_name="alerts")
    op.drop_index(op.f("ix_alerts_state_next_attempt_at"), table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("conversations")
    op.drop_table("feeds")
    op.drop_table("topics")
