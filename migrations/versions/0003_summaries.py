"""Context summaries and crossposts: alerts.summary, alerts.needs_refresh, alert_links, sightings and budgets.

Revision ID: 0003_summaries
Revises: 0005_desk
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_summaries"
down_revision: str | None = "0005_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here rather than imported from the application, so this revision stays what it was.
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the summary and refresh flag to alerts, and the link claims, sightings and budgets tables."""
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("summary", JSON, nullable=True))
        batch.add_column(sa.Column("needs_refresh", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "alert_links",
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("link_key", sa.Text(), nullable=False),
        sa.Column("conversation_id", BIG_ID, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"], name=op.f("fk_alert_links_conversation_id_conversations")
        ),
        sa.PrimaryKeyConstraint("topic", "link_key", name=op.f("pk_alert_links")),
    )
    op.create_table(
        "sightings",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("alert_id", BIG_ID, nullable=False),
        sa.Column("conversation_id", BIG_ID, nullable=False),
        sa.Column("seen_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_sightings_alert_id_alerts")),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"], name=op.f("fk_sightings_conversation_id_conversations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sightings")),
        sa.UniqueConstraint("alert_id", "conversation_id", name=op.f("uq_sightings_alert_id_conversation_id")),
    )
    op.create_table(
        "budgets",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "day", name=op.f("pk_budgets")),
    )


def downgrade() -> None:
    """Drop them again; sightings are lost (each was a second discussion, never an alert of its own)."""
    op.drop_table("budgets")
    op.drop_table("sightings")
    op.drop_table("alert_links")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("needs_refresh")
        batch.drop_column("summary")
