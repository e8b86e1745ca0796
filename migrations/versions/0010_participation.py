"""How it went: team handles, automatic participation checks, custom outcome labels, scheduled reports.

Revision ID: 0010_participation
Revises: 0004_flood
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_participation"
down_revision: str | None = "0004_flood"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)  # spelled out, like the earlier revisions, so this one stays what it was
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add team_handles, participation, reports and outcomes.label."""
    with op.batch_alter_table("outcomes") as batch:
        batch.add_column(sa.Column("label", sa.String(200), nullable=True))
    op.create_table(
        "team_handles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_handles")),
        sa.UniqueConstraint("source", "handle", name=op.f("uq_team_handles_source_handle")),
    )
    op.create_index(op.f("ix_team_handles_member"), "team_handles", ["member"])
    op.create_table(
        "participation",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("alert_id", BIG_ID, nullable=False),
        sa.Column("claimed_at", TIME, nullable=False),
        sa.Column("after_seconds", sa.Integer(), nullable=False),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("checked_at", TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        sa.Column("lease_until", TIME, nullable=True),
        sa.Column("replied_by", sa.String(200), nullable=True),
        sa.Column("replied_at", TIME, nullable=True),
        sa.Column("responses", sa.Integer(), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_participation_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation")),
        sa.UniqueConstraint(
            "alert_id", "claimed_at", "after_seconds", name=op.f("uq_participation_alert_id_claimed_at_after_seconds")
        ),
    )
    op.create_index(op.f("ix_participation_checked_at_due_at"), "participation", ["checked_at", "due_at"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(200), nullable=False),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        sa.Column("lease_until", TIME, nullable=True),
        sa.Column("sent_at", TIME, nullable=True),
        sa.Column("message_ref", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("slot", name=op.f("uq_reports_slot")),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("reports")
    op.drop_index(op.f("ix_participation_checked_at_due_at"), table_name="participation")
    op.drop_table("participation")
    op.drop_index(op.f("ix_team_handles_member"), table_name="team_handles")
    op.drop_table("team_handles")
    with op.batch_alter_table("outcomes") as batch:
        batch.drop_column("label")
