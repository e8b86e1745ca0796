"""Joinability: each topic's min_score, each alert's top reasons, and the below_min alert state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here rather than imported from the application, so this revision stays what it was.
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
STATES_BEFORE = "state IN ('pending', 'delivered')"
STATES_AFTER = "state IN ('pending', 'delivered', 'below_min')"


def upgrade() -> None:
    """Add topics.min_score (existing topics get 50) and alerts.reasons (existing alerts get none)."""
    # The server defaults fill the rows already there, then go: the application always writes both columns.
    with op.batch_alter_table("topics") as batch:
        batch.add_column(sa.Column("min_score", sa.Integer(), nullable=False, server_default=sa.text("50")))
    with op.batch_alter_table("topics") as batch:
        batch.alter_column("min_score", existing_type=sa.Integer(), existing_nullable=False, server_default=None)
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("reasons", JSON, nullable=False, server_default=sa.text("'[]'")))
        batch.drop_constraint(op.f("ck_alerts_state"), type_="check")
        batch.create_check_constraint(op.f("ck_alerts_state"), STATES_AFTER)
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column("reasons", existing_type=JSON, existing_nullable=False, server_default=None)


def downgrade() -> None:
    """Drop both columns; alerts held below their minimum become delivered, so none is sent late."""
    op.execute("UPDATE alerts SET state = 'delivered' WHERE state = 'below_min'")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint(op.f("ck_alerts_state"), type_="check")
        batch.create_check_constraint(op.f("ck_alerts_state"), STATES_BEFORE)
        batch.drop_column("reasons")
    with op.batch_alter_table("topics") as batch:
        batch.drop_column("min_score")
