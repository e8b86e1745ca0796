"""People in the channel: find an alert by its message, and ask each claimer once how it went.

Revision ID: 0005_desk
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_desk"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)  # spelled out, like the earlier revisions, so this one stays what it was


def upgrade() -> None:
    """Add alerts.followed_up_at and an index on alerts.message_ref."""
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("followed_up_at", TIME, nullable=True))
        batch.create_index(op.f("ix_alerts_message_ref"), ["message_ref"])


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index(op.f("ix_alerts_message_ref"))
        batch.drop_column("followed_up_at")
