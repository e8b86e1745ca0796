"""Chat events seen: a platform's retry of an event is handled once, whichever replica it reaches.

Revision ID: 0011_chat_events
Revises: 0010_participation
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_chat_events"
down_revision: str | None = "0010_participation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)  # spelled out, like the earlier revisions, so this one stays what it was


def upgrade() -> None:
    """Add chat_events."""
    op.create_table(
        "chat_events",
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("seen_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_chat_events")),
    )
    op.create_index(op.f("ix_chat_events_seen_at"), "chat_events", ["seen_at"])


def downgrade() -> None:
    """Drop chat_events."""
    op.drop_index(op.f("ix_chat_events_seen_at"), table_name="chat_events")
    op.drop_table("chat_events")
