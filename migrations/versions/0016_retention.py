"""Indexes for retention: what is old enough to go, and whether anything still refers to a conversation.

Revision ID: 0016_retention
Revises: 0015_manners
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016_retention"
down_revision: str | None = "0015_manners"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): each named by the naming convention, as earshot.adapters.storage.tables declares them.
INDEXES: tuple[tuple[str, str], ...] = (
    ("conversations", "first_seen_at"),
    ("alerts", "conversation_id"),
    ("sightings", "conversation_id"),
    ("alert_links", "conversation_id"),
    ("alert_links", "at"),
    ("audit_log", "at"),
)


def upgrade() -> None:
    """Add the indexes."""
    for table, column in INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def downgrade() -> None:
    """Drop them."""
    for table, column in reversed(INDEXES):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
