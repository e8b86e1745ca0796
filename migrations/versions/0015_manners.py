"""Manners over time: each counted team reply's link, whether it promoted what is ours, whether it disclosed.

Revision ID: 0015_manners
Revises: 0014_topic_meaning
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0015_manners"
down_revision: str | None = "0014_topic_meaning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here rather than imported from the application, so this revision stays what it was.
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("reply_url", sa.Text()),
    ("promoted", sa.Boolean()),
    ("disclosed", sa.Boolean()),
)


def upgrade() -> None:
    """Add the columns, NULL for checks made before: those replies were never judged (not "did not promote")."""
    with op.batch_alter_table("participation") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    """Drop them (what was recorded of the team's manners is lost; the checks stay)."""
    with op.batch_alter_table("participation") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
