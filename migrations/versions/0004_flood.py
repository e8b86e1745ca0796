"""Topic filters (languages, excluded authors and sources) and the flood guard's held alerts.

Revision ID: 0004_flood
Revises: 0003_summaries
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_flood"
down_revision: str | None = "0003_summaries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here rather than imported from the application, so this revision stays what it was.
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)
STATES_BEFORE = "state IN ('pending', 'delivered', 'below_min')"
STATES_AFTER = "state IN ('pending', 'delivered', 'below_min', 'held')"
FILTERS = ("languages", "exclude_authors", "exclude_sources")


def upgrade() -> None:
    """Add the topics' filter lists (existing topics get none), alerts.held_at and the 'held' state."""
    # The server defaults fill the rows already there, then go: the application always writes these columns.
    with op.batch_alter_table("topics") as batch:
        for name in FILTERS:
            batch.add_column(sa.Column(name, JSON, nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table("topics") as batch:
        for name in FILTERS:
            batch.alter_column(name, existing_type=JSON, existing_nullable=False, server_default=None)
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("held_at", UTC_DATETIME, nullable=True))
        batch.drop_constraint(op.f("ck_alerts_state"), type_="check")
        batch.create_check_constraint(op.f("ck_alerts_state"), STATES_AFTER)
        batch.create_index(op.f("ix_alerts_delivered_at"), ["delivered_at"], unique=False)


def downgrade() -> None:
    """Drop them; alerts still held go back to pending, so none is lost (they are then sent one by one)."""
    op.execute("UPDATE alerts SET state = 'pending' WHERE state = 'held'")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index(op.f("ix_alerts_delivered_at"))
        batch.drop_constraint(op.f("ck_alerts_state"), type_="check")
        batch.create_check_constraint(op.f("ck_alerts_state"), STATES_BEFORE)
        batch.drop_column("held_at")
    with op.batch_alter_table("topics") as batch:
        for name in FILTERS:
            batch.drop_column(name)
