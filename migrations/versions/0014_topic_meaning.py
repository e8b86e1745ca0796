"""What a topic means: about, examples, counter_examples, without_keyword and accept.

Revision ID: 0014_topic_meaning
Revises: 0013_thread_state
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014_topic_meaning"
down_revision: str | None = "0013_thread_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here rather than imported from the application, so this revision stays what it was.
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
COLUMNS: tuple[tuple[str, Any, str], ...] = (
    ("about", sa.Text(), "''"),
    ("examples", JSON, "'[]'"),
    ("counter_examples", JSON, "'[]'"),
    ("without_keyword", sa.Boolean(), "false"),
    ("accept", sa.Text(), "''"),
)


def upgrade() -> None:
    """Add the columns; topics already there get none of it (no about, no examples, keyword only)."""
    # The server defaults fill the rows already there, then go: the application always writes these columns.
    with op.batch_alter_table("topics") as batch:
        for name, kind, default in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=sa.text(default)))
    with op.batch_alter_table("topics") as batch:
        for name, kind, _ in COLUMNS:
            batch.alter_column(name, existing_type=kind, existing_nullable=False, server_default=None)


def downgrade() -> None:
    """Drop them (what the topics said about their meaning is lost; their queries stay)."""
    with op.batch_alter_table("topics") as batch:
        for name, _, _ in reversed(COLUMNS):
            batch.drop_column(name)
